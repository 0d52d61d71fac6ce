"""Housekeeping tasks. Tasks take ids, never objects or personal data."""

from datetime import timedelta

from celery import shared_task
from flask import current_app

from mettrack.extensions import db
from mettrack.sessions import purge_expired


@shared_task(name="mettrack.purge_expired_sessions")
def purge_expired_sessions() -> int:
    removed = purge_expired(
        timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]),
        timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"]),
    )
    db.session.commit()
    return removed
