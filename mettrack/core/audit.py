"""Writing and verifying the audit chains.

Every row carries a hash of its own content and of the row before it in its chain, so an
edit, a deletion or an insertion in the middle breaks that chain and `flask audit verify`
names the first row that no longer fits, and its chain.

Several chains (AUDIT_CHAINS, default 4 on PostgreSQL; SQLite has one): each audited
commit appends its rows to the first chain whose PostgreSQL transaction advisory lock is
free, trying from a chain that differs from process to process, and waits for one chain's
lock only when all are taken. The lock is held until the commit (so no two writers read
the same tail of a chain); the commits of different chains overlap, and PostgreSQL flushes
them to the disk together. Each row names its `chain` and `position` (1, 2, ... in that
chain); `seq`, the order the audit log shows, comes from a sequence: it rises in each
chain but may skip numbers (an append rolled back), so only a gap in a chain's positions
is a missing row. docs/performance.md, "The audit chain's throughput", has the figures.

The hash is an HMAC-SHA256 with AUDIT_HMAC_KEY, a key the database does not hold, so
someone who can write the table cannot recompute a chain after editing it. `hash_version`
3 covers the chain and position too; rows written before migration 0018 keep version 2
(the same HMAC without them), and rows written before migration 0012 their unkeyed SHA-256
(version 1): both are chain 0, their position their seq, and still verify. Once a keyed
row appears no unkeyed row may follow, and the checkpoints (audit_checkpoint.py) name the
first keyed row and every chain's last position and hash, so a tail rewritten without the
key and marked unkeyed, or a tail cut from any chain, is reported too.

The key can be replaced (`flask audit rotate-key`, rotate_key below): in every chain a row
`audit.key_rotated`, hashed with the key in use until then, names the new key by its id
(key_id: an HMAC of a fixed text, never the key) and the old key's id; every row after it
in that chain is hashed with the new key. `verify_chain` walks each chain with the key
each stretch was written with: the current AUDIT_HMAC_KEY, and the old ones from
AUDIT_HMAC_KEYS_OLD.
"""

import hashlib
import hmac
import json
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache

from flask import current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import Integer, bindparam, event, func, insert, select, text
from sqlalchemy.orm import Session as SASession

from mettrack.core import audit_checkpoint
from mettrack.core.audit_event import SEQ_SEQUENCE, AuditEvent
from mettrack.core.choices import AuditOutcome
from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.unit_of_work import PENDING_AUDIT, RELEASING

GENESIS_HASH = "0" * 64
# Arbitrary constants naming the audit chains among PostgreSQL advisory locks: chain c's
# lock is AUDIT_LOCK_KEY + c (chain 0's is the one lock of the single chain before 0018).
AUDIT_LOCK_KEY = 7_245_001
# hash_version: how a row's hash was made.
UNKEYED = 1  # SHA-256 of the previous hash and the row (rows before migration 0012)
KEYED = 2  # HMAC-SHA256 of the same, with AUDIT_HMAC_KEY (rows before migration 0018)
CHAINED = 3  # HMAC-SHA256 as KEYED, the row's chain and position hashed too (every row since)
EARLIER_VERSIONS = (UNKEYED, KEYED)  # chain 0, no position of their own: it is their seq
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
CHAIN_COLUMNS = ("chain", "position")  # hashed from version 3 on


def _canonical(values: dict, version: int = CHAINED) -> str:
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
    if version >= CHAINED:
        fields["chain"] = values["chain"]
        fields["position"] = values["position"]
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


def hashed_values(row: AuditEvent) -> dict:
    """What a row's hash covers, read from the row (every version's columns)."""
    return {c: getattr(row, c) for c in HASHED_COLUMNS + CHAIN_COLUMNS}


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
    message = (prev_hash + _canonical(values, version)).encode()
    if version == UNKEYED:
        return hashlib.sha256(message).hexdigest()
    if version in (KEYED, CHAINED):
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


def _postgres(executor) -> bool:
    dialect = executor.dialect if hasattr(executor, "dialect") else executor.get_bind().dialect
    return dialect.name == "postgresql"


