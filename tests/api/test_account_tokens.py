"""The account page: the user's own API tokens, created (secret shown once) and revoked."""

import re
from datetime import UTC, datetime

from sqlalchemy import select

from mettrack.accounts.api_token import ApiToken
from mettrack.accounts.models import User
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from tests.conftest import post_form

SECRET_RE = re.compile(r'<code class="mettrack-token" id="new-token">(mt_[^<]+)</code>')


def _create(client, name="Nightly export"):
    return post_form(client, "/account/tokens", {"name": name}, page="/account/")


def test_creating_a_token_shows_its_secret_once(auth, client):
    auth.as_role(Role.PARTNER)
    response = _create(client)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    match = SECRET_RE.search(response.get_data(as_text=True))
    assert match, "the new token's secret is on the page"
    secret = match.group(1)
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    again = client.get("/account/").get_data(as_text=True)
    assert secret not in again
    assert "Nightly export" in again
    assert secret[:10] in again  # the prefix, to tell tokens apart


def test_creating_a_token_needs_the_csrf_token(auth, client, app):
    user_id = auth.as_role(Role.PARTNER)
    response = client.post("/account/tokens", data={"name": "forged"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)).all() == []


def test_a_token_name_too_long_is_refused_naming_the_field(auth, client, app):
    user_id = auth.as_role(Role.PARTNER)
    response = _create(client, name="x" * 101)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "100 characters or fewer" in page
    assert 'href="#name"' in page
    assert not SECRET_RE.search(page)
    with app.app_context():
        assert db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)).all() == []


def test_account_page_lists_only_the_users_own_tokens_in_london_time(auth, client, app):
    from mettrack.accounts import tokens
    from tests import factories

    user_id = auth.as_role(Role.PARTNER)
    with app.app_context():
        set_now(datetime(2026, 7, 1, 11, 30, tzinfo=UTC))  # 12:30 BST
        tokens.create_token(db.session.get(User, user_id), name="Mine")
        set_now(None)
        tokens.create_token(factories.user(roles=[Role.PARTNER]), name="Someone else's")
    page = client.get("/account/").get_data(as_text=True)
    assert "Mine" in page
    assert "1 July 2026 12:30" in page
    assert "Never" in page  # not used yet
    assert "Someone else" not in page


def test_revoking_a_token_stops_it_working(auth, client, app):
    auth.as_role(Role.PARTNER)
    secret = SECRET_RE.search(_create(client).get_data(as_text=True)).group(1)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "Nightly export"))
    response = post_form(client, f"/account/tokens/{token_id}/revoke", page="/account/")
    assert response.status_code == 302
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    page = client.get("/account/").get_data(as_text=True)
    assert "has been revoked" in page
    assert "Revoked" in page


def test_revoking_needs_the_csrf_token(auth, client, app):
    auth.as_role(Role.PARTNER)
    _create(client)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 400
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None


def test_nobody_revokes_another_users_token_from_their_account_page(auth, client, app):
    """Not even an admin: admins revoke other users' tokens from the admin user page."""
    from mettrack.accounts import tokens
    from tests import factories

    with app.app_context():
        owner = factories.user(roles=[Role.PARTNER])
        token, _secret = tokens.create_token(owner, name="theirs")
        token_id = token.id
    auth.as_role(Role.ADMIN)
    response = post_form(client, f"/account/tokens/{token_id}/revoke", page="/account/")
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None
