from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mettrack.accounts.models import User
from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime


class Reminder(db.Model):
    """One reminder to one person: the record of it, not the queue's message
    (DESIGN.md, Reminders; docs/reminders.md). It is also the person's in-app
    notification, read or not."""

    __tablename__ = "reminders"
    __table_args__ = (
        # Making a reminder is idempotent: a rescan, a retry or a second beat inserts
        # nothing new (reminders/delivery.py inserts with ON CONFLICT DO NOTHING).
        UniqueConstraint("kind", "record_id", "due_at", "recipient_id", name="uq_reminders_key"),
        Index("ix_reminders_state_not_before", "state", "not_before"),
        Index("ix_reminders_recipient_read", "recipient_id", "read_at"),
        # The header's unread count on every page (notifications.unread_count): counted
        # from this index alone, not from each unread row.
        Index(
            "ix_reminders_unread",
            "recipient_id",
            postgresql_where=text("read_at IS NULL AND state <> 'cancelled'"),
            sqlite_where=text("read_at IS NULL AND state <> 'cancelled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    # The case for review reminders, the missing episode for RHI ones (ReminderKind.record_type).
    record_id: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # None for a reminder about a meeting rather than a case (an agenda to circulate).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    # Not sent before this moment: the due moment, or the recipient's next digest.
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    # When the scan last handed it to the broker; again once this is older than the
    # requeue setting while still pending (the message may have been lost).
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Which claim may finish the send: a worker whose claim went stale and was taken
    # over by another cannot mark the row afterwards.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # after a failed try
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    send_round: Mapped[int] = mapped_column(Integer, default=1)  # a chair's resend starts a new one
    message_id: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recipient: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Reminder {self.id}>"
