"""Password hashing with Argon2id (memory-hard), via argon2-cffi."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mettrack.accounts.rules import MIN_PASSWORD_LENGTH

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so that an unknown account takes as long
# to refuse as a wrong password and timing does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

# Which passwords are accepted is a rule: accounts/rules.password_problem.
MIN_LENGTH = MIN_PASSWORD_LENGTH


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
