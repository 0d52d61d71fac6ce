"""The home page as each role sees it, need-to-know on it, and the case list's word on a
coordinator's record-only filters."""

import re

import pytest

from mettrack.core.choices import Role
from mettrack.core.extensions import db
from tests.home import world as fixture

ROLES = ("chair", "lead", "coordinator", "partner", "analyst", "admin")


@pytest.fixture
def world(app):
    with app.app_context():
        built = fixture.build()
        ids = {
            "cases": {k: list(v) for k, v in built.cases.items()},
            "partner_case": built.partner_case,
            "other_case": built.other_case,
            **{role: getattr(built, role).email for role in ROLES},
        }
        db.session.remove()
    return ids


def _text(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _plain(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_signed_out_the_home_page_asks_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


CHAIR = [
    "Missing now: 1",
    "Return Home Interviews overdue: 1",
    "Reviews due this week: 1",
    "Referrals waiting for MET review: 1",
    "Cases needing a lead professional: 1",
]
LEAD = ["My cases needing something: 8", "Risk assessment out of date", "You have no unread notifications"]
COORDINATOR = [
    "Cases waiting for a specialist service: 1",
    "Service requests waiting for an answer: 1",
    "waiting 5 working days",
    "count only the cases whose whole record you may see",
]
ADMIN = [
    "Users waiting for a role to be approved: 1",
    "Accounts locked after failed sign-ins: 1",
    "Audit checks",
]


@pytest.mark.parametrize(
    ("role", "shown", "not_shown"),
    [
        ("chair", CHAIR, ["As analyst"]),
        ("lead", LEAD, ["Reviews overdue:"]),
        ("coordinator", COORDINATOR, ["Missing now: 1"]),
        ("partner", ["My cases: 1", "You have not opened this case yet"], ["Rhi-Overdue0"]),
        ("analyst", ["Open cases by state: 9", "Counts only: no child is named"], ["Queuechild"]),
        ("admin", ADMIN, ["Queuechild"]),
    ],
)
def test_each_role_sees_its_own_queues(client, auth, world, role, shown, not_shown):
    auth.login(world[role])
    page = _plain(_text(client.get("/")))
    for text in shown:
        assert text in page, text
    for text in not_shown:
        assert text not in page, text


def test_a_queue_line_links_to_where_the_user_acts(client, auth, world):
    auth.login(world["chair"])
    page = _text(client.get("/"))
    missing = world["cases"]["missing_now"][0]
    assert f'href="/cases/{missing}#missing"' in page
    assert f'href="/cases/{world["cases"]["needs_lead"][0]}/lead"' in page
    assert 'href="/cases/?open_missing_episode=true"' in page


def test_a_partners_home_names_no_case_outside_their_team(client, auth, world):
    auth.login(world["partner"])
    page = _text(client.get("/"))
    assert f'href="/cases/{world["partner_case"]}"' in page
    for ids in world["cases"].values():
        for case_id in ids:
            if case_id != world["partner_case"]:
                assert f'href="/cases/{case_id}' not in page


def test_a_user_with_two_roles_sees_both_homes(client, auth, app, world):
    auth.as_role(Role.COORDINATOR)
    with app.app_context():
        from mettrack.accounts.models import User

        user = db.session.scalars(db.select(User).order_by(User.id.desc())).first()
        user.set_roles([Role.COORDINATOR, Role.ANALYST])
        db.session.commit()
    page = _plain(_text(client.get("/")))
    assert "As coordinator" in page and "As analyst" in page


def test_the_coordinators_missing_filter_says_what_it_counts(client, auth, world):
    auth.login(world["coordinator"])
    page = _text(client.get("/cases/?open_missing_episode=true"))
    assert 'id="whole-record-note"' in page
    assert "count only the cases whose whole record you may see" in _plain(page)
    assert "0 cases" in _plain(page)
    # Without a record-only filter no note; the Needs attention column says why it is empty.
    page = _text(client.get("/cases/"))
    assert 'id="whole-record-note"' not in page
    assert "Missing episodes not shown: you see a summary of this case" in _plain(page)
    assert "Review overdue" in _plain(page)


def test_the_chair_gets_no_note_and_sees_the_missing_child(client, auth, world):
    auth.login(world["chair"])
    page = _text(client.get("/cases/?open_missing_episode=true"))
    assert 'id="whole-record-note"' not in page
    assert "1 case" in _plain(page) and "Missing now" in _plain(page)
