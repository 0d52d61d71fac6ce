from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime


class TwoFactorCredential(db.Model):
    """A user's authenticator-app secret (TOTP), encrypted with TWO_FACTOR_KEY
    (accounts/two_factor.py). One row per user: `confirmed_at` is set once the user has
    typed a code from it, and only a confirmed secret signs anyone in."""

    __tablename__ = "two_factor_credentials"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    secret_encrypted: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # pyotp does not stop a code being used twice: the last 30-second step a code was
    # accepted for is kept, and a code for that step or an earlier one is refused.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)
    # Set by an administrator's reset: the user enrols again at next sign-in, whatever
    # TWO_FACTOR_REQUIRED says.
    must_enrol: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    def __repr__(self) -> str:
        return f"<TwoFactorCredential {self.user_id}>"


class RecoveryCode(db.Model):
    """One single-use recovery code, kept only as an scrypt hash. A set shares one salt,
    so a typed code is hashed once and compared with each."""

    __tablename__ = "two_factor_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    salt: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id}>"
