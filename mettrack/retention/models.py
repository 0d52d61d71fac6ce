from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime


class LegalHold(db.Model):
    """A case that must not be offered for deletion (litigation, an inquiry, a police
    investigation). The reason is kept here, never in the audit log."""

    __tablename__ = "legal_holds"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class RetentionReview(db.Model):
    """One record due for review, as the weekly scan listed it: ids, dates and the rule
    applied, no personal data (the administrator who confirms deletion reads no case)."""

    __tablename__ = "retention_reviews"
    __table_args__ = (UniqueConstraint("record_type", "record_id", name="uq_retention_reviews_record"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(Integer)
    review_on: Mapped[date] = mapped_column(Date)
    rule: Mapped[str] = mapped_column(String(60))
    listed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