def chain_count(executor) -> int:
    """How many chains appends spread over: AUDIT_CHAINS on PostgreSQL, one on SQLite (whose
    writers take turns anyway)."""
    return int(current_app.config.get("AUDIT_CHAINS") or 1) if _postgres(executor) else 1


def _chains_in_use(executor) -> range:
    """The chains to lock and name in a checkpoint or a rotation: the configured ones, and
    any with rows beyond them (AUDIT_CHAINS lowered since)."""
    highest = executor.execute(
        select(func.max(AuditEvent.chain)).where(AuditEvent.position.is_not(None))
    ).scalar()
    return range(max(chain_count(executor), (highest or 0) + 1))


@lru_cache(maxsize=256)
def _take_a_chain_sql(chains: int, start: int) -> str:
    # One round trip: CASE tries the locks in order and stops at the first it gets (the
    # function is volatile, so PostgreSQL calls it only when reached); the ELSE, reached
    # when every chain is busy, waits for the first chain tried. Whole numbers only.
    tries = " ".join(
        f"WHEN pg_try_advisory_xact_lock({AUDIT_LOCK_KEY + c}) THEN {c}"
        for c in ((start + i) % chains for i in range(chains))
    )
    wait = f"(SELECT {start} FROM pg_advisory_xact_lock({AUDIT_LOCK_KEY + start}))"  # noqa: S608
    return f"SELECT CASE {tries} ELSE {wait} END"


def _take_a_chain(executor) -> int:
    """Lock a chain for this transaction and say which. Each thread starts from its own
    chain (its id, which is the process id for a process's first thread), so processes
    spread over the chains rather than all trying chain 0 first."""
    if not _postgres(executor):
        return 0
    chains = chain_count(executor)
    start = threading.get_native_id() % chains
    return int(executor.execute(text(_take_a_chain_sql(chains, start))).scalar())


def lock_chain(executor, chain: int) -> None:
    """Wait for `chain`'s lock, held until the transaction ends (nothing on SQLite)."""
    if _postgres(executor):
        executor.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY + chain})


def _lock_all_chains(executor) -> range:
    """Every chain's lock, in order: no append is half done while it is held. Appends hold
    one chain's lock at most, and wait for one only while holding none: no deadlock."""
    chains = _chains_in_use(executor)
    if _postgres(executor):
        for chain in chains:
            lock_chain(executor, chain)
    return chains


@lru_cache(maxsize=256)
def _tail_and_seqs_statement(chain: int, postgres: bool):
    """Built once a chain: the append runs it under the lock, where every bit of work counts."""
    own = select(AuditEvent.position, AuditEvent.row_hash).where(
        AuditEvent.chain == chain, AuditEvent.position.is_not(None)
    )
    own = own.order_by(AuditEvent.position.desc()).limit(1)
    position = [own.with_only_columns(AuditEvent.position).scalar_subquery()]
    row_hash_ = [own.with_only_columns(AuditEvent.row_hash).scalar_subquery()]
    if chain == 0:
        # Chain 0 goes on from the rows written before the chains (position = seq). COALESCE
        # stops at its first value that is not NULL, so these are read only while chain 0
        # has no row of its own.
        earlier = select(AuditEvent.seq).where(AuditEvent.position.is_(None)).order_by(AuditEvent.seq.desc())
        position.append(earlier.limit(1).scalar_subquery())
        row_hash_.append(earlier.with_only_columns(AuditEvent.row_hash).limit(1).scalar_subquery())
    columns = [func.coalesce(*position, 0), func.coalesce(*row_hash_, GENESIS_HASH)]
    if postgres:
        n = func.generate_series(1, bindparam("n", type_=Integer))
        columns.append(select(func.array_agg(func.nextval(SEQ_SEQUENCE))).select_from(n).scalar_subquery())
    else:
        columns.append(select(func.max(AuditEvent.seq)).scalar_subquery())
    return select(*columns)


