from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from mettrack.core.choices import AgencySector
from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime


class Agency(db.Model):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # AgencySector: a police agency's users with a case role review intelligence.
    sector: Mapped[str] = mapped_column(String(32), default=AgencySector.OTHER.value, server_default="other")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    def __repr__(self) -> str:
        return f"<Agency {self.id}>"
