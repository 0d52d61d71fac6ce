"""The meeting pages joined up: the tabs on every meeting-level page (links by endpoint,
the active tab marked), the Agenda tab leading a member to the issued agenda, the onward
links, the closure proposal on the case page, the lead update notification's destination
and the next meetings on the home page."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.language import seed_defaults as seed_phrases
from mettrack.meetings.models import AgendaItem, ClosureProposal
from mettrack.reminders.models import Reminder
from mettrack.reminders.notifications import destination
from mettrack.reminders.rules import ReminderKind
from tests import factories
from tests.meetings import factories as meeting_factories

NOW = datetime(2026, 3, 9, 12, tzinfo=UTC)
TABS = ("overview", "agenda", "attendance", "minutes", "actions")


@pytest.fixture
def world(app):
    with app.app_context():
        set_now(NOW)
        seed_phrases()
        db.session.commit()
        chair = factories.user(roles=[Role.MET_CHAIR])
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], agency="Testtown Council")
        other_lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        partner = factories.user(roles=[Role.PARTNER])
        case = factories.case_in_state("met_review", lead=lead)
        case.risk_level = "high"
        db.session.commit()
        meeting = meeting_factories.meeting(chair=chair, members=[partner, lead])
        return {
            "chair": chair.email,
            "chair_id": chair.id,
            "lead": lead.email,
            "lead_id": lead.id,
            "other_lead": other_lead.email,
            "partner": partner.email,
            "case": case.id,
            "meeting": meeting.id,
        }


def _chair(world):
    return db.session.get(factories.User, world["chair_id"])


def _build(app, world) -> int:
    """Build the draft agenda; the agenda item of the world's case."""
    with app.app_context():
        from mettrack.meetings import build_agenda

        build_agenda(_chair(world), world["meeting"])
        db.session.commit()
        return db.session.scalar(select(AgendaItem.id).where(AgendaItem.case_id == world["case"]))


def _issue(app, world) -> None:
    with app.app_context():
        from mettrack.meetings import build_agenda, issue_agenda

        build_agenda(_chair(world), world["meeting"])
        issue_agenda(_chair(world), world["meeting"])
        db.session.commit()


def _tabs(page: str) -> dict[str, str]:
    """The tabs on a page: key -> href; the selected one under "current"."""
    nav = re.search(r'<nav class="govuk-tabs mettrack-meeting-tabs".*?</nav>', page, re.S)
    assert nav, "the meeting's tabs are on the page"
    found = dict(re.findall(r'id="meeting-tab-(\w+)" href="([^"]+)"', nav.group(0)))
    current = re.findall(r'id="meeting-tab-(\w+)" href="[^"]+"\s*aria-current="page"', nav.group(0))
    found["current"] = current[0] if current else None
    return found


def _expected(meeting_id: int) -> dict[str, str]:
    base = f"/meetings/{meeting_id}"
    return {
        "overview": base,
        "agenda": base + "/agenda",
        "attendance": base + "/attendance",
        "minutes": base + "/minutes",
        "actions": base + "/actions",
    }


def test_every_meeting_page_has_the_tabs_with_the_right_links(client, app, auth, world):
    _issue(app, world)
    auth.login(world["chair"])
    m = world["meeting"]
    pages = {
        f"/meetings/{m}": "overview",
        f"/meetings/{m}/agenda": "agenda",
        f"/meetings/{m}/agenda/issue": "agenda",
        f"/meetings/{m}/agenda/versions": "agenda",
        f"/meetings/{m}/agenda/versions/1": "agenda",
        f"/meetings/{m}/agenda/versions/1/sanitised": "agenda",
        f"/meetings/{m}/attendance": "attendance",
        f"/meetings/{m}/minutes": "minutes",
        f"/meetings/{m}/actions": "actions",
    }
    for path, current in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        tabs = _tabs(response.get_data(as_text=True))
        assert tabs.pop("current") == current, path
        assert tabs == _expected(m), path


def test_a_member_reads_the_tabs_and_approved_minutes_pages_too(client, app, auth, world):
    auth.login(world["partner"])
    m = world["meeting"]
    for path, current in (
        (f"/meetings/{m}", "overview"),
        (f"/meetings/{m}/agenda", "agenda"),
        (f"/meetings/{m}/attendance", "attendance"),
        (f"/meetings/{m}/minutes", "minutes"),
        (f"/meetings/{m}/actions", "actions"),
    ):
        page = client.get(path).get_data(as_text=True)
        assert _tabs(page)["current"] == current, path
    assert "not been approved yet" in client.get(f"/meetings/{m}/minutes").get_data(as_text=True)


def test_the_chairs_minutes_of_an_empty_agenda_lead_to_the_agenda(client, app, auth, world):
    auth.login(world["chair"])
    page = client.get(f"/meetings/{world['meeting']}/minutes").get_data(as_text=True)
    assert 'id="minutes-empty"' in page and f'href="/meetings/{world["meeting"]}/agenda"' in page
    assert "Apply decisions" not in page and "Approve the minutes" not in page


