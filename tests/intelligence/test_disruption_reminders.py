"""Disruption expiry reminders: the pure decision (reminders/rules.py) and the scan and
send (reminders/delivery.py) with the test SMTP server: one row however often the scan
runs, to the owner (else whoever recorded it), naming no child and no person."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from mettrack.core.choices import DisruptionStatus, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.intelligence.disruption_catalogue import seed_defaults
from mettrack.intelligence.models import DisruptionAction
from mettrack.reminders import delivery as reminders
from mettrack.reminders import notifications, rules
from mettrack.reminders.models import Reminder
from mettrack.reminders.rules import ReminderKind, ReminderRules
from tests import factories
from tests.intelligence import factories as intel

# A Monday in winter (London = UTC): 08:00 London is 08:00 UTC.
NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
EXPIRES = date(2027, 3, 1)  # 28 days later


def test_the_expiry_reminder_falls_due_28_days_before_until_the_expiry_day_ends():
    r = ReminderRules()
    assert rules.disruption_expiry_reminder(EXPIRES, datetime(2027, 2, 1, 7, tzinfo=UTC), r) is None
    due = datetime(2027, 2, 1, 8, tzinfo=UTC)
    assert rules.disruption_expiry_reminder(EXPIRES, due, r) == due
    assert rules.disruption_expiry_reminder(EXPIRES, datetime(2027, 3, 1, 23, tzinfo=UTC), r) == due
    assert rules.disruption_expiry_reminder(EXPIRES, datetime(2027, 3, 2, 0, 1, tzinfo=UTC), r) is None
    assert rules.disruption_expiry_reminder(EXPIRES, due, ReminderRules(disruption_expiry_days=7)) is None
    assert ReminderKind.DISRUPTION_EXPIRING.record_type == "disruption"
    assert ReminderKind.DISRUPTION_EXPIRING.label == "Disruption order or notice expiring"


def test_the_setting_is_checked():
    with pytest.raises(RuntimeError, match="REMINDER_DISRUPTION_EXPIRY_DAYS"):
        reminders.check_settings({"REMINDER_DISRUPTION_EXPIRY_DAYS": -1})


@pytest.fixture
def world(app_ctx):
    set_now(NOW - timedelta(days=60))
    seed_defaults()
    db.session.commit()
    officer = intel.police_user(Role.PARTNER, email="officer@example.org")
    owner = factories.user(roles=[Role.PARTNER], email="owner@example.org")
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = factories.case(lead=lead)
    person = intel.person(officer, name="Dale Sample")
    place = intel.location(officer, name="Harbour View Hotel")
    set_now(NOW)
    return {"officer": officer, "owner": owner, "case": case, "person": person, "place": place}


def _action(world, *, kind="sro", status=DisruptionStatus.IN_FORCE, owner=True, expires_on=EXPIRES):
    action = intel.disruption(
        world["officer"],
        kind=kind,
        person=world["person"],
        location=world["place"],
        protects=[world["case"]],
        status=status,
        expires_on=expires_on,
    )
    action.owner_user_id = world["owner"].id if owner else None
    db.session.commit()
    return action


def _rows():
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Reminder)
            .where(Reminder.kind == ReminderKind.DISRUPTION_EXPIRING.value)
            .order_by(Reminder.id)
        )
    )


def _send_all():
    return [reminders.deliver(i).status for i in reminders.to_enqueue()]


def test_the_owner_is_reminded_once_naming_no_child_and_no_person(world, mail):
    action = _action(world)
    reminders.make_due()
    reminders.make_due()  # a second scan adds nothing
    (row,) = _rows()
    assert (row.recipient_id, row.record_id, row.case_id) == (world["owner"].id, action.id, None)
    assert _send_all() == ["sent"]
    (message,) = mail.messages
    assert message["To"] == "owner@example.org"
    body = message.get_payload()
    assert "A Sexual Risk Order you own expires on 1 March 2027." in body
    assert f"/notifications/{row.id}" in body
    child = world["case"].child
    for name in (child.first_name, child.last_name, "Dale", "Sample", "Harbour View"):
        assert name not in body and name not in message["Subject"]
    (shown,) = notifications.list_for(world["owner"]).items
    assert shown.text == "A Sexual Risk Order you own expires on 1 March 2027." and shown.case_id is None
    destination = notifications.open_notification(world["owner"], row.id)
    assert destination.path == f"/intelligence/disruptions/{action.id}"


def test_with_no_owner_whoever_recorded_it_is_reminded(world, mail):
    _action(world, owner=False)
    reminders.make_due()
    (row,) = _rows()
    assert row.recipient_id == world["officer"].id


def test_no_reminder_for_an_action_not_in_force_or_without_an_expiry(world, mail):
    _action(world, status=DisruptionStatus.PLANNED)
    _action(world, kind="arrest")  # a kind with no expiry
    _action(world, expires_on=date(2027, 6, 1))  # not yet
    reminders.make_due()
    assert _rows() == []


def test_an_action_withdrawn_before_the_send_is_cancelled(world, mail):
    action = _action(world)
    reminders.make_due()
    found = db.session.get(DisruptionAction, action.id)
    found.status = DisruptionStatus.WITHDRAWN.value
    db.session.commit()
    assert _send_all() == ["cancelled"]
    assert mail.messages == []
