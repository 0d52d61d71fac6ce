"""Retention (docs/retention.md): the weekly list of records due for review. The task
takes no arguments and sends no e-mail: what is due is read by an administrator on the
review page, which names records by number only."""

from celery import shared_task

from mettrack.retention import scan


@shared_task(name="mettrack.list_retention_reviews")
def list_retention_reviews() -> int:
    return scan()
