"""Brute force: sign-in limits per address and per account, and the lock after repeated
failures (docs/security.md, "Sign-in limits and lockout").

Two Flask-Limiter limits sit on the sign-in form (accounts/auth_pages.py): one per client
address (LOGIN_RATE_LIMIT; the address is the client's only when PROXY_COUNT names the
proxies in front, core/proxy.py) and one per e-mail address as typed
(LOGIN_ACCOUNT_RATE_LIMIT, keyed by `limit_key`). They slow guessing; the lock here stops
it. After LOGIN_LOCKOUT_FAILURES failures for one e-mail address within
LOGIN_LOCKOUT_MINUTES, sign-in with that address is refused for LOGIN_LOCKOUT_MINUTES,
the right password included. The lock is a database row (SignInFailure), so it holds on
every web node at once and while Redis is down.

Everything is keyed by the e-mail address typed, whether or not an account has it: an
address with no account is counted, locked and answered in the same words and status as a
real one, so neither the limits nor the lock say which accounts exist. And a flood of
guesses at a made-up address locks that address only, never a real user's.
"""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from flask import current_app, request
from sqlalchemy import delete, func, select
from werkzeug.exceptions import HTTPException

from mettrack.accounts import two_factor
from mettrack.accounts import users as accounts
from mettrack.accounts.models import User
from mettrack.accounts.sign_in_failure import SignInFailure
from mettrack.core import audit
from mettrack.core.choices import AuditOutcome
from mettrack.core.clock import local, now
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db, limiter
from mettrack.core.unit_of_work import transaction


class SignInPaused(ValidationError):
    """Too many attempts: sign-in with this address (or from this client) waits until
    `until`. The same words whether or not the account exists."""

    status = 429

    def __init__(self, until: datetime):
        self.until = until
        super().__init__({"email": paused_message(until)})


def paused_message(until: datetime) -> str:
    moment = local(until)
    when = moment.strftime("%H:%M")
    if moment.date() != local(now()).date():
        when += moment.strftime(" on %-d %B")
    return f"There have been too many attempts to sign in. Try again after {when} (UK time)."


def seconds_until(until: datetime) -> str:
    """Retry-After's value: whole seconds, at least one."""
    return str(max(int((until - now()).total_seconds()), 1))


def normalised(email: str | None) -> str:
    # The same comparison accounts.check_password makes, so every spelling that reaches one
    # account shares that account's count.
    return (email or "").strip().lower()


def account_key(email: str | None) -> str:
    """A keyed hash of the address typed: what the limit and the lock are kept under, so
    neither Redis nor the database holds the address itself."""
    secret = str(current_app.secret_key or "").encode()
    return hmac.new(secret, normalised(email).encode(), hashlib.sha256).hexdigest()


def limit_key() -> str:
    """Flask-Limiter's key for the per-account limit. Empty (no limit applied) when no
    address was typed: that attempt checks no password."""
    try:
        email = normalised(request.form.get("email"))
    except HTTPException:
        # A body past the size limit (413): the view refuses it. Raised here, Flask-Limiter
        # would take it for its store being down.
        return ""
    return f"account:{account_key(email)}" if email else ""


def limit_resets_at() -> datetime:
    """When the Flask-Limiter limit just breached lets the next attempt through."""
    try:
        current = limiter.current_limit
        if current is not None:
            return datetime.fromtimestamp(current.reset_at, UTC)
    except Exception:  # noqa: BLE001  (the answer is a refusal either way; never a 500)
        current_app.logger.warning("could not read when the sign-in limit resets")
    return now() + timedelta(minutes=1)


def _period() -> timedelta:
    return timedelta(minutes=int(current_app.config["LOGIN_LOCKOUT_MINUTES"]))


def locked_until(email: str | None) -> datetime | None:
    """The end of the lock on this address, or None when it is not locked."""
    if not normalised(email):
        return None
    until = db.session.scalar(
        select(SignInFailure.locked_until).where(SignInFailure.account_key == account_key(email))
    )
    return until if until is not None and until > now() else None


