"""Reminders through a real Celery worker: the scan is enqueued on the real Redis, a worker
in this process (celery.contrib.testing) runs it and the sends it hands over, against the
test PostgreSQL database, and the e-mails arrive at a real SMTP server.

The worker runs in this process, so it shares the controllable clock (mettrack.core.clock):
the tests freeze it at the moments a reminder falls due. Celery's own timing (a retry's
countdown) uses the real clock, so the retry tests run on the real clock.
"""

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import setup_logging, task_postrun
from sqlalchemy import func, select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.clock import set_now, today
from mettrack.core.extensions import db
from mettrack.missing.models import MissingEpisode
from tests import factories
from tests.smtp import smtp_server
from tests.workers.support import reminder_rows, separate_app

SCAN = "mettrack.scan_reminders"
SEND = "mettrack.send_reminder"
WAIT = 30

# A Monday in winter (London = UTC), so 08:00 London is 08:00 UTC.
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
EIGHT = MONDAY.replace(hour=8)


class Finished:
    """The tasks the worker finished (task_postrun), in order: (name, id, state, retval)."""

    def __init__(self):
        self.tasks: list[tuple[str, str, str, object]] = []
        self._changed = threading.Condition()

    def __call__(self, sender=None, task_id=None, task=None, retval=None, state=None, **_kwargs):
        with self._changed:
            self.tasks.append((task.name, task_id, state, retval))
            self._changed.notify_all()

    def sends(self) -> list[str]:
        """What each finished send came to ("sent", "failed" ...); a retry is not finished."""
        return [retval for name, _, state, retval in self.tasks if name == SEND and state != "RETRY"]

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        with self._changed:
            if not self._changed.wait_for(condition, timeout=WAIT):
                raise AssertionError(f"no {what} within {WAIT}s; finished: {self.tasks}")

    def result_of(self, task_id: str):
        found = []

        def done() -> bool:
            found[:] = [(state, retval) for _, tid, state, retval in self.tasks if tid == task_id]
            return bool(found)

        self.wait_until(done, f"task {task_id} finished")
        state, retval = found[0]
        assert state == "SUCCESS", retval
        return retval


class InProcessWorker:
    def __init__(self, flask_app, celery, finished: Finished, sink):
        self.flask_app = flask_app
        self.celery = celery
        self.finished = finished
        self.sink = sink

    def scan(self, at: datetime | None = None) -> list[str]:
        """Freeze the clock at `at`, enqueue a scan through the broker and wait until the
        worker has run it and every send it handed over (retries included). Returns what
        those sends came to."""
        if at is not None:
            set_now(at)
        before = len(self.finished.sends())
        result = self.celery.tasks[SCAN].delay()
        enqueued = self.finished.result_of(result.id)["enqueued"]
        self.finished.wait_until(lambda: len(self.finished.sends()) >= before + enqueued, "sends finished")
        return self.finished.sends()[before:]

    def rows(self) -> list[dict]:
        return reminder_rows(self.flask_app)


def _leave_logging_alone(**_kwargs) -> None:
    """A setup_logging receiver: the embedded worker then leaves the test process's
    logging as pytest set it up."""


@contextmanager
def _environment_kept() -> Iterator[None]:
    # The embedded worker writes its log settings into os.environ (for its pool
    # processes); the worker subprocesses of later tests must not inherit them.
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def mail():
    with smtp_server() as (sink, port):
        yield sink, port


@pytest.fixture
def worker(app, postgres, redis_url, mail) -> Iterator[InProcessWorker]:
    sink, port = mail
    with separate_app(
        SQLALCHEMY_DATABASE_URI=postgres,
        CELERY_BROKER_URL=redis_url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_TIMEOUT=5,
        REMINDER_RETRY_BASE_SECONDS=1,
        REMINDER_RETRY_MAX_SECONDS=2,
        REMINDER_MAX_ATTEMPTS=3,
    ) as worker_app:
        celery = worker_app.extensions["celery"]
        celery.loader.import_default_modules()
        finished = Finished()
        task_postrun.connect(finished, weak=False)
        setup_logging.connect(_leave_logging_alone, weak=False)
        try:
            with _environment_kept(), start_worker(celery, pool="solo", perform_ping_check=False):
                yield InProcessWorker(worker_app, celery, finished, sink)
        finally:
            setup_logging.disconnect(_leave_logging_alone)
            task_postrun.disconnect(finished)
            set_now(None)


def _people(flask_app):
    with flask_app.app_context():
        chair = factories.user(roles=[Role.MET_CHAIR])
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        return {"chair": (chair.id, chair.email), "lead": (lead.id, lead.email)}


def _deactivate(flask_app, user_id: int) -> None:
    """After the case is made: a deactivated user can lead no new case."""
    from mettrack.accounts.models import User

    with flask_app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()


def _case(flask_app, lead_email: str, next_review_on=None) -> int:
    from mettrack.accounts.models import User

    with flask_app.app_context():
        lead = db.session.scalar(select(User).where(User.email == lead_email))
        case = factories.case(lead=lead, state="met_review", exploitation_types=["cse"])
        case.next_review_on = next_review_on
        db.session.commit()
        return case.id


def _to(messages) -> list[str]:
    return sorted(m["To"] for m in messages)


