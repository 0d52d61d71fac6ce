from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mettrack.accounts import rules
from mettrack.accounts.models import User
from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime


class RoleGrant(db.Model):
    """A role an administrator gave that waits for a second person (accounts/rules.py,
    SECOND_PERSON_ROLES), or a police user's access to review intelligence (`role` is
    rules.INTELLIGENCE_REVIEWER): the account holds it only once a MET chair approves.
    Kept after the decision, as the record of who asked and who decided."""

    __tablename__ = "role_grants"
    __table_args__ = (Index("ix_role_grants_state", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # How it was decided when no MET chair decided it: the operator at the command line,
    # or migration 0015 recording a police reviewer's access held before approval existed.
    note: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def label(self) -> str:
        return rules.grant_label(self.role)

    def __repr__(self) -> str:
        return f"<RoleGrant {self.id}>"
