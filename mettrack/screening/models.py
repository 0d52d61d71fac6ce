from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mettrack.accounts.models import User
from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime


class Screening(db.Model):
    """A CSERQ4 screening: the answers as given, and the outcome derived by
    screening/cserq4.py at the time (kept, so a later rule change does not rewrite history)."""

    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    screened_on: Mapped[date] = mapped_column(Date)
    child_age: Mapped[int] = mapped_column(Integer)
    went_missing: Mapped[bool] = mapped_column(Boolean)
    partner_age: Mapped[int | None] = mapped_column(Integer)
    older_partner: Mapped[str] = mapped_column(String(8))  # yes, no or unknown
    controlling_relationship: Mapped[bool] = mapped_column(Boolean)
    frequenting_areas: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text)
    screened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    screened_by: Mapped[User] = relationship()
