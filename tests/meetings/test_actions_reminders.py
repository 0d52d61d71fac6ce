"""The MET meeting reminders: the pure decisions (reminders/rules.py) and the scan and
send (reminders/delivery.py) in-process, with the test SMTP server."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from mettrack.core.choices import ActionStatus, CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.meetings.models import AgendaItem, AgendaVersion, LeadUpdate, MeetingAction
from mettrack.reminders import delivery as reminders
from mettrack.reminders import rules
from mettrack.reminders.models import Reminder
from mettrack.reminders.rules import ReminderKind, ReminderRules
from tests import factories
from tests.meetings import factories as meetings
from tests.meetings.action_helpers import action

# A Monday in winter (London = UTC), so 08:00 London is 08:00 UTC.
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
R = ReminderRules()


# --- rules -------------------------------------------------------------------------------


def test_action_reminder_due_then_overdue():
    due_on = date(2026, 12, 9)
    assert rules.action_reminder(due_on, datetime(2026, 12, 7, 7, tzinfo=UTC)) is None
    assert rules.action_reminder(due_on, datetime(2026, 12, 7, 8, tzinfo=UTC)) == (
        ReminderKind.ACTION_DUE,
        datetime(2026, 12, 7, 8, tzinfo=UTC),
    )
    # Due today is due, not overdue; the morning after it is.
    assert rules.action_reminder(due_on, datetime(2026, 12, 9, 20, tzinfo=UTC))[0] is ReminderKind.ACTION_DUE
    assert rules.action_reminder(due_on, datetime(2026, 12, 10, 8, tzinfo=UTC)) == (
        ReminderKind.ACTION_OVERDUE,
        datetime(2026, 12, 10, 8, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("kind", "owner_active", "told"),
    [
        (ReminderKind.ACTION_DUE, True, [1]),
        (ReminderKind.ACTION_OVERDUE, True, [1, 9]),
        (ReminderKind.ACTION_DUE, False, [9]),
    ],
)
def test_action_recipients(kind, owner_active, told):
    assert rules.action_recipients(1, owner_active, 9, kind) == told


def test_before_meeting_reminder_only_between_its_moment_and_the_meeting():
    starts = datetime(2026, 12, 14, 10, tzinfo=UTC)
    assert rules.before_meeting_moment(starts, 5) == datetime(2026, 12, 9, 8, tzinfo=UTC)
    assert rules.before_meeting_reminder(starts, 5, datetime(2026, 12, 9, 7, tzinfo=UTC)) is None
    assert rules.before_meeting_reminder(starts, 5, datetime(2026, 12, 9, 8, tzinfo=UTC)) is not None
    assert rules.before_meeting_reminder(starts, 5, starts) is None


def test_agenda_and_issue_recipients():
    assert rules.agenda_recipients(9, [1, 2], issued=False) == [9]
    assert rules.agenda_recipients(9, [1, 2, 9], issued=True) == [1, 2]
    assert rules.issued_recipients(9, [1, 2], issued_by_id=9) == [1, 2]
    assert rules.issued_recipients(9, [1, 2], issued_by_id=1) == [9, 2]


@pytest.mark.parametrize(
    "name", ["REMINDER_ACTION_DUE_DAYS", "REMINDER_AGENDA_CIRCULATE_DAYS", "REMINDER_LEAD_UPDATE_DAYS"]
)
def test_meeting_settings_are_checked(name):
    with pytest.raises(RuntimeError, match=name):
        reminders.check_settings({name: -1})


def test_record_types():
    assert ReminderKind.ACTION_DUE.record_type == "action"
    assert ReminderKind.AGENDA_TO_CIRCULATE.record_type == "meeting"
    assert ReminderKind.AGENDA_ISSUED.record_type == "agenda_version"
    assert ReminderKind.REVIEW_DUE.record_type == "case"


# --- scan and send ------------------------------------------------------------------------


@pytest.fixture
def world(app_ctx):
    set_now(MONDAY - timedelta(days=30))
    chair = factories.user(roles=[Role.MET_CHAIR])
    other_chair = factories.user(roles=[Role.MET_CHAIR])
    owner = factories.user(roles=[Role.PARTNER])
    member = factories.user(roles=[Role.COORDINATOR])
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = factories.case(lead=lead, state=CaseState.MET_REVIEW)
    meeting = meetings.meeting(
        chair=chair, members=[owner, member], starts_at=datetime(2026, 12, 21, 10, tzinfo=UTC)
    )
    set_now(MONDAY)
    return {
        "chair": chair,
        "other_chair": other_chair,
        "owner": owner,
        "member": member,
        "lead": lead,
        "case": case,
        "meeting": meeting,
    }


def _rows(kind):
    db.session.expire_all()
    return list(db.session.scalars(select(Reminder).where(Reminder.kind == kind.value).order_by(Reminder.id)))


def _send_all():
    return [reminders.deliver(i).status for i in reminders.to_enqueue()]


def _messages_to(mail, user):
    return [m for m in mail.messages if m["To"] == user.email]


def test_action_due_reminds_its_owner_without_naming_the_child(world, mail):
    a = action(world["meeting"], world["case"], world["owner"], due_on=date(2026, 12, 8))
    reminders.make_due()
    _send_all()
    (row,) = _rows(ReminderKind.ACTION_DUE)
    assert (row.recipient_id, row.record_id, row.case_id, row.state) == (
        world["owner"].id,
        a.id,
        world["case"].id,
        "sent",
    )
    (message,) = _messages_to(mail, world["owner"])
    body = message.get_payload()
    assert "A MET meeting action you own falls due on Tuesday 8 December 2026." in body
    assert f"/notifications/{row.id}" in body
    child = world["case"].child
    assert child.first_name not in body and child.last_name not in body
    reminders.make_due()
    assert len(_rows(ReminderKind.ACTION_DUE)) == 1


def test_action_overdue_tells_the_owner_and_the_meetings_chair_only(world, mail):
    action(world["meeting"], world["case"], world["owner"], due_on=date(2026, 12, 4))
    reminders.make_due()
    _send_all()
    rows = _rows(ReminderKind.ACTION_OVERDUE)
    assert {r.recipient_id for r in rows} == {world["owner"].id, world["chair"].id}
    assert len(_messages_to(mail, world["chair"])) == 1
    assert _messages_to(mail, world["other_chair"]) == []


def test_an_action_done_before_the_send_is_cancelled(world, mail):
    a = action(world["meeting"], world["case"], world["owner"], due_on=date(2026, 12, 8))
    reminders.make_due()
    a = db.session.get(MeetingAction, a.id)
    a.status = ActionStatus.DONE.value
    db.session.commit()
    assert _send_all() == ["cancelled"]
    assert mail.messages == []


def test_agenda_to_circulate_tells_the_chair_to_issue_it(world, mail):
    set_now(datetime(2026, 12, 16, 9, tzinfo=UTC))  # five days before the 21st, after 08:00
    reminders.make_due()
    _send_all()
    (row,) = _rows(ReminderKind.AGENDA_TO_CIRCULATE)
    assert (row.recipient_id, row.record_id, row.case_id) == (world["chair"].id, world["meeting"].id, None)
    (message,) = _messages_to(mail, world["chair"])
    assert "issue the agenda" in message.get_payload()


def _issue(meeting, by, number=1, at=None):
    version = AgendaVersion(
        meeting_id=meeting.id,
        number=number,
        issued_by_id=by.id,
        issued_at=at or datetime(2026, 12, 5, 15, tzinfo=UTC),
        full={"items": []},
        sanitised={"items": []},
    )
    db.session.add(version)
    db.session.commit()
    return version


def test_agenda_to_circulate_tells_the_members_once_issued(world, mail):
    _issue(world["meeting"], world["chair"])
    set_now(datetime(2026, 12, 16, 9, tzinfo=UTC))
    reminders.make_due()
    _send_all()
    rows = _rows(ReminderKind.AGENDA_TO_CIRCULATE)
    assert {r.recipient_id for r in rows} == {world["owner"].id, world["member"].id}
    bodies = [m.get_payload() for m in _messages_to(mail, world["member"])]
    assert any("is ready to read" in b for b in bodies)


def test_agenda_issued_tells_each_member_once_per_version(world, mail):
    first = _issue(world["meeting"], world["chair"], at=datetime(2026, 12, 7, 8, tzinfo=UTC))
    reminders.make_due()
    reminders.make_due()
    _send_all()
    rows = _rows(ReminderKind.AGENDA_ISSUED)
    assert sorted(r.recipient_id for r in rows) == sorted([world["owner"].id, world["member"].id])
    assert {r.record_id for r in rows} == {first.id}
    second = _issue(world["meeting"], world["chair"], number=2, at=datetime(2026, 12, 7, 8, 30, tzinfo=UTC))
    reminders.make_due()
    _send_all()
    rows = _rows(ReminderKind.AGENDA_ISSUED)
    assert len(rows) == 4 and {r.record_id for r in rows} == {first.id, second.id}
    bodies = [m.get_payload() for m in _messages_to(mail, world["member"])]
    assert len(bodies) == 2 and "version 2" in bodies[1]


def _on_agenda(meeting, case):
    item = AgendaItem(meeting_id=meeting.id, case_id=case.id, section="high_risk", reasons=[])
    db.session.add(item)
    db.session.commit()
    return item


def test_lead_update_requested_from_the_lead_of_each_child_on_the_agenda(world, mail):
    item = _on_agenda(world["meeting"], world["case"])
    set_now(datetime(2026, 12, 14, 9, tzinfo=UTC))  # seven days before the 21st
    reminders.make_due()
    _send_all()
    (row,) = _rows(ReminderKind.LEAD_UPDATE_REQUESTED)
    assert (row.recipient_id, row.record_id, row.case_id) == (world["lead"].id, item.id, world["case"].id)
    body = _messages_to(mail, world["lead"])[0].get_payload()
    assert "Your update is asked for" in body
    assert world["case"].child.last_name not in body


def test_lead_update_not_requested_when_submitted_or_removed(world, mail):
    item = _on_agenda(world["meeting"], world["case"])
    db.session.add(
        LeadUpdate(
            meeting_id=world["meeting"].id,
            case_id=world["case"].id,
            author_id=world["lead"].id,
            text="Settled.",
        )
    )
    db.session.commit()
    set_now(datetime(2026, 12, 14, 9, tzinfo=UTC))
    reminders.make_due()
    assert _rows(ReminderKind.LEAD_UPDATE_REQUESTED) == []
    db.session.execute(db.delete(LeadUpdate))
    item = db.session.get(AgendaItem, item.id)
    item.removed_at = datetime(2026, 12, 1, tzinfo=UTC)
    db.session.commit()
    reminders.make_due()
    assert _rows(ReminderKind.LEAD_UPDATE_REQUESTED) == []


def test_lead_update_submitted_after_the_scan_cancels_the_send(world, mail):
    _on_agenda(world["meeting"], world["case"])
    set_now(datetime(2026, 12, 14, 9, tzinfo=UTC))
    reminders.make_due()
    db.session.add(
        LeadUpdate(
            meeting_id=world["meeting"].id,
            case_id=world["case"].id,
            author_id=world["lead"].id,
            text="Settled.",
        )
    )
    db.session.commit()
    assert _send_all() == ["cancelled"]


def test_notifications_open_to_the_action_and_the_meeting(world, client, app):
    a = action(world["meeting"], world["case"], world["owner"], due_on=date(2026, 12, 8))
    set_now(datetime(2026, 12, 16, 9, tzinfo=UTC))
    reminders.make_due()
    (due,) = [r for r in _rows(ReminderKind.ACTION_OVERDUE) if r.recipient_id == world["owner"].id]
    (circulate,) = _rows(ReminderKind.AGENDA_TO_CIRCULATE)
    owner_email, chair_email = world["owner"].email, world["chair"].email
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        client.post("/login", data={"email": owner_email, "password": factories.PASSWORD})
        listing = client.get("/notifications/").get_data(as_text=True)
        assert "Meeting action overdue" in listing
        response = client.get(f"/notifications/{due.id}")
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/actions/{a.id}")
        client.post("/logout")
        client.post("/login", data={"email": chair_email, "password": factories.PASSWORD})
        assert "Agenda to circulate" in client.get("/notifications/").get_data(as_text=True)
        response = client.get(f"/notifications/{circulate.id}")
        assert response.headers["Location"].endswith(f"/meetings/{world['meeting'].id}")
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_meeting_reminders_in_the_notifications_api_and_the_reminder_log(world, client, app):
    from mettrack.accounts import tokens

    set_now(datetime(2026, 12, 16, 9, tzinfo=UTC))
    reminders.make_due()
    (circulate,) = _rows(ReminderKind.AGENDA_TO_CIRCULATE)
    _token, secret = tokens.create_token(world["chair"], name="test")
    response = client.get("/api/v1/notifications", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    (item,) = [i for i in response.get_json()["items"] if i["id"] == circulate.id]
    assert item["case_id"] is None and "issue the agenda" in item["text"]
    opened = client.post(
        f"/api/v1/notifications/{circulate.id}/read", headers={"Authorization": f"Bearer {secret}"}
    )
    assert opened.status_code == 200 and opened.get_json()["case_id"] is None
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        client.post("/login", data={"email": world["chair"].email, "password": factories.PASSWORD})
        page = client.get("/reminders/")
        assert page.status_code == 200 and "Agenda to circulate" in page.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
