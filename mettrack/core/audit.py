"""Writing and verifying the audit chain.

Every row carries a hash of its own content and of the row before it, so an edit, a
deletion or an insertion in the middle breaks the chain and `flask audit verify` names
the first row that no longer fits. Rows are appended under a PostgreSQL transaction
advisory lock so that concurrent web nodes and workers never read the same tail.

The hash is an HMAC-SHA256 with AUDIT_HMAC_KEY, a key the database does not hold, so
someone who can write the table cannot recompute the chain after editing it
(`hash_version` 2). Rows written before migration 0012 keep their unkeyed SHA-256
(`hash_version` 1) and still verify; once a keyed row appears no unkeyed row may follow,
and the checkpoints (audit_checkpoint.py) name the first keyed row, so a tail rewritten
without the key and marked unkeyed is reported too.

The key can be replaced (`flask audit rotate-key`, rotate_key below): a row
`audit.key_rotated`, hashed with the key in use until then, names the new key by its id
(key_id: an HMAC of a fixed text, never the key) and the old key's id; every row after it
is hashed with the new key. `verify_chain` walks the chain with the key each stretch was
written with: the current AUDIT_HMAC_KEY, and the old ones from AUDIT_HMAC_KEYS_OLD.
"""

import hashlib
import hmac
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import event, func, insert, select, text
from sqlalchemy.orm import Session as SASession

from mettrack.core import audit_checkpoint
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import AuditOutcome
from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.unit_of_work import PENDING_AUDIT, RELEASING

