from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mettrack.accounts.models import User
from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime


class RiskIndicator(db.Model):
    """The toolkit's indicator catalogue: reference data an admin edits (seeded from
    risk/rules.py)."""

    __tablename__ = "risk_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    group: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class RiskAssessment(db.Model):
    """One completed assessment; every one is kept and the latest is current."""

    __tablename__ = "risk_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    assessed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    suggested_level: Mapped[str] = mapped_column(String(16))
    chosen_level: Mapped[str] = mapped_column(String(16))
    rationale: Mapped[str] = mapped_column(Text)
    next_review_on: Mapped[date] = mapped_column(Date)

    assessed_by: Mapped[User] = relationship()
    ratings: Mapped[list["RiskRating"]] = relationship(cascade="all, delete-orphan")


class RiskRating(db.Model):
    __tablename__ = "risk_ratings"

    assessment_id: Mapped[int] = mapped_column(ForeignKey("risk_assessments.id"), primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("risk_indicators.id"), primary_key=True)
    rating: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(Text)

    indicator: Mapped[RiskIndicator] = relationship(lazy="joined")
