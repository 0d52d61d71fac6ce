"""Two-factor sign-in: authenticator-app codes (TOTP, pyotp) and single-use recovery codes.

- The secret is stored encrypted (Fernet: AES with an HMAC, from `cryptography`) with
  TWO_FACTOR_KEY; `flask security rotate-2fa-key` re-encrypts every secret with a new key.
- pyotp accepts a code as often as it is typed within its 30 seconds: the last step a
  code was accepted for is kept, and a code for that step or an earlier one is refused
  (a conditional UPDATE, so two requests racing with one code cannot both pass).
- Recovery codes are shown once and kept as scrypt hashes; each signs in once.
- Audit rows name the user and what happened, never a secret or a code.
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import pyotp
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import delete, func, select, update

from mettrack.accounts import users
from mettrack.accounts.models import User
from mettrack.accounts.two_factor_credential import RecoveryCode, TwoFactorCredential
from mettrack.core import audit
from mettrack.core.choices import AuditOutcome
from mettrack.core.clock import now
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.sessions import end_sessions_for_user
from mettrack.core.unit_of_work import transaction

ISSUER = "METtrack"
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
# scrypt's cost: about 16 MB and a few tens of milliseconds a code. A recovery code holds
# 50 random bits, so this is ample against a copy of the table.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
WRONG_CODE = "The code is not correct, or it has been used already. Enter a new code"


class KeyProblem(RuntimeError):
    """A TWO_FACTOR_KEY that is not a key, or a secret that no key given opens."""


# Keys and encryption.


def development_key(secret_key: str) -> str:
    """The key used when TWO_FACTOR_KEY is not set (development and tests only:
    production requires the setting). Derived, so ./scripts/start needs no new setting."""
    digest = hashlib.sha256(b"mettrack-two-factor:" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def key_problem(key: str | None) -> str | None:
    if not key:
        return None
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return (
            "TWO_FACTOR_KEY must be a Fernet key (32 bytes, URL-safe base64): make one with "
            '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`'
        )
    return None


def _current_key() -> str:
    return current_app.config.get("TWO_FACTOR_KEY") or development_key(current_app.config["SECRET_KEY"])


def _encrypt(secret: str) -> str:
    return Fernet(_current_key().encode()).encrypt(secret.encode()).decode()


def _decrypt(token: str) -> str:
    try:
        return Fernet(_current_key().encode()).decrypt(token.encode()).decode()
    except InvalidToken:
        raise KeyProblem("a two-factor secret does not open with TWO_FACTOR_KEY") from None


# Reading a user's state.


@dataclass(frozen=True)
class Status:
    enabled: bool
    must_enrol: bool
    recovery_codes_left: int


def _credential(user_id: int) -> TwoFactorCredential | None:
    return db.session.get(TwoFactorCredential, user_id)


# Each reads the user's row once: a user without one (most, where two-factor is not
# required) would otherwise be looked up again for every question, on every request.
def _enabled(row: TwoFactorCredential | None) -> bool:
    return row is not None and row.confirmed_at is not None and row.secret_encrypted is not None


def _enrolment_required(row: TwoFactorCredential | None) -> bool:
    return bool(current_app.config.get("TWO_FACTOR_REQUIRED")) or (row is not None and row.must_enrol)


def is_enabled(user_id: int) -> bool:
    return _enabled(_credential(user_id))


def must_enrol(user: User) -> bool:
    """True when this user may not use the app until they have enrolled."""
    row = _credential(user.id)
    return not _enabled(row) and _enrolment_required(row)


def second_step_needed(user: User) -> bool:
    return next_step(user) is not None


def next_step(user: User) -> str | None:
    """What follows a right password: "two_factor" (a code), "enrol" (set it up first),
    or None (signed in at once)."""
    row = _credential(user.id)
    if _enabled(row):
        return "two_factor"
    return "enrol" if _enrolment_required(row) else None


def status(user_id: int) -> Status:
    row = _credential(user_id)
    left = db.session.scalar(
        select(func.count()).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )
    return Status(
        enabled=is_enabled(user_id), must_enrol=bool(row and row.must_enrol), recovery_codes_left=left or 0
    )


# Enrolment.


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str  # otpauth://, what the QR code holds


def start_enrolment(user: User) -> Enrolment:
    """Who: the user themself (signed in, or between password and second step). A new
    secret waits, unconfirmed, until a code from it is typed; the same one is shown again
    until then (a read: nothing is written or committed), so reloading the page does not
    change the QR code."""
    row = _credential(user.id)
    if row is not None and row.confirmed_at is None and row.secret_encrypted is not None:
        return _enrolment(user, row)
    return _start_enrolment(user)


def _enrolment(user: User, row: TwoFactorCredential) -> Enrolment:
    secret = _decrypt(row.secret_encrypted)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return Enrolment(secret=secret, uri=uri)


@transaction
def _start_enrolment(user: User) -> Enrolment:
    row = _credential(user.id)
    if row is None:
        row = TwoFactorCredential(user_id=user.id, must_enrol=False)
        db.session.add(row)
    if row.confirmed_at is not None and row.secret_encrypted is not None:
        raise ValidationError({"code": "Two-factor sign-in is already on for your account"})
    if row.secret_encrypted is None:
        row.secret_encrypted = _encrypt(pyotp.random_base32())
        row.updated_at = now()
        audit.record("user.two_factor_enrolment_started", "user", user.id, actor=user)
    return _enrolment(user, row)


def confirm_enrolment(user: User, code: str | None, *, signing_in: bool = False) -> list[str]:
    """Who: the user themself. Turns two-factor sign-in on once a code from the new
    secret is typed; returns the recovery codes, to show once. `signing_in`: set up as
    the second step of signing in, which is then complete (auth.signed_in, in the same
    transaction). A wrong code is audited and committed, then refused."""
    codes = _confirm(user, code, signing_in)
    if codes is None:
        raise ValidationError({"code": WRONG_CODE})
    return codes


@transaction
def _confirm(user: User, code: str | None, signing_in: bool) -> list[str] | None:
    row = _credential(user.id)
    if row is None or row.secret_encrypted is None or row.confirmed_at is not None:
        raise ValidationError({"code": "Start again: open the page to set up two-factor sign-in"})
    if not _accept_totp(row, code):
        denied = AuditOutcome.DENIED
        audit.record("user.two_factor_enrolment_failed", "user", user.id, outcome=denied, actor=user)
        return None
    row.confirmed_at = now()
    row.must_enrol = False
    row.updated_at = now()
    codes = _new_recovery_codes(user.id)
    detail = {"recovery_codes": len(codes)}
    audit.record("user.two_factor_enabled", "user", user.id, detail=detail, actor=user)
    if signing_in:
        users.record_signed_in(user, "enrolled")
    return codes


# The second step of signing in.


def verify(user: User, code: str | None) -> str:
    """Who: someone who has just given this user's password. Accepts a code from the
    authenticator app or an unused recovery code; returns which ("app" or "recovery").
    One transaction: on success the sign-in is complete (auth.two_factor_passed, then
    auth.signed_in and the last sign-in time); a wrong code is audited
    (auth.two_factor_failed) and committed, then refused."""
    text = "".join((code or "").split()).lower()
    if not text:
        raise ValidationError({"code": "Enter the code from your authenticator app, or a recovery code"})
    used = _verify(user, text)
    if used is None:
        raise ValidationError({"code": WRONG_CODE})
    return used


@transaction
def _verify(user: User, text: str) -> str | None:
    used = _check(user, text) if text.isascii() and len(text) <= 40 else None
    if used is None:
        denied = AuditOutcome.DENIED
        audit.record("auth.two_factor_failed", "user", user.id, outcome=denied, actor="anonymous")
    else:
        users.record_signed_in(user, used)
    return used


def _check(user: User, text: str) -> str | None:
    row = _credential(user.id)
    if row is None or row.confirmed_at is None or row.secret_encrypted is None:
        return None
    if text.isdigit() and _accept_totp(row, text):
        audit.record("auth.two_factor_passed", "user", user.id, detail={"with": "app"}, actor=user)
        return "app"
    if not text.isdigit() and _use_recovery_code(user.id, text):
        left = status(user.id).recovery_codes_left
        audit.record(
            "auth.two_factor_passed", "user", user.id, detail={"with": "recovery", "left": left}, actor=user
        )
        return "recovery"
    return None


def _accept_totp(row: TwoFactorCredential, code: str | None) -> bool:
    """A code for the step now, or one step either side (clocks drift), later than the
    last one accepted; the step is stored in the same statement that checks it."""
    code = "".join((code or "").split())
    # isascii: other scripts' digits pass isdigit, and compare_digest refuses them.
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(_decrypt(row.secret_encrypted))
    current = int(now().timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if not hmac.compare_digest(totp.generate_otp(step), code):
            continue
        result = db.session.execute(
            update(TwoFactorCredential)
            .where(
                TwoFactorCredential.user_id == row.user_id,
                (TwoFactorCredential.last_used_step.is_(None)) | (TwoFactorCredential.last_used_step < step),
            )
            .values(last_used_step=step)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(row)
        return result.rowcount == 1
    return False


# Recovery codes.


def _hash_code(code: str, salt: str) -> str:
    return hashlib.scrypt(code.encode(), salt=bytes.fromhex(salt), **_SCRYPT).hex()


def _new_recovery_codes(user_id: int) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    salt = secrets.token_hex(16)
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user_id, salt=salt, code_hash=_hash_code(codes[-1], salt)))
    db.session.flush()
    return codes


def _use_recovery_code(user_id: int, text: str) -> bool:
    if len(text) == 10 and "-" not in text:
        text = f"{text[:5]}-{text[5:]}"
    unused = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    ).all()
    hashes = {}
    for row in unused:
        if row.salt not in hashes:
            hashes[row.salt] = _hash_code(text, row.salt)
        if hmac.compare_digest(hashes[row.salt], row.code_hash):
            used = db.session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                .values(used_at=now())
                .execution_options(synchronize_session=False)
            )
            return used.rowcount == 1
    return False


@transaction
def regenerate_recovery_codes(user: User) -> list[str]:
    """Who: the user themself, with two-factor sign-in on. The old codes stop working."""
    if not is_enabled(user.id):
        raise ValidationError({"code": "Turn on two-factor sign-in first"})
    codes = _new_recovery_codes(user.id)
    audit.record("user.two_factor_recovery_codes_renewed", "user", user.id, actor=user)
    return codes


# Administration.


@transaction
def admin_reset(user: User, actor) -> None:
    """Who: an admin (not for their own account). Removes the user's secret and recovery
    codes and ends their sessions: they enrol again at next sign-in, whatever
    TWO_FACTOR_REQUIRED says. For a user who lost their phone and their codes."""
    if getattr(actor, "id", None) == user.id:
        raise ValidationError({"confirm": "You cannot reset your own two-factor sign-in"})
    row = _credential(user.id) or TwoFactorCredential(user_id=user.id)
    db.session.add(row)
    row.secret_encrypted = None
    row.confirmed_at = None
    row.must_enrol = True
    row.updated_at = now()
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    ended = end_sessions_for_user(user.id)
    audit.record("user.two_factor_reset", "user", user.id, detail={"sessions_ended": ended}, actor=actor)


@transaction
def rotate_key(old_keys: list[str], new_key: str) -> int:
    """Re-encrypt every secret with `new_key`; each opens with the new key or one of the
    old ones. Returns how many secrets were re-encrypted. One transaction: a secret that
    opens with no key given stops the whole rotation, leaving every row as it was."""
    for key in (new_key, *old_keys):
        if problem := key_problem(key):
            raise KeyProblem(problem)
    keys = MultiFernet([Fernet(k.encode()) for k in (new_key, *old_keys)])
    count = 0
    rows = db.session.scalars(
        select(TwoFactorCredential).where(TwoFactorCredential.secret_encrypted.is_not(None))
    )
    for row in rows:
        try:
            row.secret_encrypted = keys.rotate(row.secret_encrypted.encode()).decode()
        except InvalidToken:
            raise KeyProblem(
                f"the two-factor secret of user {row.user_id} opens with none of the keys given"
            ) from None
        count += 1
    audit.record("security.two_factor_key_rotated", detail={"secrets": count}, actor="cli")
    return count
