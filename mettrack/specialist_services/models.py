from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime


class ServiceAssignment(db.Model):
    """A specialist service (reference data) assigned to a case, and its acceptance."""

    __tablename__ = "service_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    service_code: Mapped[str] = mapped_column(String(60))
    worker: Mapped[str | None] = mapped_column(String(200))
    accepted_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
