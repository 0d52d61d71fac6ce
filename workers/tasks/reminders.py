"""Reminder tasks (docs/reminders.md). They take ids only: no name, address or case
detail ever crosses the broker."""

import logging

from celery import shared_task

from mettrack.reminders import deliver as reminders_deliver
from mettrack.reminders import make_due, to_enqueue

log = logging.getLogger(__name__)


@shared_task(name="mettrack.scan_reminders")
def scan_reminders() -> dict:
    """Make the reminders that have fallen due, then hand every row that is ready (or
    whose message looks lost) to the broker, one send task per row or digest."""
    made = make_due()
    ids = to_enqueue()
    for reminder_id in ids:
        send_reminder.delay(reminder_id)
    if made or ids:
        log.info("reminder scan: %s new, %s handed to the broker", made, len(ids))
    return {"made": made, "enqueued": len(ids)}


@shared_task(bind=True, name="mettrack.send_reminder", max_retries=None)
def send_reminder(self, reminder_id: int) -> str:
    """Send one reminder (or one digest). A failed SMTP send is retried with backoff by
    this task (the row records each try); the scan steps in if a retry message is lost."""
    outcome = reminders_deliver(int(reminder_id))
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status
