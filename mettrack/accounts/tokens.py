"""Personal API tokens: issued once, stored as a SHA-256 hash, revocable.

A token is 32 random bytes, so a fast hash is enough (no password stretching needed):
nobody can guess one, and the hash only has to stop a copy of the table being usable.
"""

import hashlib
import secrets

from sqlalchemy import func, select

from mettrack.accounts.api_token import ApiToken
from mettrack.accounts.models import User
from mettrack.core import audit, refusal_audit
from mettrack.core.choices import Role
from mettrack.core.clock import now
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import NotFound
from mettrack.core.unit_of_work import transaction, unit_of_work

PREFIX = "mt_"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction
def create_token(user: User, name: str | None = None, actor=None) -> tuple[ApiToken, str]:
    """Who: the user themself (account page) or an operator (CLI). Returns the token and
    its secret, which is shown once and never stored."""
    name = (name or "API token").strip()
    if len(name) > 100:
        raise ValidationError({"name": "Token name must be 100 characters or fewer"})
    if not user.active:
        raise ValidationError({"email": "This user is deactivated"})
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:10], token_hash=_hash(secret))
    db.session.add(token)
    db.session.flush()
    audit.record("token.created", "api_token", token.id, detail={"user_id": user.id}, actor=actor or user)
    return token, secret


def user_for_secret(secret: str | None) -> User | None:
    """The active user owning an unrevoked token with this secret, or None. Records the
    token's last use, and audits a token that opens nothing (core/refusal_audit.py)."""
    if not secret:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        # Audited (rate-limited per address): someone is trying tokens that open nothing.
        reason = "unknown" if token is None else "revoked" if token.revoked_at else "deactivated"
        refusal_audit.token_refused(reason, token.id if token else None)
        return None
    moment = now()
    if token.last_used_at is None or (moment - token.last_used_at).total_seconds() > 60:
        # Its own small unit of work, and only about once a minute: most requests write nothing.
        with unit_of_work():
            token.last_used_at = moment
    return token.user


def list_tokens(user_id: int) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc())
        )
    )


@transaction
def revoke_token(actor: User, token_id: int) -> ApiToken:
    """Who: the token's owner, or an admin. Anyone else gets NotFound."""
    token = db.session.get(ApiToken, token_id)
    if token is None or not (token.user_id == actor.id or actor.has_role(Role.ADMIN)):
        raise NotFound("api_token", token_id)
    if token.revoked_at is None:
        token.revoked_at = now()
        audit.record("token.revoked", "api_token", token.id, detail={"user_id": token.user_id}, actor=actor)
    return token


@transaction
def revoke_all_for_user(user: User, reason: str, actor=None) -> int:
    """Revoke every token of `user` still in force, as the password reset, deactivation
    and reactivation do (docs/security.md, "API tokens"): a token made before is no key
    to the account after. One audit row naming how many and why; returns how many."""
    moment = now()
    live = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in live:
        token.revoked_at = moment
    if live:
        audit.record(
            "tokens.revoked",
            "user",
            user.id,
            detail={"reason": reason, "count": len(live), "token_ids": [t.id for t in live]},
            actor=actor,
        )
    return len(live)


def revoke_own_token(user: User, token_id: int) -> ApiToken:
    """Who: the token's owner (the account page). Anyone else, an admin included, gets
    NotFound: admins revoke other users' tokens from the admin user page."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("api_token", token_id)
    return revoke_token(user, token_id)


def user_by_email(email: str | None) -> User:
    """Who: an operator (CLI). The user with this e-mail address, whatever its case;
    ValidationError naming `email` when there is none."""
    email = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == email)) if email else None
    if user is None:
        raise ValidationError({"email": "There is no user with this e-mail address"})
    return user
