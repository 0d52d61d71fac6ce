"""Why a police user opens a child's case (Data Protection Act 2018, section 62; issue 15,
"Access logging for police users"; cases/access_reasons.py): asked once per case per
session on pages, with every read on the API, and written in the view's audit row. Users
of other agencies are not asked."""

import json
from urllib.parse import quote

import pytest
from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import AgencySector, Role
from mettrack.core.extensions import db
from mettrack.meetings.models import AgendaItem
from tests import factories
from tests.api.conftest import bearer
from tests.conftest import csrf_from
from tests.meetings import factories as meeting_factories


@pytest.fixture
def world(app):
    """A police partner and a council partner, both on the team of one case; a meeting
    with the case on its agenda."""
    with app.app_context():
        police = factories.user(roles=[Role.PARTNER], agency="Demotown Police")
        police.agency.sector = AgencySector.POLICE.value
        council = factories.user(roles=[Role.PARTNER], agency="Demotown Council")
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        case = factories.case(lead=lead, members=[police, council])
        meeting = meeting_factories.meeting()
        db.session.add(AgendaItem(meeting_id=meeting.id, case_id=case.id, section="new"))
        db.session.commit()
        from mettrack.accounts import tokens

        _t, secret = tokens.create_token(police, name="test")
        return {
            "police": police.email,
            "council": council.email,
            "case": case.id,
            "child": case.child_id,
            "meeting": meeting.id,
            "token": secret,
        }


def _views(app, action="case.viewed") -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        )
        return [json.loads(r.detail) if r.detail else None for r in rows]


def _answer(client, case_id, data, to=""):
    path = f"/cases/{case_id}/access-reason" + ("?to=child" if to else "")
    token = csrf_from(client.get(path))
    return client.post(path, data={**data, "csrf_token": token})


