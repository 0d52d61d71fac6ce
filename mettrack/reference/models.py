from sqlalchemy import Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mettrack.core.extensions import db


class ReferenceItem(db.Model):
    """An entry of a list the partnership keeps (domain.choices.ReferenceKind): police
    tiers and teams, specialist services, exit reasons."""

    __tablename__ = "reference_items"
    __table_args__ = (UniqueConstraint("kind", "code", name="uq_reference_items_kind_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200))
    # For a police team: the tier it holds (high: MET team or high harm; medium: NPT).
    parent_code: Mapped[str | None] = mapped_column(String(60))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