GENESIS_HASH = "0" * 64
# An arbitrary constant naming "the audit chain" among PostgreSQL advisory locks.
AUDIT_LOCK_KEY = 7_245_001
# hash_version: how a row's hash was made.
UNKEYED = 1  # SHA-256 of the previous hash and the row (rows before migration 0012)
KEYED = 2  # HMAC-SHA256 of the same, with AUDIT_HMAC_KEY
HASHED_COLUMNS = (
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


KEY_ROTATED = "audit.key_rotated"
_KEY_ID_PURPOSE = b"mettrack-audit-key-id"


def hmac_key(config=None) -> bytes:
    return str((config or current_app.config)["AUDIT_HMAC_KEY"]).encode()


def old_hmac_keys(config=None) -> list[bytes]:
    """AUDIT_HMAC_KEYS_OLD: the keys used before, separated by commas or spaces."""
    value = (config or current_app.config).get("AUDIT_HMAC_KEYS_OLD") or ""
    items = value if isinstance(value, list | tuple) else str(value).replace(",", " ").split()
    return [str(k).encode() for k in items if str(k).strip()]


def key_id(key: bytes) -> str:
    """A key's name in the audit log: an HMAC of a fixed text, which says nothing of the key."""
    return hmac.new(key, _KEY_ID_PURPOSE, hashlib.sha256).hexdigest()[:16]


def row_hash(prev_hash: str, values: dict, version: int = UNKEYED, key: bytes | None = None) -> str:
    message = (prev_hash + _canonical(values)).encode()
    if version == UNKEYED:
        return hashlib.sha256(message).hexdigest()
    if version == KEYED:
        return hmac.new(key if key is not None else hmac_key(), message, hashlib.sha256).hexdigest()
    raise ValueError(f"unknown audit hash version {version!r}")


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


def _append(executor, values: dict, key: bytes | None = None) -> int:
    """Append one row through `executor` (an ORM session or a Core connection), hashed with
    `key` (default AUDIT_HMAC_KEY)."""
    return _append_all(executor, [values], key)


def _append_all(executor, rows: list[dict], key: bytes | None = None) -> int:
    """Append `rows` in order under one hold of the chain's lock: one tail read and one
    multi-row INSERT, however many rows a transaction wrote. Returns the last seq."""
    if db.engine.dialect.name == "postgresql":
        executor.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    tail = executor.execute(
        select(AuditEvent.seq, AuditEvent.row_hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (tail.seq, tail.row_hash) if tail else (0, GENESIS_HASH)
    chained = []
    for values in rows:
        seq += 1
        values = {**values, "seq": seq, "prev_hash": prev, "hash_version": KEYED}
        values["row_hash"] = prev = row_hash(prev, values, KEYED, key)
        chained.append(values)
    executor.execute(insert(AuditEvent), chained)
    return seq


def _values(action, record_type, record_id, outcome, detail, actor) -> dict:
    actor_id, label = _actor(actor)
    ip = request.remote_addr if has_request_context() else None
    if has_request_context() and g.get("access_reason") and "reason" not in (detail or {}):
        # A police user's reason for reading this case (cases/access_reasons.py): ids or
        # their own words, on every row the read writes.
        detail = {**(detail or {}), "access_reason": g.access_reason}
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
    if not session.info.get(_PENDING):
        return
    # The transaction's own changes go to the database before the chain's lock is taken,
    # so that the lock covers only the tail read, the insert and the commit: every audited
    # commit of every process waits for that lock (docs/performance.md, "The audit chain").
    session.flush()
    pending = session.info.pop(_PENDING, None)
    if pending:
        _append_all(session, pending)


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
    """broken_seq is the first row that does not fit, or 0 when the checkpoint itself
    cannot be trusted (not signed with the key, or unreadable)."""

    rows: int
    broken_seq: int | None = None
    reason: str | None = None
    checkpoint: audit_checkpoint.Checkpoint | None = None
    # Set when the walk stopped at a row keyed with a key not given (not tampering: a
    # setting is missing): the key's id, never the key.
    missing_key_id: str | None = None
    # The id of the key the newest rows are hashed with (the walk's last stretch).
    final_key_id: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_seq is None


def _first_stretch_key_id(default: str) -> str:
    """The id of the key the first keyed rows were written with: the old key the first
    rotation names, or (never rotated) the current key. A rotation row edited to name
    another key fails its own hash."""
    detail = db.session.scalar(
        select(AuditEvent.detail).where(AuditEvent.action == KEY_ROTATED).order_by(AuditEvent.seq).limit(1)
    )
    if detail is None:
        return default
    try:
        return str(json.loads(detail)["previous_key_id"])
    except (ValueError, KeyError, TypeError):
        return default


def _rotated_to(row: AuditEvent, current: str) -> str:
    try:
        return str(json.loads(row.detail)["key_id"])
    except (ValueError, KeyError, TypeError):
        return current


def verify_chain(
    batch_size: int = 5000,
    checkpoint_path=None,
    *,
    current_key: bytes | None = None,
    old_keys: list[bytes] | None = None,
) -> VerifyResult:
    """Walk the chain, then compare it with the latest checkpoint (when there is one).

    checkpoint_path defaults to AUDIT_CHECKPOINT_PATH; pass a copy fetched from the
    syslog server to check against that instead. The keyed rows are checked with the key
    each stretch was written with (see the module docstring): `current_key` (default
    AUDIT_HMAC_KEY), which also signs the checkpoint, and `old_keys` (default
    AUDIT_HMAC_KEYS_OLD)."""
    key = current_key if current_key is not None else hmac_key()
    keys = {key_id(k): k for k in (old_keys if old_keys is not None else old_hmac_keys())}
    keys[key_id(key)] = key
    path = checkpoint_path or current_app.config.get("AUDIT_CHECKPOINT_PATH")
    try:
        checkpoint = audit_checkpoint.latest(path, key) if path else None
    except audit_checkpoint.CheckpointUnreadable as e:
        return VerifyResult(0, 0, str(e))
    except OSError as e:
        return VerifyResult(0, 0, f"the checkpoint file cannot be read ({e.strerror})")
    keyed_from = checkpoint.keyed_from if checkpoint else None
    prev_hash, expected_seq, count = GENESIS_HASH, 1, 0
    last_seq, keyed_seen = 0, False
    stretch = _first_stretch_key_id(key_id(key))
    while True:
        rows = (
            db.session.execute(
                select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch_size)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                return VerifyResult(count, expected_seq, f"row {expected_seq} is missing", checkpoint)
            if row.prev_hash != prev_hash:
                return VerifyResult(count, row.seq, "its link to the row before does not match", checkpoint)
            if row.hash_version not in (UNKEYED, KEYED):
                return VerifyResult(count, row.seq, "its hash version is unknown", checkpoint)
            if row.hash_version == UNKEYED and (keyed_seen or (keyed_from and row.seq >= keyed_from)):
                # Only rows from before the switch to keyed hashes may be unkeyed: this one
                # was rewritten by someone without the key.
                reason = "it is hashed without the key, after the switch to keyed hashes"
                return VerifyResult(count, row.seq, reason, checkpoint)
            values = {c: getattr(row, c) for c in HASHED_COLUMNS}
            row_key = keys.get(stretch) if row.hash_version == KEYED else None
            if row.hash_version == KEYED and row_key is None:
                reason = (
                    f"it is keyed with an earlier key (key id {stretch}) that is not given: set "
                    "AUDIT_HMAC_KEYS_OLD to the key(s) AUDIT_HMAC_KEY had before `flask audit rotate-key`"
                )
                return VerifyResult(count, row.seq, reason, checkpoint, missing_key_id=stretch)
            if not hmac.compare_digest(row_hash(prev_hash, values, row.hash_version, row_key), row.row_hash):
                return VerifyResult(count, row.seq, "its content does not match its hash", checkpoint)
            if row.hash_version == KEYED and row.action == KEY_ROTATED:
                stretch = _rotated_to(row, stretch)  # the rows after it: the new key
            keyed_seen = keyed_seen or row.hash_version == KEYED
            prev_hash, expected_seq, count = row.row_hash, expected_seq + 1, count + 1
            last_seq = row.seq
            if checkpoint and row.seq == checkpoint.rows and row.row_hash != checkpoint.head:
                reason = f"it does not match the checkpoint taken at {checkpoint.written_at}"
                return VerifyResult(count, row.seq, reason, checkpoint)
        db.session.expunge_all()
    if checkpoint and count < checkpoint.rows:
        first, last = count + 1, checkpoint.rows
        missing = f"row {first} is" if first == last else f"rows {first} to {last} are"
        reason = f"{missing} missing: the checkpoint taken at {checkpoint.written_at} counted {last} rows"
        return VerifyResult(count, first, reason, checkpoint)
    return VerifyResult(count, checkpoint=checkpoint, final_key_id=stretch)


def take_checkpoint(connection) -> audit_checkpoint.Checkpoint:
    """The chain's figures now, read under the append lock so that no append is half done."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    tail = connection.execute(
        select(AuditEvent.seq, AuditEvent.row_hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    rows, head = (tail.seq, tail.row_hash) if tail else (0, GENESIS_HASH)
    first_keyed = connection.scalar(select(func.min(AuditEvent.seq)).where(AuditEvent.hash_version == KEYED))
    # With no keyed row yet, the next row appended will be the first.
    return audit_checkpoint.make(rows, head, first_keyed or rows + 1, now())


def write_checkpoint() -> tuple[audit_checkpoint.Checkpoint, list[str]]:
    """Take a checkpoint and write it to the targets the settings name."""
    with db.engine.begin() as connection:  # its own transaction: the lock ends with it
        checkpoint = take_checkpoint(connection)
    return checkpoint, audit_checkpoint.write(current_app.config, checkpoint.line(hmac_key()))


class RotationRefused(Exception):
    """The key was not rotated (nothing written); the message says why and what to do."""


@dataclass(frozen=True)
class Rotation:
    seq: int  # the audit.key_rotated row: the last row hashed with the old key
    key_id: str
    previous_key_id: str
    checkpoint_targets: list[str]


def rotate_key(old_key: bytes, earlier_keys: list[bytes] | None = None, actor: str = "cli") -> Rotation:
    """Who: the operator at the server's command line, with the app and workers stopped.
    Replace `old_key` (the key the chain's newest rows are hashed with) by AUDIT_HMAC_KEY.

    The chain is verified first with the old keys (refused, nothing written, when it is not
    intact: a new key must not seal rows already changed). Then one row, audit.key_rotated,
    hashed with the old key, names the new key's id and the old one's; every row after it is
    hashed with the new key; and a checkpoint signed with the new key is written."""
    new_key = hmac_key()
    earlier = list(earlier_keys if earlier_keys is not None else old_hmac_keys())
    if problems := audit_checkpoint.setting_problems(current_app.config):
        raise RotationRefused(problems[0])
    if new_key == old_key:
        raise RotationRefused("AUDIT_HMAC_KEY is the old key: set it to the new key first")
    result = verify_chain(current_key=old_key, old_keys=earlier)
    if result.missing_key_id:
        raise RotationRefused(f"the chain cannot be checked: row {result.broken_seq} {result.reason}")
    if not result.intact:
        where = "the checkpoint" if result.broken_seq == 0 else f"row {result.broken_seq}"
        raise RotationRefused(f"the audit chain is not intact at {where} ({result.reason}); investigate")
    if result.rows and result.final_key_id != key_id(old_key):
        raise RotationRefused(
            "the newest audit rows are not hashed with the old key given: give the key AUDIT_HMAC_KEY had "
            "until now"
        )
    values = _values(
        KEY_ROTATED,
        None,
        None,
        AuditOutcome.OK,
        {"key_id": key_id(new_key), "previous_key_id": key_id(old_key)},
        actor,
    )
    with db.engine.begin() as connection:
        seq = _append(connection, values, key=old_key)
    _checkpoint, targets = write_checkpoint()
    return Rotation(seq, key_id(new_key), key_id(old_key), targets)
