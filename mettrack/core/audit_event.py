from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, Sequence, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime

# seq's numbers on PostgreSQL (migration 0018): taken under a chain's lock, one per row.
SEQ_SEQUENCE = "audit_events_seq_seq"


class AuditEvent(db.Model):
    """One row of the append-only, hash-chained audit log (see mettrack/core/audit.py).

    The log is several hash chains (AUDIT_CHAINS, migration 0018): each row names its
    `chain` and its `position` in it, and links to the row before it in that chain. The
    unique (chain, position) index means two writers that both read a chain's tail cannot
    both append after it, so no chain can fork silently. `seq` is the primary key and the
    order the audit log shows: from a PostgreSQL sequence, so it rises in each chain but
    may skip numbers (a rolled-back append). Rows written before 0018 (hash versions 1
    and 2) are chain 0 with no position of their own: their position is their seq.
    actor_user_id has no foreign key on purpose: the log must outlive anything it names.
    On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE (migration 0012): rows
    are only ever added.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_record", "record_type", "record_id"),
        # A search by user, newest first (audit_log/search.py): that user's rows in order.
        Index("ix_audit_events_actor_seq", "actor_user_id", "seq"),
        # Each chain's tail (the append reads it) and its walk (`audit verify`).
        Index(
            "ux_audit_events_chain_position",
            "chain",
            "position",
            unique=True,
            postgresql_where=text("position IS NOT NULL"),
            sqlite_where=text("position IS NOT NULL"),
        ),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        Sequence(SEQ_SEQUENCE),  # PostgreSQL only; audit.py takes its values explicitly
        primary_key=True,
        autoincrement=False,
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_label: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(80))
    record_type: Mapped[str | None] = mapped_column(String(40))
    record_id: Mapped[str | None] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(16))
    ip_address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))
    # How row_hash was made (mettrack/core/audit.py): 1 unkeyed SHA-256, the rows written
    # before migration 0012; 2 HMAC-SHA256 with AUDIT_HMAC_KEY, the rows before 0018; 3 the
    # same over the row's chain and position too, every row since.
    hash_version: Mapped[int] = mapped_column(SmallInteger, server_default="1")
    chain: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    # None on the rows written before migration 0018 (chain 0, position = seq).
    position: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
