"""Retention (docs/retention.md): the weekly list of records due for review. The task
takes no arguments; when records are due it tells the administrators (in the app and by
e-mail, through the reminders: a count and a link, naming no child). What is due is read
on the review page, which names records by number only."""

from celery import shared_task

from mettrack.retention import scan


@shared_task(name="mettrack.list_retention_reviews")
def list_retention_reviews() -> int:
    return scan()
