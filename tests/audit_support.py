"""Tampering with the audit table as a database superuser would, for the tests that
check it is seen: on PostgreSQL the append-only trigger (migration 0012) is skipped for
the current transaction only (replica mode, which only a superuser may set)."""

from sqlalchemy import text

from mettrack.core.extensions import db


def bypass_append_only_trigger(session=None) -> None:
    session = session or db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
