from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime


class AuditEvent(db.Model):
    """One row of the append-only, hash-chained audit log (see mettrack/core/audit.py).

    `seq` is the position in the chain and the primary key: two writers that both read
    the same tail cannot both append after it, so the chain cannot fork silently.
    actor_user_id has no foreign key on purpose: the log must outlive anything it names.
    On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE (migration 0012): rows
    are only ever added.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_record", "record_type", "record_id"),
        # A search by user, newest first (audit_log/search.py): that user's rows in order.
        Index("ix_audit_events_actor_seq", "actor_user_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
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
    # before migration 0012; 2 HMAC-SHA256 with AUDIT_HMAC_KEY, every row since.
    hash_version: Mapped[int] = mapped_column(SmallInteger, server_default="1")