def _tail_and_seqs(executor, chain: int, n: int) -> tuple[int, str, list[int]]:
    """`chain`'s last position and hash ((0, GENESIS_HASH) when empty) and `n` new seqs, in
    one statement: one round trip while the chain's lock is held, and as many statements
    for an empty chain as for one with rows. Read under the chain's lock.

    seq: PostgreSQL draws from the sequence (an append rolled back leaves a gap); SQLite
    (one chain, one writer at a time) goes on after the highest."""
    postgres = _postgres(executor)
    statement = _tail_and_seqs_statement(chain, postgres)
    last_position, last_hash, seqs = executor.execute(statement, {"n": n} if postgres else {}).one()
    if not postgres:
        seqs = list(range((seqs or 0) + 1, (seqs or 0) + n + 1))
    return int(last_position), last_hash, sorted(seqs or [])


def chain_tail(executor, chain: int) -> tuple[int, str]:
    """(position, row_hash) of `chain`'s last row; (0, GENESIS_HASH) for an empty chain."""
    position, row_hash_, _ = _tail_and_seqs(executor, chain, 0)
    return position, row_hash_


def next_seqs(executor, n: int) -> list[int]:
    """`n` new seq numbers, rising (see _tail_and_seqs)."""
    return _tail_and_seqs(executor, 0, n)[2]


def chain_rows(
    rows: list[dict], chain: int, position: int, prev: str, seqs: list[int], key: bytes | None
) -> list[dict]:
    """`rows` hashed into `chain` after (position, prev), with their seqs: the values to insert."""
    chained = []
    for values, seq in zip(rows, seqs, strict=True):
        position += 1
        values = {**values, "seq": seq, "chain": chain, "position": position, "prev_hash": prev}
        values["hash_version"] = CHAINED
        values["row_hash"] = prev = row_hash(prev, values, CHAINED, key)
        chained.append(values)
    return chained


def _append(executor, values: dict, key: bytes | None = None) -> int:
    """Append one row through `executor` (an ORM session or a Core connection), hashed with
    `key` (default AUDIT_HMAC_KEY)."""
    return _append_all(executor, [values], key)


def _append_all(executor, rows: list[dict], key: bytes | None = None, chain: int | None = None) -> int:
    """Append `rows` in order to one chain, under its lock: one tail read, one draw of seqs
    and one multi-row INSERT, however many rows a transaction wrote. `chain`: that chain,
    whose lock the caller holds; default: the first free chain. Returns the last seq."""
    if chain is None:
        chain = _take_a_chain(executor)
    position, prev, seqs = _tail_and_seqs(executor, chain, len(rows))
    executor.execute(insert(AuditEvent), chain_rows(rows, chain, position, prev, seqs, key))
    return seqs[-1]


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

    The row is appended when the transaction commits (see _append_pending), so a chain's
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
    # The transaction's own changes go to the database before a chain's lock is taken, so
    # that the lock covers only the tail read, the insert and the commit: the audited
    # commits on one chain wait for each other (docs/performance.md, "The audit chain").
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
    """What `verify_chain` found. When a chain is broken: its number, the position of the
    first row that does not fit, and that row's seq (None when the row is missing). When
    the checkpoint itself cannot be trusted (not signed with the key, or unreadable):
    untrusted_checkpoint, and no chain."""

    rows: int
    reason: str | None = None
    checkpoint: audit_checkpoint.Checkpoint | None = None
    broken_chain: int | None = None
    broken_position: int | None = None
    broken_seq: int | None = None
    untrusted_checkpoint: bool = False
    # Set when the walk stopped at a row keyed with a key not given (not tampering: a
    # setting is missing): the key's id, never the key.
    missing_key_id: str | None = None
    # Each chain's rows, and the id of the key its newest rows are hashed with.
    chain_rows: dict[int, int] = field(default_factory=dict)
    final_key_ids: dict[int, str] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return self.reason is None

    @property
    def place(self) -> str:
        """Where it broke, as `audit verify` says it: the row's seq (the audit log's number)
        with its chain and position, or the position a missing row had in its chain."""
        if self.broken_seq is None and self.broken_chain is None:
            return "the table as a whole"
        if self.broken_seq is None:
            return f"position {self.broken_position} of chain {self.broken_chain}"
        return f"row {self.broken_seq} (chain {self.broken_chain}, position {self.broken_position})"


