from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime


class SignInFailure(db.Model):
    """Failed sign-ins for one e-mail address as typed, and the lock they led to
    (accounts/lockout.py). Keyed by a keyed hash of the address, never the address: a
    mistyped or made-up address is not personal data kept here, and an address with no
    account gets a row exactly as a real one does, so the lock reveals nothing."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str] = mapped_column(String(64), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
