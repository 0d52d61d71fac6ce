"""API tokens after a password reset, a deactivation, a reactivation and while a password
must change (issue 15, finding 5; docs/security.md, "API tokens").

Before the fix a token outlived its owner's password reset, came back with a reactivated
account, and wrote through the API while its owner had still to choose a new password."""

import pytest
from sqlalchemy import select

from mettrack.accounts import tokens, users
from mettrack.accounts.api_token import ApiToken
from mettrack.accounts.models import User
from mettrack.api.blueprint import PASSWORD_MUST_CHANGE
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from tests import factories
from tests.api.conftest import audit_rows

CASES = "/api/v1/cases"
LANGUAGE_CHECK = "/api/v1/language-check"


@pytest.fixture
def admin_id(app):
    with app.app_context():
        return factories.user(roles=[Role.ADMIN]).id


def _as(app, user_id, change, admin_id):
    with app.app_context():
        change(db.session.get(User, user_id), actor=db.session.get(User, admin_id))


def _live_tokens(app, user_id) -> int:
    with app.app_context():
        return len(
            db.session.scalars(
                select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
            ).all()
        )


def test_a_password_reset_revokes_the_users_tokens(app, client, make_api_user, admin_id):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    assert client.get(CASES, headers=lead.headers).status_code == 200
    _as(app, lead.id, users.reset_password, admin_id)
    assert client.get(CASES, headers=lead.headers).status_code == 401
    assert _live_tokens(app, lead.id) == 0
    (row,) = audit_rows(app, "tokens.revoked")
    assert (row["record_id"], row["actor_user_id"]) == (str(lead.id), admin_id)
    assert row["detail"]["reason"] == "password_reset"


def test_deactivation_revokes_and_reactivation_does_not_bring_them_back(app, client, make_api_user, admin_id):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    _as(app, lead.id, lambda u, actor: users.set_active(u, False, actor=actor), admin_id)
    assert client.get(CASES, headers=lead.headers).status_code == 401
    _as(app, lead.id, lambda u, actor: users.set_active(u, True, actor=actor), admin_id)
    assert client.get(CASES, headers=lead.headers).status_code == 401
    assert _live_tokens(app, lead.id) == 0
    assert [r["detail"]["reason"] for r in audit_rows(app, "tokens.revoked")] == ["deactivated"]


def test_reactivation_revokes_a_token_a_deactivation_missed(app, client, make_api_user, admin_id):
    # Deactivated before this release (or by hand in the database): its token still unrevoked.
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    with app.app_context():
        db.session.get(User, lead.id).active = False
        db.session.commit()
    _as(app, lead.id, lambda u, actor: users.set_active(u, True, actor=actor), admin_id)
    assert client.get(CASES, headers=lead.headers).status_code == 401
    assert [r["detail"]["reason"] for r in audit_rows(app, "tokens.revoked")] == ["reactivated"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("get", CASES, None), ("post", LANGUAGE_CHECK, {"text": "a meeting was held"})],
)
def test_while_a_password_must_change_every_api_call_is_403(app, client, make_api_user, method, path, body):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    with app.app_context():
        db.session.get(User, lead.id).must_change_password = True
        db.session.commit()
    response = getattr(client, method)(path, headers=lead.headers, json=body)
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == PASSWORD_MUST_CHANGE
    (row,) = audit_rows(app, "token.suspended_use")
    assert (row["record_id"], row["outcome"]) == (str(lead.id), "denied")


def test_the_token_works_again_once_the_password_is_changed(app, client, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    with app.app_context():
        db.session.get(User, lead.id).must_change_password = True
        db.session.commit()
    assert client.get(CASES, headers=lead.headers).status_code == 403
    with app.app_context():
        new = "a brand new long passphrase"
        users.change_password(db.session.get(User, lead.id), factories.PASSWORD, new, new)
    assert client.get(CASES, headers=lead.headers).status_code == 200


def test_a_new_token_after_a_reset_works_once_the_password_is_changed(app, client, make_api_user, admin_id):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    _as(app, lead.id, users.reset_password, admin_id)
    with app.app_context():
        user = db.session.get(User, lead.id)
        _token, secret = tokens.create_token(user, "after the reset")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(CASES, headers=headers).status_code == 403
    with app.app_context():
        db.session.get(User, lead.id).must_change_password = False
        db.session.commit()
    assert client.get(CASES, headers=headers).status_code == 200
