"""Bearer tokens are the API's only way in: never a session cookie."""

import pytest
from sqlalchemy import select

from mettrack.accounts.api_token import ApiToken
from mettrack.accounts.models import User
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, declared_permission
from tests.api.conftest import bearer

CASES = "/api/v1/cases"


def _assert_unauthorized(response):
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.get_json()
    assert body["status"] == 401
    assert "Authorization: Bearer" in body["detail"]


def test_valid_token_authenticates(client, make_api_user):
    user = make_api_user(Role.MET_CHAIR)
    response = client.get(CASES, headers=user.headers)
    assert response.status_code == 200
    assert response.mimetype == "application/json"


def test_missing_token_is_401(client):
    _assert_unauthorized(client.get(CASES))


def test_wrong_token_is_401(client, make_api_user):
    user = make_api_user(Role.MET_CHAIR)
    _assert_unauthorized(client.get(CASES, headers=bearer(user.secret + "x")))
    _assert_unauthorized(client.get(CASES, headers=bearer("mt_not-a-token")))


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token {secret}", "{secret}"])
def test_token_outside_a_bearer_header_is_401(client, make_api_user, header):
    user = make_api_user(Role.MET_CHAIR)
    _assert_unauthorized(client.get(CASES, headers={"Authorization": header.format(secret=user.secret)}))


def test_token_in_query_string_is_not_accepted(client, make_api_user):
    user = make_api_user(Role.MET_CHAIR)
    _assert_unauthorized(client.get(CASES, query_string={"access_token": user.secret}))


def test_revoked_token_is_401(app, client, make_api_user):
    from mettrack.accounts import tokens

    user = make_api_user(Role.MET_CHAIR)
    assert client.get(CASES, headers=user.headers).status_code == 200
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
        tokens.revoke_token(db.session.get(User, user.id), token.id)
    _assert_unauthorized(client.get(CASES, headers=user.headers))


def test_deactivated_users_token_is_401(app, client, make_api_user):
    user = make_api_user(Role.MET_CHAIR)
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    _assert_unauthorized(client.get(CASES, headers=user.headers))


def test_last_used_at_is_set_after_use(app, client, make_api_user):
    user = make_api_user(Role.MET_CHAIR)
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.user_id == user.id)) is None
    client.get(CASES, headers=user.headers)
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.user_id == user.id)) is not None


def test_signed_in_browser_session_does_not_authenticate_the_api(auth, client):
    auth.as_role(Role.MET_CHAIR)
    assert client.get("/cases/").status_code == 200  # the cookie does sign in the pages
    response = client.get(CASES)
    _assert_unauthorized(response)
    assert "Set-Cookie" not in response.headers


def test_api_response_sets_no_cookie_even_with_a_session_cookie(auth, client, make_api_user):
    auth.as_role(Role.PARTNER)
    user = make_api_user(Role.MET_CHAIR)
    response = client.get(CASES, headers=user.headers)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_api_acts_as_the_token_owner_not_the_signed_in_user(auth, client, make_api_user):
    auth.as_role(Role.MET_CHAIR)  # the browser's user may list cases ...
    analyst = make_api_user(Role.ANALYST)  # ... the token's owner may not
    assert client.get(CASES, headers=analyst.headers).status_code == 403


def test_token_does_not_sign_in_the_pages(client, make_api_user):
    user = make_api_user(Role.MET_CHAIR)
    response = client.get("/cases/", headers=user.headers)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_every_api_operation_declares_a_permission(app):
    """enforce_declared_access sees each @requires on a flask-smorest MethodView method."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        view = app.view_functions[rule.endpoint]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert isinstance(declared_permission(view, method), Perm), f"{method} {rule.rule}"


def test_api_answers_are_not_kept_by_caches(client, make_api_user):
    user = make_api_user(Role.MET_CHAIR)
    for response in (client.get(CASES, headers=user.headers), client.get(CASES)):
        assert response.headers["Cache-Control"] == "no-store"
        assert "Authorization" in response.headers["Vary"]