def _first_stretch_key_ids(default: str) -> dict[int, str]:
    """Each chain's first keyed rows' key: the old key its first rotation row names. A chain
    with no rotation row was begun after the last rotation (or none was made): `default`,
    the current key. A rotation row edited to name another key fails its own hash."""
    first: dict[int, str] = {}
    rows = db.session.execute(
        select(AuditEvent.chain, AuditEvent.detail)
        .where(AuditEvent.action == KEY_ROTATED)
        .order_by(AuditEvent.seq)
    ).all()
    for chain, detail in rows:
        if chain not in first:
            try:
                first[chain] = str(json.loads(detail)["previous_key_id"])
            except (ValueError, KeyError, TypeError):
                first[chain] = default
    return first


def _rotated_to(row: AuditEvent, current: str) -> str:
    try:
        return str(json.loads(row.detail)["key_id"])
    except (ValueError, KeyError, TypeError):
        return current


class _Broken(Exception):
    def __init__(self, row: AuditEvent | None, position: int, reason: str, missing_key_id: str | None = None):
        self.seq = row.seq if row is not None else None
        self.position, self.reason, self.missing_key_id = position, reason, missing_key_id


class _ChainWalk:
    """One chain, row by row in position order: links, hashes, keys, and the checkpoint's
    figures for it. Raises _Broken at the first row that does not fit."""

    def __init__(self, chain: int, keys: dict[str, bytes], stretch: str, checkpoint, keyed_from):
        self.chain, self.keys, self.stretch = chain, keys, stretch
        self.checkpoint, self.keyed_from = checkpoint, keyed_from
        self.expected_tail = checkpoint.tails().get(chain) if checkpoint else None
        self.prev_hash, self.position, self.last_seq, self.keyed_seen = GENESIS_HASH, 0, 0, False

    def walk(self, batch_size: int) -> None:
        if self.chain == 0:
            self._earlier_rows(batch_size)
        last = 0
        while rows := self._batch(
            (AuditEvent.chain == self.chain) & (AuditEvent.position > last), AuditEvent.position, batch_size
        ):
            for row in rows:
                if row.position != self.position + 1:
                    raise _Broken(None, self.position + 1, "it is missing")
                if row.hash_version == UNKEYED:  # rewritten by someone without the key
                    reason = "it is hashed without the key, after the switch to keyed hashes"
                    raise _Broken(row, row.position, reason)
                if row.hash_version != CHAINED:
                    reason = "its hash version is unknown, or not one a row with a position has"
                    raise _Broken(row, row.position, reason)
                if row.seq <= self.last_seq:
                    raise _Broken(
                        row, row.position, "its seq is not after the seq of the row before it in its chain"
                    )
                self._check(row)
            last = rows[-1].position
        self._check_cut_tail()

    def _earlier_rows(self, batch_size: int) -> None:
        """The rows written before the chains (no position): chain 0, position = seq, so
        their seqs have no gaps."""
        last = 0
        while rows := self._batch(
            AuditEvent.position.is_(None) & (AuditEvent.seq > last), AuditEvent.seq, batch_size
        ):
            for row in rows:
                if row.seq != self.position + 1:
                    raise _Broken(None, self.position + 1, "it is missing")
                if row.hash_version not in EARLIER_VERSIONS:
                    raise _Broken(row, row.seq, "it has no position in its chain")
                if row.chain != 0:
                    raise _Broken(row, row.seq, "it is a row from before the chains, which are all chain 0")
                if row.hash_version == UNKEYED and (
                    self.keyed_seen or (self.keyed_from and row.seq >= self.keyed_from)
                ):
                    # Only rows from before the switch to keyed hashes may be unkeyed: this
                    # one was rewritten by someone without the key.
                    raise _Broken(
                        row, row.seq, "it is hashed without the key, after the switch to keyed hashes"
                    )
                self._check(row, position=row.seq)
            last = rows[-1].seq

    @staticmethod
    def _batch(where, order, batch_size: int) -> list[AuditEvent]:
        db.session.expunge_all()  # a walk of millions of rows keeps one batch in memory
        return (
            db.session.execute(select(AuditEvent).where(where).order_by(order).limit(batch_size))
            .scalars()
            .all()
        )

    def _check(self, row: AuditEvent, position: int | None = None) -> None:
        position = row.position if position is None else position
        if row.prev_hash != self.prev_hash:
            raise _Broken(row, position, "its link to the row before does not match")
        row_key = self.keys.get(self.stretch) if row.hash_version != UNKEYED else None
        if row.hash_version != UNKEYED and row_key is None:
            reason = (
                f"it is keyed with an earlier key (key id {self.stretch}) that is not given: set "
                "AUDIT_HMAC_KEYS_OLD to the key(s) AUDIT_HMAC_KEY had before `flask audit rotate-key`"
            )
            raise _Broken(row, position, reason, missing_key_id=self.stretch)
        expected = row_hash(self.prev_hash, hashed_values(row), row.hash_version, row_key)
        if not hmac.compare_digest(expected, row.row_hash):
            raise _Broken(row, position, "its content does not match its hash")
        if row.hash_version != UNKEYED and row.action == KEY_ROTATED:
            self.stretch = _rotated_to(row, self.stretch)  # the rows after it: the new key
        self.keyed_seen = self.keyed_seen or row.hash_version != UNKEYED
        self.prev_hash, self.position, self.last_seq = row.row_hash, position, row.seq
        if self.expected_tail and position == self.expected_tail[0] and row.row_hash != self.expected_tail[1]:
            raise _Broken(
                row, position, f"it does not match the checkpoint taken at {self.checkpoint.written_at}"
            )

    def _check_cut_tail(self) -> None:
        if self.expected_tail and self.position < self.expected_tail[0]:
            first, last = self.position + 1, self.expected_tail[0]
            missing = "it is missing" if first == last else f"positions {first} to {last} are missing"
            reason = (
                f"{missing}: the checkpoint taken at {self.checkpoint.written_at} counted {last} rows "
                f"in chain {self.chain}"
            )
            raise _Broken(None, first, reason)


