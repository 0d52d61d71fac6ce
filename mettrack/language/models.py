
from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mettrack.core.extensions import db


class LanguagePhrase(db.Model):
    """Victim-blaming phrases and better words: reference data admins extend (seeded from
    language/data/phrases.csv)."""

    __tablename__ = "language_phrases"

    id: Mapped[int] = mapped_column(primary_key=True)
    phrase: Mapped[str] = mapped_column(String(200), unique=True)
    suggestion: Mapped[str] = mapped_column(String(300))
    why: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
