"""/api/v1/notifications: the token holder's own reminders, as the app lists them."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.reminders import delivery as reminders
from mettrack.reminders.models import Reminder
from tests import factories

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _reminder_for(app, user_id: int) -> tuple[int, int]:
    """A review reminder made by the scan for this lead: (reminder id, case id)."""
    set_now(MONDAY)
    with app.app_context():
        lead = db.session.get(User, user_id)
        lead.notification_choice = "app_only"
        case = factories.case(lead=lead, state="met_review", exploitation_types=["cse"])
        case.next_review_on = MONDAY.date() + timedelta(days=7)
        db.session.commit()
        assert reminders.make_due() == 1
        return db.session.scalar(select(Reminder.id)), case.id


def test_the_list_names_what_is_due_and_the_case_but_not_the_child(client, app, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    reminder_id, case_id = _reminder_for(app, lead.id)
    with app.app_context():
        child = db.session.get(Reminder, reminder_id).case_id
        from mettrack.cases.models import Case

        names = db.session.get(Case, child).child
        first, last = names.first_name, names.last_name

    response = client.get("/api/v1/notifications", headers=lead.headers)

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["total"], body["unread"]) == (1, 1)
    (item,) = body["items"]
    assert (item["id"], item["case_id"], item["read"]) == (reminder_id, case_id, False)
    assert item["kind_label"] == "MET review due"
    assert "Monday 14 December 2026" in item["text"]
    assert first not in response.get_data(as_text=True) and last not in response.get_data(as_text=True)


def test_marking_one_read_drops_the_unread_count(client, app, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    reminder_id, case_id = _reminder_for(app, lead.id)

    response = client.post(f"/api/v1/notifications/{reminder_id}/read", headers=lead.headers)

    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"id": reminder_id, "case_id": case_id, "read": True}
    assert client.get("/api/v1/notifications", headers=lead.headers).get_json()["unread"] == 0


def test_someone_elses_notification_is_not_found_and_stays_unread(client, app, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    other = make_api_user(Role.MET_CHAIR)
    reminder_id, _case_id = _reminder_for(app, lead.id)

    response = client.post(f"/api/v1/notifications/{reminder_id}/read", headers=other.headers)

    assert response.status_code == 404
    assert client.get("/api/v1/notifications", headers=other.headers).get_json()["items"] == []
    with app.app_context():
        assert db.session.get(Reminder, reminder_id).read_at is None


def test_a_bad_page_is_refused_naming_the_field(client, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)

    response = client.get("/api/v1/notifications?page=zero", headers=lead.headers)

    assert response.status_code == 422
    assert "page" in response.get_data(as_text=True)
