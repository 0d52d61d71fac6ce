"""Housekeeping tasks. Tasks take ids, never objects or personal data."""

from datetime import timedelta

from celery import shared_task
from flask import current_app
from sqlalchemy import create_engine, inspect, text

from mettrack.core.audit import write_checkpoint
from mettrack.core.sessions import purge_expired
from mettrack.core.unit_of_work import unit_of_work
from workers.broker import broker_kind, broker_transport_options, sqla_broker_database_url

# kombu's SQLAlchemy transport keeps its messages here (its default table name; we do not
# set message_tablename).
KOMBU_MESSAGE_TABLE = "kombu_message"


@shared_task(name="mettrack.purge_expired_sessions")
def purge_expired_sessions() -> int:
    from mettrack import accounts

    # Failed sign-ins that no longer count or lock go too (accounts/lockout.py).
    accounts.purge_stale_sign_in_failures()
    with unit_of_work():
        return purge_expired(
            timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]),
            timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"]),
        )


@shared_task(name="mettrack.purge_delivered_broker_messages")
def purge_delivered_broker_messages() -> int:
    """Delete the messages the embedded broker has delivered. Returns how many.

    kombu's SQLAlchemy transport marks a delivered message invisible and never deletes it,
    so without this its table grows for ever. kombu never reads an invisible row again (a
    message given back after a failure is written anew), so deleting them is safe at any
    time. With Redis there is nothing to do.
    """
    url = current_app.config["CELERY_BROKER_URL"]
    if broker_kind(url) != "sqla":
        return 0
    engine = create_engine(sqla_broker_database_url(url), **broker_transport_options(current_app.config))
    try:
        with engine.begin() as conn:
            if not inspect(conn).has_table(KOMBU_MESSAGE_TABLE):
                return 0
            result = conn.execute(
                text(f"DELETE FROM {KOMBU_MESSAGE_TABLE} WHERE visible = :delivered"),  # noqa: S608
                {"delivered": False},
            )
            return result.rowcount or 0
    finally:
        engine.dispose()


@shared_task(name="mettrack.write_audit_checkpoint")
def write_audit_checkpoint() -> int:
    """Write a signed checkpoint of the audit chain outside the database (docs/security.md,
    "A tamper-evident audit tail"). Returns the row count it names. A failure to write
    (a full disk, syslog unreachable) raises, so the worker logs it."""
    checkpoint, _targets = write_checkpoint()
    return checkpoint.rows
