from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mettrack.clock import now
from mettrack.extensions import db
from mettrack.models.types import UTCDateTime
from mettrack.models.user import User


class CaseNote(db.Model):
    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    body: Mapped[str] = mapped_column(Text)
    # What the language check flagged when the note was saved anyway (JSON list).
    flagged_phrases: Mapped[str] = mapped_column(Text, default="[]")

    author: Mapped[User] = relationship()


class LanguagePhrase(db.Model):
    """Victim-blaming phrases and better words: reference data admins extend (seeded from
    domain/data/phrases.csv)."""

    __tablename__ = "language_phrases"

    id: Mapped[int] = mapped_column(primary_key=True)
    phrase: Mapped[str] = mapped_column(String(200), unique=True)
    suggestion: Mapped[str] = mapped_column(String(300))
    why: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
