from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime, trigram_index


class Child(db.Model):
    __tablename__ = "children"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(500))
    # Other names the child is known by, one per line (for matching and search).
    aliases: Mapped[str | None] = mapped_column(Text)
    ethnicity: Mapped[str | None] = mapped_column(String(100))
    school: Mapped[str | None] = mapped_column(String(200))
    parent_carer_contacts: Mapped[str | None] = mapped_column(Text)
    looked_after: Mapped[bool] = mapped_column(Boolean, default=False)
    looked_after_status: Mapped[str | None] = mapped_column(String(40))
    social_worker: Mapped[str | None] = mapped_column(String(200))
    nhs_number: Mapped[str | None] = mapped_column(String(10), index=True)
    local_identifier: Mapped[str | None] = mapped_column(String(60))
    # Room for the consistent child identifier of the Children's Wellbeing and Schools Act 2026.
    consistent_child_identifier: Mapped[str | None] = mapped_column(String(60), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def initials(self) -> str:
        """What a sanitised agenda shows in place of the name (cases/projection.py)."""
        return f"{self.first_name[:1]}{self.last_name[:1]}".upper()

    def __repr__(self) -> str:  # never a name: reprs end up in logs
        return f"<Child {self.id}>"


# The name search (cases/queries.py) matches each word in part, in any case.
trigram_index("ix_children_first_name_trgm", Child.first_name)
trigram_index("ix_children_last_name_trgm", Child.last_name)
trigram_index("ix_children_aliases_trgm", Child.aliases)
