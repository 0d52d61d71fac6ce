"""API test helpers: users with bearer tokens, and reading the audit log.

Requests run outside any app context the test holds, as in production, so each request
gets its own database session; set-up and checks open their own with `app.app_context()`.
"""

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from tests import factories


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def audit_rows(app, action: str) -> list[dict]:
    """The audit rows with this action, oldest first, as plain dicts."""
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        )
        return [
            {
                "actor_user_id": r.actor_user_id,
                "record_type": r.record_type,
                "record_id": r.record_id,
                "outcome": r.outcome,
                "detail": json.loads(r.detail),
            }
            for r in rows
        ]


@dataclass
class ApiUser:
    id: int
    secret: str

    @property
    def headers(self) -> dict:
        return bearer(self.secret)


@pytest.fixture
def make_api_user(app):
    """make_api_user(role, **factory_kwargs) -> ApiUser: a user and a token of theirs."""

    def make(role=Role.LEAD_PROFESSIONAL, **kwargs) -> ApiUser:
        from mettrack.accounts import tokens

        with app.app_context():
            user = factories.user(roles=[role], **kwargs)
            _token, secret = tokens.create_token(user, name="test")
            return ApiUser(user.id, secret)

    return make
