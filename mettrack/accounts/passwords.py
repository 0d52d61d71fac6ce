"""Password hashing with Argon2id (memory-hard), via argon2-cffi."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so that an unknown account takes as long
# to refuse as a wrong password and timing does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_LENGTH = 12


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new password is refused, or None. Length over complexity rules (NCSC advice)."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters"
    if len(password) > 256:
        return "Password must be 256 characters or fewer"
    if email and password.lower() == email.lower():
        return "Password must not be your e-mail address"
    return None
