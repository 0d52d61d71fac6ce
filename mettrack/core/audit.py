"""Writing and verifying the audit chain.

Every row carries the SHA-256 of its own content and of the row before it, so an edit,
a deletion or an insertion in the middle breaks the chain and `flask audit verify` names
the first row that no longer fits. Rows are appended under a PostgreSQL transaction
advisory lock so that concurrent web nodes and workers never read the same tail.
"""

import hashlib
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session as SASession

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import AuditOutcome
from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.unit_of_work import PENDING_AUDIT, RELEASING

GENESIS_HASH = "0" * 64
# An arbitrary constant naming "the audit chain" among PostgreSQL advisory locks.
AUDIT_LOCK_KEY = 7_245_001


def _canonical(values: dict) -> str:
    fields = {
        "seq": values["seq"],
        "occurred_at": values["occurred_at"].isoformat(timespec="microseconds"),
        "actor_user_id": values["actor_user_id"],
        "actor_label": values["actor_label"],
        "action": values["action"],
        "record_type": values["record_type"],
        "record_id": values["record_id"],
        "outcome": values["outcome"],
        "ip_address": values["ip_address"],
        "detail": values["detail"],
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


def row_hash(prev_hash: str, values: dict) -> str:
    return hashlib.sha256((prev_hash + _canonical(values)).encode()).hexdigest()


# Who acts outside a web request: a command run on someone's behalf (`flask cases move
# --as E`). Rows written meanwhile without an actor of their own name that user, as a
# signed-in user's rows do, so a denial by a service called from the command line is
# not filed as anonymous.
_acting_as: ContextVar = ContextVar("mettrack_audit_acting_as", default=None)


@contextmanager
def acting_as(user):
    """Name `user` as the actor of the audit rows written in this block (outside a request)."""
    token = _acting_as.set(user)
    try:
        yield
    finally:
        _acting_as.reset(token)


def _actor(actor) -> tuple[int | None, str]:
    if actor is None and has_request_context():
        actor = current_user if current_user and current_user.is_authenticated else None
    if actor is None:
        actor = _acting_as.get()
    if actor is None:
        return None, "anonymous"
    if isinstance(actor, str):
        return None, actor
    return actor.id, f"user:{actor.id}"


def _append(executor, values: dict) -> int:
    """Append one row through `executor` (an ORM session or a Core connection)."""
    if db.engine.dialect.name == "postgresql":
        executor.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    tail = executor.execute(
        select(AuditEvent.seq, AuditEvent.row_hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (tail.seq + 1, tail.row_hash) if tail else (1, GENESIS_HASH)
    values = {**values, "seq": seq, "prev_hash": prev}
    values["row_hash"] = row_hash(prev, values)
    executor.execute(insert(AuditEvent).values(**values))
    return seq


def _values(action, record_type, record_id, outcome, detail, actor) -> dict:
    actor_id, label = _actor(actor)
    ip = request.remote_addr if has_request_context() else None
    return {
        "occurred_at": now(),
        "actor_user_id": actor_id,
        "actor_label": label,
        "action": action,
        "record_type": record_type,
        "record_id": None if record_id is None else str(record_id),
        "outcome": str(outcome),
        "ip_address": ip,
        "detail": json.dumps(detail or {}, sort_keys=True, default=str),
    }


def record(
    action: str,
    record_type: str | None = None,
    record_id=None,
    *,
    outcome: AuditOutcome = AuditOutcome.OK,
    detail: dict | None = None,
    actor=None,
) -> None:
    """Add an audit row to the current transaction: it commits, or rolls back, with the
    change it describes. Detail holds ids and query parameters, never names.

    The row is appended when the transaction commits (see _append_pending), so the chain
    lock is held only for the commit itself, never across a request: a denial written on
    its own connection meanwhile (record_now) cannot deadlock against it."""
    values = _values(action, record_type, record_id, outcome, detail, actor)
    db.session.info.setdefault(_PENDING, []).append(values)


_PENDING = PENDING_AUDIT


@event.listens_for(SASession, "before_commit")
def _append_pending(session) -> None:
    if session.info.get(RELEASING):  # a savepoint released, not the commit
        return
    pending = session.info.pop(_PENDING, None)
    for values in pending or ():
        _append(session, values)


@event.listens_for(SASession, "after_rollback")
def _drop_pending(session) -> None:
    session.info.pop(_PENDING, None)


def record_now(
    action: str,
    record_type: str | None = None,
    record_id=None,
    *,
    outcome: AuditOutcome = AuditOutcome.DENIED,
    detail: dict | None = None,
    actor=None,
) -> None:
    """Commit an audit row on its own connection, whatever happens to the request's
    transaction: used for denials and failed sign-ins, which roll back."""
    values = _values(action, record_type, record_id, outcome, detail, actor)
    with db.engine.begin() as connection:
        _append(connection, values)


@dataclass
class VerifyResult:
    rows: int
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_seq is None


def verify_chain(batch_size: int = 5000) -> VerifyResult:
    prev_hash, expected_seq, count = GENESIS_HASH, 1, 0
    last_seq = 0
    while True:
        rows = (
            db.session.execute(
                select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch_size)
            )
            .scalars()
            .all()
        )
        if not rows:
            return VerifyResult(rows=count)
        for row in rows:
            if row.seq != expected_seq:
                return VerifyResult(count, expected_seq, f"row {expected_seq} is missing")
            if row.prev_hash != prev_hash:
                return VerifyResult(count, row.seq, "its link to the row before does not match")
            values = {
                c: getattr(row, c)
                for c in (
                    "seq",
                    "occurred_at",
                    "actor_user_id",
                    "actor_label",
                    "action",
                    "record_type",
                    "record_id",
                    "outcome",
                    "ip_address",
                    "detail",
                )
            }
            if row_hash(prev_hash, values) != row.row_hash:
                return VerifyResult(count, row.seq, "its content does not match its hash")
            prev_hash, expected_seq, count = row.row_hash, expected_seq + 1, count + 1
            last_seq = row.seq
        db.session.expunge_all()
