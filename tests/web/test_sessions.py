"""Sessions (issue 15, finding 10): no row before sign-in, sign-out deletes the row, and
"Sign out everywhere else". docs/security.md, "Sessions"."""

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from mettrack.core.sessions import ANONYMOUS_PREFIX
from mettrack.core.user_session import UserSession
from tests import factories
from tests.conftest import AuthActions, csrf_from, post_form

COOKIE = "mettrack_session"


def _rows(user_id=None) -> int:
    query = select(func.count()).select_from(UserSession)
    if user_id is not None:
        query = query.where(UserSession.user_id == user_id)
    return db.session.scalar(query)


def test_a_cookieless_visit_to_the_sign_in_page_writes_no_row(client, app_ctx):
    # Issue 15: every cookieless GET /login inserted a session row.
    for _ in range(5):
        client.delete_cookie(COOKIE)
        assert client.get("/login").status_code == 200
    assert _rows() == 0
    # The visitor's session (the form's CSRF token) travels in the signed cookie instead.
    assert client.get_cookie(COOKIE).value.startswith(ANONYMOUS_PREFIX)


def test_the_row_is_written_at_sign_in_with_a_new_id(client, auth, app_ctx):
    user = factories.user(email="lead@example.org")
    client.get("/login")
    before = client.get_cookie(COOKIE).value
    assert auth.login("lead@example.org").status_code == 302
    assert _rows() == _rows(user.id) == 1
    after = client.get_cookie(COOKIE).value
    assert after != before and not after.startswith(ANONYMOUS_PREFIX)


def test_a_failed_sign_in_writes_no_row(client, auth, app_ctx):
    factories.user(email="lead@example.org")
    assert auth.login("lead@example.org", "wrong password entirely").status_code == 400
    assert _rows() == 0


def test_sign_out_deletes_the_row(client, auth, app_ctx):
    # Issue 15: sign-out left the row in place, as anonymous, instead of deleting it.
    user = factories.user(email="lead@example.org")
    auth.login("lead@example.org")
    assert _rows(user.id) == 1
    response = auth.logout()
    assert response.status_code == 302
    assert _rows() == 0
    # The "signed out" message still reaches the sign-in page, from the visitor's cookie.
    assert "You have signed out." in client.get("/login").get_data(as_text=True)
    assert _rows() == 0
    action = db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.seq.desc()))
    assert action == "auth.signed_out"


def test_a_visitors_cookie_cannot_carry_a_user(client, app, app_ctx):
    # Even signed with the app's own key, a visitor's cookie holds only what the sign-in
    # page needs: a user id in it is ignored, so it can never stand in for a session row.
    user = factories.user(email="lead@example.org")
    forged = URLSafeTimedSerializer(app.secret_key, salt="mettrack-visitor-session").dumps(
        {"_user_id": str(user.id), "_fresh": True}
    )
    client.set_cookie(COOKIE, ANONYMOUS_PREFIX + forged)
    response = client.get("/cases/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    # Nor does a tampered one count.
    client.set_cookie(COOKIE, ANONYMOUS_PREFIX + forged[:-2] + "xx")
    assert client.get("/").status_code == 302


def test_sign_out_everywhere_else_ends_only_the_users_other_sessions(client, auth, app, app_ctx):
    user = factories.user(roles=[Role.LEAD_PROFESSIONAL], email="lead@example.org")
    factories.user(email="someone.else@example.org")
    laptop, phone, colleague = app.test_client(), app.test_client(), app.test_client()
    AuthActions(laptop, app).login("lead@example.org")
    AuthActions(phone, app).login("lead@example.org")
    AuthActions(colleague, app).login("someone.else@example.org")
    auth.login("lead@example.org")
    assert _rows(user.id) == 3

    page = client.get("/account/").get_data(as_text=True)
    assert "You are signed in here and in 2 other" in page
    assert "Sign out everywhere else" in page

    response = post_form(client, "/account/sessions/end-others", page="/account/")
    assert response.status_code == 302
    assert "signed out everywhere else (2 other places)" in client.get("/account/").get_data(as_text=True)
    assert client.get("/cases/").status_code == 200  # this session goes on
    for other in (laptop, phone):
        assert other.get("/cases/").status_code == 302
    assert colleague.get("/").status_code == 200  # nobody else's
    assert _rows(user.id) == 1

    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.other_sessions_ended"))
    assert row.actor_user_id == user.id
    assert row.detail == '{"sessions_ended": 2}'
    assert "You are signed in here only." in client.get("/account/").get_data(as_text=True)


def test_changing_the_password_says_the_other_sessions_ended(client, auth, app, app_ctx):
    factories.user(email="lead@example.org")
    other = app.test_client()
    AuthActions(other, app).login("lead@example.org")
    auth.login("lead@example.org")
    token = csrf_from(client.get("/account/password"))
    new = "a quite different long password"
    client.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "new_password": new,
            "confirm_password": new,
            "csrf_token": token,
        },
    )
    assert "signed out everywhere else" in client.get("/").get_data(as_text=True)
    assert other.get("/").status_code == 302