def verify_chain(
    batch_size: int = 5000,
    checkpoint_path=None,
    *,
    current_key: bytes | None = None,
    old_keys: list[bytes] | None = None,
) -> VerifyResult:
    """Walk each chain on its own, and compare each with the latest checkpoint (when there
    is one); report the first chain, in chain order, that does not hold together.

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
        return VerifyResult(0, str(e), untrusted_checkpoint=True)
    except OSError as e:
        return VerifyResult(
            0, f"the checkpoint file cannot be read ({e.strerror})", untrusted_checkpoint=True
        )
    keyed_from = checkpoint.keyed_from if checkpoint else None
    first_keys = _first_stretch_key_ids(key_id(key))
    chains = set(_chains_in_use(db.session)) | set(checkpoint.tails() if checkpoint else ())
    result = VerifyResult(0, checkpoint=checkpoint)
    named = set(checkpoint.tails()) if checkpoint else set()
    for chain in sorted(chains):
        walk = _ChainWalk(chain, keys, first_keys.get(chain, key_id(key)), checkpoint, keyed_from)
        try:
            _check_old_key_start(chain, walk.stretch, key_id(key), named)
            walk.walk(batch_size)
        except _Broken as broken:
            result.rows += walk.position
            result.reason, result.broken_chain = broken.reason, chain
            result.broken_position, result.broken_seq = broken.position, broken.seq
            result.missing_key_id = broken.missing_key_id
            return result
        if walk.position:
            result.rows += walk.position
            result.chain_rows[chain] = walk.position
            result.final_key_ids[chain] = walk.stretch
    db.session.expunge_all()
    _check_every_row_walked(result)
    return result


def _check_old_key_start(chain: int, first_key_id: str, current_key_id: str, named: set[int]) -> None:
    """A chain may begin with an earlier key only if a checkpoint signed with the current
    key names it: `rotate_key` writes one at once, naming every chain. Otherwise whoever
    holds a replaced key (the reason it was replaced) could add a chain of their own,
    hashed with it and ending in a rotation row."""
    if first_key_id != current_key_id and chain not in named:
        reason = (
            f"the chain begins with an earlier key (key id {first_key_id}), but no checkpoint signed "
            "with the current key names it: a chain added with a replaced key"
        )
        raise _Broken(None, 1, reason)


def _check_every_row_walked(result: VerifyResult) -> None:
    """Every row of the table is in a chain the walks read. A row placed where no walk goes
    (a negative chain, a position or seq below 1; migration 0018's CHECK refuses these on
    PostgreSQL) would be shown in the audit log without being verified."""
    if result.reason is not None:
        return
    total = db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    if total == result.rows:
        return
    stray = db.session.execute(
        select(AuditEvent.seq, AuditEvent.chain, AuditEvent.position)
        .where(
            (AuditEvent.chain < 0)
            | (AuditEvent.position < 1)
            | (AuditEvent.position.is_(None) & ((AuditEvent.seq < 1) | (AuditEvent.chain != 0)))
        )
        .order_by(AuditEvent.seq)
        .limit(1)
    ).first()
    result.reason = (
        f"{total - result.rows} row(s) lie outside every chain the walk reads: added from outside the app"
    )
    if stray is not None:
        result.broken_seq, result.broken_chain, result.broken_position = (
            stray.seq,
            stray.chain,
            stray.position,
        )


def take_checkpoint(connection) -> audit_checkpoint.Checkpoint:
    """Every chain's figures now, read under all the chains' locks so that no append is
    half done."""
    chains = _lock_all_chains(connection)
    tails = {chain: chain_tail(connection, chain) for chain in chains}
    first_keyed = connection.scalar(select(func.min(AuditEvent.seq)).where(AuditEvent.hash_version >= KEYED))
    if first_keyed is None:  # the next row appended will be the first keyed one
        first_keyed = (connection.scalar(select(func.max(AuditEvent.seq))) or 0) + 1
    return audit_checkpoint.make(tails, first_keyed, now())


def write_checkpoint() -> tuple[audit_checkpoint.Checkpoint, list[str]]:
    """Take a checkpoint and write it to the targets the settings name."""
    with db.engine.begin() as connection:  # its own transaction: the locks end with it
        checkpoint = take_checkpoint(connection)
    return checkpoint, audit_checkpoint.write(current_app.config, checkpoint.line(hmac_key()))


class RotationRefused(Exception):
    """The key was not rotated (nothing written); the message says why and what to do."""


@dataclass(frozen=True)
class Rotation:
    seqs: list[int]  # the audit.key_rotated rows, one a chain: each its chain's last row with the old key
    key_id: str
    previous_key_id: str
    checkpoint_targets: list[str]


def rotate_key(old_key: bytes, earlier_keys: list[bytes] | None = None, actor: str = "cli") -> Rotation:
    """Who: the operator at the server's command line, with the app and workers stopped.
    Replace `old_key` (the key every chain's newest rows are hashed with) by AUDIT_HMAC_KEY.

    The chains are verified first with the old keys (refused, nothing written, when one is
    not intact: a new key must not seal rows already changed). Then in every chain one row,
    audit.key_rotated, hashed with the old key, names the new key's id and the old one's;
    every row after it in that chain is hashed with the new key; and a checkpoint signed
    with the new key is written."""
    new_key = hmac_key()
    earlier = list(earlier_keys if earlier_keys is not None else old_hmac_keys())
    if problems := audit_checkpoint.setting_problems(current_app.config):
        raise RotationRefused(problems[0])
    if new_key == old_key:
        raise RotationRefused("AUDIT_HMAC_KEY is the old key: set it to the new key first")
    result = verify_chain(current_key=old_key, old_keys=earlier)
    if result.missing_key_id:
        raise RotationRefused(f"the chain cannot be checked at {result.place}: {result.reason}")
    if not result.intact:
        where = "the checkpoint" if result.untrusted_checkpoint else result.place
        raise RotationRefused(f"the audit chain is not intact at {where} ({result.reason}); investigate")
    if any(final != key_id(old_key) for final in result.final_key_ids.values()):
        raise RotationRefused(
            "the newest audit rows are not hashed with the old key given: give the key AUDIT_HMAC_KEY had "
            "until now"
        )
    detail = {"key_id": key_id(new_key), "previous_key_id": key_id(old_key)}
    seqs = []
    with db.engine.begin() as connection:
        for chain in _lock_all_chains(connection):
            values = _values(KEY_ROTATED, None, None, AuditOutcome.OK, detail, actor)
            seqs.append(_append_all(connection, [values], key=old_key, chain=chain))
    _checkpoint, targets = write_checkpoint()
    return Rotation(seqs, key_id(new_key), key_id(old_key), targets)
