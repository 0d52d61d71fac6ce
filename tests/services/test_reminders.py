"""Making and sending reminders (reminders/delivery.py) in-process, with a real SMTP server."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.missing.models import MissingEpisode
from mettrack.reminders import delivery as reminders
from mettrack.reminders.models import Reminder
from mettrack.reminders.rules import ReminderKind
from tests import factories

# A Monday in winter (London = UTC), so 08:00 London is 08:00 UTC.
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _case_with_review(review_on: date, **kwargs):
    lead = kwargs.pop("lead", None) or factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = factories.case(lead=lead, state="met_review", exploitation_types=["cse"])
    case.next_review_on = review_on
    db.session.commit()
    return case, lead


def _rows():
    db.session.expire_all()
    return list(db.session.scalars(select(Reminder).order_by(Reminder.id)))


def _send_all():
    return [reminders.deliver(i).status for i in reminders.to_enqueue()]


def test_a_review_due_in_seven_days_reminds_the_lead_once(app_ctx, mail):
    set_now(MONDAY)
    case, lead = _case_with_review(MONDAY.date() + timedelta(days=7))

    assert reminders.make_due() == 1
    assert _send_all() == ["sent"]
    assert reminders.make_due() == 0
    assert _send_all() == []

    (row,) = _rows()
    assert (row.kind, row.recipient_id, row.state, row.attempts) == ("review_due", lead.id, "sent", 1)
    (message,) = mail.messages
    assert message["To"] == lead.email
    assert message["Message-ID"] == f"<reminder.{row.id}.1@mettrack.localhost>"
    body = message.get_payload()
    assert "Monday 14 December 2026" in body
    assert f"/notifications/{row.id}" in body
    assert case.child.first_name not in body and case.child.last_name not in body


def test_an_overdue_review_tells_the_lead_and_the_chair(app_ctx, mail):
    chair = factories.user(roles=[Role.MET_CHAIR])
    set_now(MONDAY)
    _case, lead = _case_with_review(MONDAY.date() - timedelta(days=1))

    assert reminders.make_due() == 2
    assert sorted(_send_all()) == ["sent", "sent"]
    assert {r.recipient_id for r in _rows()} == {lead.id, chair.id}
    assert {r.kind for r in _rows()} == {"review_overdue"}
    assert sorted(m["To"] for m in mail.messages) == sorted([lead.email, chair.email])


def test_a_deactivated_lead_is_replaced_by_the_chair(app_ctx, mail):
    chair = factories.user(roles=[Role.MET_CHAIR])
    gone = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    set_now(MONDAY)
    _case_with_review(MONDAY.date() + timedelta(days=3), lead=gone)
    gone.active = False  # left after leading the case (a deactivated user is never made lead)
    db.session.commit()

    reminders.make_due()
    _send_all()
    assert [(r.recipient_id, r.kind) for r in _rows()] == [(chair.id, "review_due")]


def test_return_home_interview_reminders_at_24_and_72_hours(app_ctx, mail):
    chair = factories.user(roles=[Role.MET_CHAIR])
    lead = factories.user()
    case = factories.case(lead=lead, state="met_review", exploitation_types=["cce"])
    returned = MONDAY
    episode = MissingEpisode(
        case_id=case.id,
        went_missing_at=returned - timedelta(days=1),
        returned_at=returned,
        recorded_by_id=lead.id,
    )
    db.session.add(episode)
    db.session.commit()

    set_now(returned + timedelta(hours=23, minutes=59))
    assert reminders.make_due() == 0
    set_now(returned + timedelta(hours=24))
    assert reminders.make_due() == 1
    assert _send_all() == ["sent"]
    set_now(returned + timedelta(hours=71))
    assert reminders.make_due() == 0
    set_now(returned + timedelta(hours=72))
    assert reminders.make_due() == 2
    assert _send_all() == ["sent", "sent"]

    kinds = [(r.kind, r.recipient_id) for r in _rows()]
    assert kinds == [("rhi_to_offer", lead.id), ("rhi_overdue", lead.id), ("rhi_overdue", chair.id)]
    assert len(mail.messages) == 3


def test_a_failed_send_is_retried_then_recorded_as_failed(app, app_ctx, mail):
    set_now(MONDAY)
    _case_with_review(MONDAY.date() + timedelta(days=7))
    reminders.make_due()
    mail.refuse_next = 99
    app.config["REMINDER_MAX_ATTEMPTS"] = 2
    try:
        (first,) = reminders.to_enqueue()
        outcome = reminders.deliver(first)
        assert outcome.status == "retry" and outcome.retry_in == 60
        (row,) = _rows()
        assert row.state == "pending" and "451" in row.last_error
        assert reminders.deliver(first).status == "skipped"  # not before its retry time
        set_now(MONDAY + timedelta(seconds=60))
        assert reminders.deliver(first).status == "failed"
    finally:
        app.config["REMINDER_MAX_ATTEMPTS"] = 5
    (row,) = _rows()
    assert (row.state, row.attempts) == ("failed", 2)
    assert mail.messages == []
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reminder.failed")) is not None


def test_an_interview_recorded_before_the_send_cancels_the_reminder(app_ctx, mail):
    lead = factories.user()
    case = factories.case(lead=lead, state="met_review", exploitation_types=["cse"])
    episode = MissingEpisode(
        case_id=case.id,
        went_missing_at=MONDAY - timedelta(days=1),
        returned_at=MONDAY,
        recorded_by_id=lead.id,
    )
    db.session.add(episode)
    db.session.commit()
    set_now(MONDAY + timedelta(hours=30))
    reminders.make_due()
    episode.rhi_status = "offered"
    episode.rhi_offered_at = MONDAY + timedelta(hours=29)
    db.session.commit()

    assert _send_all() == ["cancelled"]
    assert mail.messages == []
    assert [r.state for r in _rows()] == ["cancelled"]


def test_kind_labels_exist():
    assert ReminderKind("review_due").label == "MET review due"


def test_in_app_only_sends_no_e_mail(app_ctx, mail):
    lead = factories.user()
    lead.notification_choice = "app_only"
    db.session.commit()
    set_now(MONDAY)
    _case_with_review(MONDAY.date() + timedelta(days=7), lead=lead)

    assert reminders.make_due() == 1
    assert _send_all() == []
    (row,) = _rows()
    assert (row.channel, row.state, row.read_at) == ("app", "sent", None)
    assert mail.messages == []


def test_a_daily_digest_gathers_the_days_reminders_into_one_e_mail(app_ctx, mail):
    lead = factories.user()
    lead.notification_choice = "daily_digest"
    db.session.commit()
    set_now(MONDAY)  # 09:00: the digest goes at 07:00 tomorrow
    _case_with_review(MONDAY.date() + timedelta(days=7), lead=lead)
    _case_with_review(MONDAY.date() + timedelta(days=5), lead=lead)

    assert reminders.make_due() == 2
    assert _send_all() == []  # not before the digest hour
    set_now(datetime(2026, 12, 8, 7, 0, tzinfo=UTC))
    assert _send_all() == ["sent"]  # one task for the whole digest
    rows = _rows()
    assert [r.state for r in rows] == ["sent", "sent"]
    (message,) = mail.messages
    assert message["Subject"] == "METtrack: 2 reminders for you"
    assert message["Message-ID"] == f"<digest.{lead.id}.2026120807.{rows[0].id}.1@mettrack.localhost>"
    body = message.get_payload()
    assert all(f"/notifications/{r.id}" in body for r in rows)


def test_a_row_whose_worker_died_mid_send_is_handed_over_again_after_the_requeue_age(app, app_ctx, mail):
    set_now(MONDAY)
    _case_with_review(MONDAY.date() + timedelta(days=7))
    reminders.make_due()
    (reminder_id,) = reminders.to_enqueue()
    row = db.session.get(Reminder, reminder_id)
    row.state, row.claimed_at, row.attempts = "sending", MONDAY, 1  # as a killed worker leaves it
    db.session.commit()

    assert reminders.to_enqueue() == []
    assert reminders.deliver(reminder_id).status == "skipped"  # another worker may still be sending
    set_now(MONDAY + timedelta(seconds=app.config["REMINDER_REQUEUE_AFTER_SECONDS"]))
    assert reminders.to_enqueue() == [reminder_id]
    assert reminders.deliver(reminder_id).status == "sent"
    (message,) = mail.messages
    assert message["Message-ID"] == f"<reminder.{reminder_id}.1@mettrack.localhost>"


def test_nothing_older_than_the_lookback_is_sent(app_ctx, mail):
    set_now(MONDAY)
    _case_with_review(MONDAY.date() - timedelta(days=30))
    assert reminders.make_due() == 0


def test_a_closed_case_gets_no_reminder(app_ctx, mail):
    set_now(MONDAY)
    case, _lead = _case_with_review(MONDAY.date() + timedelta(days=2))
    case.state = "closed"
    db.session.commit()
    assert reminders.make_due() == 0


def _at_once(app, work, count: int = 2) -> list:
    """Run `work()` in `count` threads, each with its own app context and connection,
    released together."""
    import threading

    barrier = threading.Barrier(count)
    results: list = []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                results.append(work())
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_scans_at_once_make_each_reminder_once(app, postgres, mail):
    set_now(MONDAY)
    with app.app_context():
        factories.user(roles=[Role.MET_CHAIR])
        for _ in range(3):
            _case_with_review(MONDAY.date() - timedelta(days=1))  # overdue: lead and chair each

    made = _at_once(app, reminders.make_due)

    assert sum(made) == 6
    with app.app_context():
        assert len(_rows()) == 6


def test_two_workers_given_the_same_reminder_at_once_send_it_once(app, postgres, mail):
    set_now(MONDAY)
    with app.app_context():
        _case_with_review(MONDAY.date() + timedelta(days=7))
        reminders.make_due()
        (reminder_id,) = reminders.to_enqueue()

    outcomes = _at_once(app, lambda: reminders.deliver(reminder_id).status)

    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(mail.messages) == 1


def test_a_lead_deactivated_before_the_send_is_not_e_mailed(app_ctx, mail):
    chair = factories.user(roles=[Role.MET_CHAIR])
    set_now(MONDAY)
    _case, lead = _case_with_review(MONDAY.date() + timedelta(days=7))
    reminders.make_due()
    lead.active = False
    db.session.commit()

    assert _send_all() == ["cancelled"]
    assert reminders.make_due() == 1  # the chair's own, at the next scan
    assert _send_all() == ["sent"]
    assert [m["To"] for m in mail.messages] == [chair.email]


def test_a_worker_behind_the_scans_clock_still_sends_what_just_fell_due(app_ctx, mail):
    lead = factories.user()
    case = factories.case(lead=lead, state="met_review", exploitation_types=["cse"])
    db.session.add(
        MissingEpisode(
            case_id=case.id,
            went_missing_at=MONDAY - timedelta(days=1),
            returned_at=MONDAY,
            recorded_by_id=lead.id,
        )
    )
    db.session.commit()
    set_now(MONDAY + timedelta(hours=72, seconds=1))
    reminders.make_due()
    # The lead's (the MET chair, whom the factory needs, is told of an overdue interview too).
    [reminder_id] = [i for i in reminders.to_enqueue() if db.session.get(Reminder, i).recipient_id == lead.id]

    # The worker's clock is 3 seconds behind the scan's: by it, the interview is not yet overdue.
    assert (
        reminders.deliver(reminder_id, at=MONDAY + timedelta(hours=71, minutes=59, seconds=58)).status
        == "sent"
    )


def test_a_reminder_whose_every_try_ended_without_a_result_is_failed(app, app_ctx, mail):
    set_now(MONDAY)
    _case_with_review(MONDAY.date() + timedelta(days=7))
    reminders.make_due()
    (reminder_id,) = reminders.to_enqueue()
    row = db.session.get(Reminder, reminder_id)
    row.state, row.claimed_at, row.attempts = "sending", MONDAY, app.config["REMINDER_MAX_ATTEMPTS"]
    db.session.commit()

    set_now(MONDAY + timedelta(seconds=app.config["REMINDER_REQUEUE_AFTER_SECONDS"]))
    assert reminders.deliver(reminder_id).status == "failed"
    (row,) = _rows()
    assert row.state == "failed" and "worker stopped" in row.last_error
    assert mail.messages == []


def test_a_goodbye_refused_after_the_message_was_accepted_is_still_a_send(app_ctx, mail, monkeypatch):
    import smtplib

    def refuse_quit(self):
        raise smtplib.SMTPResponseException(421, b"closing")

    monkeypatch.setattr(smtplib.SMTP, "quit", refuse_quit)
    set_now(MONDAY)
    _case_with_review(MONDAY.date() + timedelta(days=7))
    reminders.make_due()
    assert _send_all() == ["sent"]
    assert len(mail.messages) == 1