def test_review_reminders_go_out_when_due_and_overdue_each_once(worker):
    people = _people(worker.flask_app)
    lead_id, lead_email = people["lead"]
    chair_id, chair_email = people["chair"]
    review_on = MONDAY.date() + timedelta(days=7)  # Monday 14 December
    _case(worker.flask_app, lead_email, review_on)

    assert worker.scan(EIGHT - timedelta(minutes=1)) == []
    assert worker.sink.messages == []

    # 08:00 seven days before: the lead only, the chair is not told of a review coming up.
    assert worker.scan(EIGHT) == ["sent"]
    (due,) = worker.sink.wait_for(1)
    assert (due["To"], due["Subject"]) == (lead_email, "METtrack: a MET review is coming up")
    assert worker.scan(EIGHT + timedelta(minutes=15)) == []
    assert worker.scan(datetime(2026, 12, 14, 17, 0, tzinfo=UTC)) == []  # due today: not overdue yet
    assert worker.scan(datetime(2026, 12, 15, 7, 59, tzinfo=UTC)) == []

    # 08:00 the morning after the review date: the lead and the chair.
    assert worker.scan(datetime(2026, 12, 15, 8, 0, tzinfo=UTC)) == ["sent", "sent"]
    overdue = worker.sink.wait_for(3)[1:]
    assert _to(overdue) == sorted([lead_email, chair_email])
    assert {m["Subject"] for m in overdue} == {"METtrack: a MET review is overdue"}
    assert worker.scan(datetime(2026, 12, 15, 9, 0, tzinfo=UTC)) == []

    rows = worker.rows()
    assert [(r["kind"], r["recipient_id"], r["state"], r["attempts"]) for r in rows] == [
        ("review_due", lead_id, "sent", 1),
        ("review_overdue", lead_id, "sent", 1),
        ("review_overdue", chair_id, "sent", 1),
    ]
    assert worker.sink.message_ids() == [r["message_id"] for r in rows]
    assert len(worker.sink.messages) == 3


def test_return_home_interview_reminders_at_24_and_72_hours_each_once(worker):
    people = _people(worker.flask_app)
    lead_id, lead_email = people["lead"]
    chair_id, chair_email = people["chair"]
    case_id = _case(worker.flask_app, lead_email)
    returned = MONDAY
    with worker.flask_app.app_context():
        db.session.add(
            MissingEpisode(
                case_id=case_id,
                went_missing_at=returned - timedelta(days=1),
                returned_at=returned,
                recorded_by_id=lead_id,
            )
        )
        db.session.commit()

    assert worker.scan(returned + timedelta(hours=23, minutes=59)) == []
    assert worker.scan(returned + timedelta(hours=24)) == ["sent"]
    (offer,) = worker.sink.wait_for(1)
    assert (offer["To"], offer["Subject"]) == (lead_email, "METtrack: a Return Home Interview to offer")
    assert worker.scan(returned + timedelta(hours=25)) == []
    assert worker.scan(returned + timedelta(hours=71, minutes=59)) == []

    assert worker.scan(returned + timedelta(hours=72)) == ["sent", "sent"]
    overdue = worker.sink.wait_for(3)[1:]
    assert _to(overdue) == sorted([lead_email, chair_email])
    assert {m["Subject"] for m in overdue} == {"METtrack: a Return Home Interview is overdue"}
    assert worker.scan(returned + timedelta(hours=80)) == []

    assert [(r["kind"], r["recipient_id"], r["state"]) for r in worker.rows()] == [
        ("rhi_to_offer", lead_id, "sent"),
        ("rhi_overdue", lead_id, "sent"),
        ("rhi_overdue", chair_id, "sent"),
    ]
    assert len(worker.sink.messages) == 3


def test_a_deactivated_leads_reminder_goes_to_the_chair_instead(worker):
    people = _people(worker.flask_app)
    chair_id, chair_email = people["chair"]
    _case(worker.flask_app, people["lead"][1], MONDAY.date() + timedelta(days=3))
    _deactivate(worker.flask_app, people["lead"][0])

    assert worker.scan(MONDAY) == ["sent"]
    assert worker.scan(MONDAY + timedelta(minutes=15)) == []

    assert _to(worker.sink.wait_for(1)) == [chair_email]
    assert [(r["kind"], r["recipient_id"], r["state"]) for r in worker.rows()] == [
        ("review_due", chair_id, "sent")
    ]


# The retry tests run on the real clock: the row's retry time (mettrack.core.clock) and the
# retry message's countdown (Celery) then count the same seconds, as in production.


def test_a_refused_send_is_retried_by_the_worker_and_then_goes_out(worker):
    people = _people(worker.flask_app)
    _case(worker.flask_app, people["lead"][1], today() + timedelta(days=3))
    worker.sink.refuse_next = 1

    assert worker.scan() == ["sent"]

    (row,) = worker.rows()
    assert (row["state"], row["attempts"], row["last_error"]) == ("sent", 2, None)
    assert worker.sink.message_ids() == [row["message_id"]]  # the retry kept the Message-ID
    first, second = worker.sink.data_at
    assert second - first >= 0.9  # REMINDER_RETRY_BASE_SECONDS


def test_a_send_refused_every_time_is_retried_with_backoff_then_recorded_as_failed(worker):
    people = _people(worker.flask_app)
    _case(worker.flask_app, people["lead"][1], today() + timedelta(days=3))
    worker.sink.refuse_next = 99

    assert worker.scan() == ["failed"]

    (row,) = worker.rows()
    assert (row["state"], row["attempts"]) == ("failed", 3)  # REMINDER_MAX_ATTEMPTS
    assert "451" in row["last_error"] and "Try again later" in row["last_error"]
    assert worker.sink.messages == []
    first, second, third = worker.sink.data_at
    # Waits of 1 s then 2 s (doubling from REMINDER_RETRY_BASE_SECONDS, capped at MAX).
    assert second - first >= 0.9 and third - second >= 1.9
    with worker.flask_app.app_context():
        failed = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "reminder.failed")
        assert db.session.scalar(failed) == 1
        db.session.remove()

    # A failed reminder is the chair's to see, not the scan's to send again.
    assert worker.scan() == []
    time.sleep(0.5)
    assert len(worker.sink.data_at) == 3