def test_the_agenda_tab_leads_a_member_to_the_latest_issued_version(client, app, auth, world):
    m = world["meeting"]
    auth.login(world["partner"])
    before = client.get(f"/meetings/{m}/agenda")
    assert before.status_code == 200 and "once it is issued" in before.get_data(as_text=True)
    _issue(app, world)
    _issue(app, world)  # version 2
    after = client.get(f"/meetings/{m}/agenda")
    assert after.status_code == 302 and after.headers["Location"].endswith(f"/meetings/{m}/agenda/versions/2")
    auth.logout()
    auth.login(world["chair"])
    draft = client.get(f"/meetings/{m}/agenda")
    page = draft.get_data(as_text=True)
    assert draft.status_code == 200 and "Draft agenda" in page
    assert f'href="/meetings/{m}/agenda/versions/2"' in page


def test_pages_link_onward(client, app, auth, world):
    m = world["meeting"]
    auth.login(world["chair"])
    _build(app, world)
    draft = client.get(f"/meetings/{m}/agenda").get_data(as_text=True)
    assert f'href="/meetings/{m}/agenda/issue"' in draft and "Issue this agenda" in draft
    _issue(app, world)
    versions = client.get(f"/meetings/{m}/agenda/versions").get_data(as_text=True)
    assert "1 item." in versions and "built-in method" not in versions
    version = client.get(f"/meetings/{m}/agenda/versions/1").get_data(as_text=True)
    assert f'href="/meetings/{m}/agenda/versions/1.pdf"' in version
    assert f'href="/meetings/{m}/agenda/versions/1/sanitised"' in version
    sanitised = client.get(f"/meetings/{m}/agenda/versions/1/sanitised").get_data(as_text=True)
    assert f'href="/meetings/{m}/agenda/versions/1/sanitised.pdf"' in sanitised
    minutes = client.get(f"/meetings/{m}/minutes").get_data(as_text=True)
    assert 'id="to-actions"' in minutes and f'href="/meetings/{m}/actions"' in minutes
    attendance = client.get(f"/meetings/{m}/attendance").get_data(as_text=True)
    assert f'href="/meetings/{m}/minutes"' in attendance
    actions = client.get(f"/meetings/{m}/actions").get_data(as_text=True)
    assert actions.count('id="all-actions"') == 1 and 'href="/actions/"' in actions
    assert "<title>Actions: MET operational group" in actions  # nothing else in the title


def test_the_case_page_offers_closure_to_its_lead_only(client, app, auth, world):
    path = f"/cases/{world['case']}"
    auth.login(world["lead"])
    page = client.get(path).get_data(as_text=True)
    assert 'id="propose-closure"' in page and f'href="/cases/{world["case"]}/closure-proposal"' in page
    auth.logout()
    auth.login(world["chair"])
    assert 'id="propose-closure"' not in client.get(path).get_data(as_text=True)


def test_the_case_page_shows_an_open_proposal(client, app, auth, world):
    with app.app_context():
        db.session.add(
            ClosureProposal(
                case_id=world["case"],
                proposed_by_id=world["lead_id"],
                reason="Settled at home",
                proposed_at=NOW,
            )
        )
        db.session.commit()
    auth.login(world["lead"])
    page = client.get(f"/cases/{world['case']}").get_data(as_text=True)
    assert 'id="closure-proposal"' in page and "Settled at home" in page and "9 March 2026" in page
    assert 'id="propose-closure"' not in page  # one open proposal at a time


def test_a_lead_update_notification_leads_to_the_items_form(app, world):
    item_id = None
    with app.app_context():
        from mettrack.meetings import build_agenda

        build_agenda(_chair(world), world["meeting"])
        db.session.commit()
        item_id = db.session.scalar(select(AgendaItem.id).where(AgendaItem.case_id == world["case"]))
        row = Reminder(
            kind=ReminderKind.LEAD_UPDATE_REQUESTED.value,
            record_id=item_id,
            case_id=world["case"],
            recipient_id=world["lead_id"],
        )
        where = destination(row)
    assert where.path == f"/meetings/{world['meeting']}/agenda/items/{item_id}/update"


def test_the_home_page_shows_my_next_meetings_and_open_actions(client, app, auth, world):
    auth.login(world["lead"])
    page = client.get("/").get_data(as_text=True)
    assert 'id="next-meetings"' in page and f'href="/meetings/{world["meeting"]}"' in page
    assert "Tuesday 10 March 2026 at 10:00" in page
    assert "You have no open actions" in page
    auth.logout()
    auth.login(world["other_lead"])
    page = client.get("/").get_data(as_text=True)
    assert 'id="no-next-meetings"' in page
