from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime


class MissingEpisode(db.Model):
    """A missing episode and its Return Home Interview, which must be offered within 72
    hours of the child's return by someone independent of the child's care (statutory
    guidance on children who run away or go missing from home or care, 2014)."""

    __tablename__ = "missing_episodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    went_missing_at: Mapped[datetime] = mapped_column(UTCDateTime())
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    police_reference: Mapped[str | None] = mapped_column(String(60))
    where_found: Mapped[str | None] = mapped_column(Text)
    reported_by: Mapped[str | None] = mapped_column(String(200))
    rhi_status: Mapped[str | None] = mapped_column(String(16))
    rhi_offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rhi_held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rhi_by: Mapped[str | None] = mapped_column(String(200))
    rhi_learning: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class PhilomenaProfile(db.Model):
    """Philomena Protocol: what police need if a child in care goes missing, recorded in
    advance so it can be printed or sent at once."""

    __tablename__ = "philomena_profiles"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    photo_type: Mapped[str | None] = mapped_column(String(40))
    photo_taken_on: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    places: Mapped[str | None] = mapped_column(Text)
    people: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(40))
    medical_needs: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