def authenticate(email: str | None, password: str | None) -> User:
    """Who: anyone. The sign-in use case, one transaction whatever the outcome:

    - the address is locked: audited auth.sign_in_paused, raises SignInPaused (429)
      without checking the password;
    - a wrong password (or no such account, or a deactivated one): audited
      auth.sign_in_failed and counted against the address; raises SignInPaused when this
      failure locks it (auth.sign_in_locked), otherwise ValidationError. The refusal is
      committed before it is raised, so it stays recorded;
    - the right password: earlier failures are forgotten and the user returned, with
      auth.password_accepted written when a second step follows (two_factor.next_step),
      otherwise auth.signed_in and the last sign-in time;
    - a blank field: ValidationError, nothing written (no password was checked)."""
    outcome = _attempt(email, password)
    if isinstance(outcome, User):
        return outcome
    if outcome is not None:
        raise SignInPaused(outcome)
    raise ValidationError({"email": accounts.SIGN_IN_FAILED})


@transaction
def _attempt(email: str | None, password: str | None) -> User | datetime | None:
    """The user; or the end of the lock; or None for a failure that did not lock."""
    if until := locked_until(email):
        audit.record("auth.sign_in_paused", *_user_ref(email), outcome=AuditOutcome.DENIED, actor="anonymous")
        return until
    user = accounts.check_password(email, password)
    if user is None:
        accounts.record_sign_in_failed(_user_ref(email)[1])
        return record_failure(email)
    forget_failures(email)
    accounts.record_password_accepted(user, two_factor.next_step(user))
    return user


def _user_ref(email: str | None) -> tuple[str | None, int | None]:
    user_id = db.session.scalar(select(User.id).where(func.lower(User.email) == normalised(email)))
    return ("user", user_id) if user_id is not None else (None, None)


def _insert_ignoring_duplicates(values: dict):
    # Two failures at once for a new address must not both insert (a unique key clash
    # would answer 500): each dialect's INSERT ... ON CONFLICT DO NOTHING.
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(SignInFailure).values(**values).on_conflict_do_nothing(index_elements=["account_key"])


@transaction
def record_failure(email: str | None) -> datetime | None:
    """Who: anyone (a failed sign-in). Counts the failure against the address typed;
    returns the end of the lock when this failure locks it (audited auth.sign_in_locked)."""
    moment, period = now(), _period()
    key = account_key(email)
    first = {"account_key": key, "failures": 0, "first_failed_at": moment}
    db.session.execute(_insert_ignoring_duplicates(first))
    row = db.session.scalar(select(SignInFailure).where(SignInFailure.account_key == key).with_for_update())
    if row.locked_until is not None and row.locked_until > moment:
        return row.locked_until
    if row.locked_until is not None or row.first_failed_at <= moment - period:
        # A lock that has ended, or failures too old to count: start again.
        row.failures, row.first_failed_at, row.locked_until = 0, moment, None
    row.failures += 1
    if row.failures < int(current_app.config["LOGIN_LOCKOUT_FAILURES"]):
        return None
    row.failures, row.locked_until = 0, moment + period
    record_type, record_id = _user_ref(email)
    audit.record(
        "auth.sign_in_locked",
        record_type,
        record_id,
        outcome=AuditOutcome.DENIED,
        detail={"minutes": int(period.total_seconds() // 60)},
        actor="anonymous",
    )
    return row.locked_until


@transaction
def forget_failures(email: str | None) -> None:
    """Who: anyone (a sign-in that succeeded). Earlier failures no longer count."""
    db.session.execute(delete(SignInFailure).where(SignInFailure.account_key == account_key(email)))


@transaction
def purge_stale(moment: datetime | None = None) -> int:
    """Delete the rows that no longer lock or count (the session purge task runs it).
    Returns how many."""
    moment = moment or now()
    result = db.session.execute(
        delete(SignInFailure).where(
            SignInFailure.first_failed_at <= moment - _period(),
            (SignInFailure.locked_until.is_(None)) | (SignInFailure.locked_until <= moment),
        )
    )
    return result.rowcount or 0