def test_a_police_user_is_asked_once_per_case_and_the_reason_is_in_the_audit_row(app, client, auth, world):
    auth.login(world["police"])
    case_page = f"/cases/{world['case']}"
    response = client.get(case_page)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{world['case']}/access-reason")
    assert _views(app) == []  # nothing of the case was read
    question = client.get(f"{case_page}/access-reason")
    page = question.get_data(as_text=True)
    assert question.status_code == 200 and "Why are you opening this case?" in page
    assert f'value="meeting:{world["meeting"]}"' in page
    response = _answer(client, world["case"], {"reason": f"meeting:{world['meeting']}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(case_page)
    assert client.get(case_page).status_code == 200
    assert client.get(case_page).status_code == 200  # not asked again this session
    rows = _views(app)
    assert len(rows) == 2 and all(r["reason"] == {"meeting_id": world["meeting"]} for r in rows)


def test_a_typed_reason_in_any_language_is_kept_as_typed_and_length_limited(app, client, auth, world):
    auth.login(world["police"])
    long = _answer(client, world["case"], {"reason": "typed", "typed_reason": "x" * 201})
    assert long.status_code == 400 and "200 characters" in long.get_data(as_text=True)
    empty = _answer(client, world["case"], {"reason": "typed", "typed_reason": "   "})
    assert empty.status_code == 400
    nothing = _answer(client, world["case"], {})
    assert nothing.status_code == 400
    assert client.get(f"/cases/{world['case']}").status_code == 302  # still asked
    reason = "Ymchwiliad   i ddiogelu"  # Welsh; spaces collapsed
    assert _answer(client, world["case"], {"reason": "typed", "typed_reason": reason}).status_code == 302
    assert client.get(f"/cases/{world['case']}").status_code == 200
    assert _views(app)[-1]["reason"] == {"text": "Ymchwiliad i ddiogelu"}


def test_a_meeting_not_of_this_case_is_refused(app, client, auth, world):
    with app.app_context():
        other = meeting_factories.meeting().id
    auth.login(world["police"])
    response = _answer(client, world["case"], {"reason": f"meeting:{other}"})
    assert response.status_code == 400
    assert client.get(f"/cases/{world['case']}").status_code == 302


def test_the_childs_page_asks_for_one_of_the_childs_cases_and_comes_back(app, client, auth, world):
    auth.login(world["police"])
    child_page = f"/children/{world['child']}"
    response = client.get(child_page)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{world['case']}/access-reason?to=child")
    answered = _answer(
        client, world["case"], {"reason": "typed", "typed_reason": "Strategy discussion"}, to=1
    )
    assert answered.headers["Location"].endswith(child_page)
    assert client.get(child_page).status_code == 200
    assert client.get(f"/cases/{world['case']}").status_code == 200  # the same case: asked once
    assert _views(app, "child.viewed")[-1] == {"reason": {"text": "Strategy discussion"}}


def test_sign_out_forgets_the_reasons(app, client, auth, world):
    auth.login(world["police"])
    _answer(client, world["case"], {"reason": "typed", "typed_reason": "Visit"})
    assert client.get(f"/cases/{world['case']}").status_code == 200
    auth.logout()
    auth.login(world["police"])
    assert client.get(f"/cases/{world['case']}").status_code == 302


def test_users_of_other_agencies_are_not_asked(app, client, auth, world):
    auth.login(world["council"])
    assert client.get(f"/cases/{world['case']}").status_code == 200
    assert client.get(f"/children/{world['child']}").status_code == 200
    assert client.get(f"/cases/{world['case']}/access-reason").status_code == 302
    assert all("reason" not in (row or {}) for row in _views(app) + _views(app, "child.viewed"))


def test_a_case_outside_need_to_know_is_404_not_a_question(app, client, auth, world):
    with app.app_context():
        hidden = factories.case().id
    auth.login(world["police"])
    assert client.get(f"/cases/{hidden}").status_code == 404
    assert client.get(f"/cases/{hidden}/access-reason").status_code == 404


def test_the_api_refuses_a_read_without_the_header_naming_it(app, client, world):
    headers = bearer(world["token"])
    for path in (f"/api/v1/cases/{world['case']}", f"/api/v1/children/{world['child']}"):
        response = client.get(path, headers=headers)
        assert response.status_code == 428
        problem = response.get_json()
        assert "X-Access-Reason" in problem["errors"] and "X-Access-Reason" in problem["detail"]
    assert _views(app) == []


def test_the_api_takes_the_reason_in_the_header_with_every_read(app, client, world):
    case_path = f"/api/v1/cases/{world['case']}"
    by_meeting = {**bearer(world["token"]), "X-Access-Reason": f"meeting:{world['meeting']}"}
    assert client.get(case_path, headers=by_meeting).status_code == 200
    typed = {**bearer(world["token"]), "X-Access-Reason": quote("Ymholiad diogelu – ćwiczenie")}
    assert client.get(case_path, headers=typed).status_code == 200
    assert client.get(f"/api/v1/children/{world['child']}", headers=typed).status_code == 200
    assert client.get(case_path, headers=bearer(world["token"])).status_code == 428  # every read
    rows = _views(app)
    assert [r["reason"] for r in rows] == [
        {"meeting_id": world["meeting"]},
        {"text": "Ymholiad diogelu – ćwiczenie"},
    ]


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("x" * 201, "200 characters"),
        ("meeting:999999", "meeting or action"),
        ("%FF", "UTF-8"),
        ("%00", "cannot"),
    ],
)
def test_a_bad_header_is_a_422_naming_it(app, client, world, value, named):
    headers = {**bearer(world["token"]), "X-Access-Reason": value}
    response = client.get(f"/api/v1/cases/{world['case']}", headers=headers)
    assert response.status_code == 422
    assert named in response.get_json()["errors"]["X-Access-Reason"]


def test_the_api_does_not_ask_other_agencies(app, client, world):
    from mettrack.accounts import tokens

    with app.app_context():
        council = db.session.scalar(select(User).where(User.email == world["council"]))
        _t, secret = tokens.create_token(council, name="test")
    assert client.get(f"/api/v1/cases/{world['case']}", headers=bearer(secret)).status_code == 200
    assert client.get(f"/api/v1/children/{world['child']}", headers=bearer(secret)).status_code == 200


def test_outside_a_request_a_police_users_read_is_refused_not_let_through(app, world):
    # No session and no header to carry a reason (a script, a task): the read fails closed.
    from mettrack.cases import AccessReasonRequired
    from mettrack.cases.page import page_for

    with app.app_context():
        police = db.session.scalar(select(User).where(User.email == world["police"]))
        with pytest.raises(AccessReasonRequired):
            page_for(police, world["case"])
