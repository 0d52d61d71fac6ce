"""Signing in and out, and the server-side session's life."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mettrack.accounts import users as accounts
from mettrack.accounts.users import SIGN_IN_FAILED
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import AuditOutcome, Role
from mettrack.core.clock import now, set_now
from mettrack.core.extensions import db
from mettrack.core.user_session import UserSession
from tests import factories
from tests.conftest import csrf_from

COOKIE = "mettrack_session"


@pytest.fixture
def lead(app_ctx):
    return factories.user(roles=[Role.LEAD_PROFESSIONAL], email="lead@example.org")


def _cookie(client):
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def test_sign_in_with_correct_password_reaches_home(client, auth, lead):
    response = auth.login("lead@example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Test User" in page


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("lead@example.org", "wrong password entirely"),
        ("nobody@example.org", "correct horse battery staple"),
        ("LEAD@EXAMPLE.ORG", "wrong"),
    ],
    ids=["wrong-password", "unknown-user", "wrong-password-any-case"],
)
def test_failed_sign_in_gives_one_message_that_reveals_nothing(client, auth, lead, email, password):
    response = auth.login(email, password)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert SIGN_IN_FAILED in page
    assert _signed_in_user_id(client) is None


def test_deactivated_user_gets_the_same_message(client, auth, app_ctx):
    factories.user(email="gone@example.org", active=False)
    response = auth.login("gone@example.org")
    assert response.status_code == 400
    assert SIGN_IN_FAILED in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"email": ""},
        {"email": "x@example.org"},
        {"password": "x"},
        {"email": "a" * 5000, "password": "b" * 5000},
    ],
    ids=["empty", "blank-email", "no-password", "no-email", "huge"],
)
def test_bad_sign_in_input_is_a_clear_400_not_a_500(client, form, app_ctx):
    token = csrf_from(client.get("/login"))
    response = client.post("/login", data={**form, "csrf_token": token})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter your" in page or SIGN_IN_FAILED in page


def test_sign_in_without_csrf_token_is_refused(client, lead):
    response = client.post("/login", data={"email": "lead@example.org", "password": factories.PASSWORD})
    assert response.status_code == 400
    assert _signed_in_user_id(client) is None


def test_failed_sign_in_is_audited_on_its_own(client, auth, lead):
    auth.login("lead@example.org", "wrong password entirely")
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed"))
    assert row is not None
    assert row.outcome == AuditOutcome.DENIED


def test_sign_in_rotates_the_session_id(client, auth, lead):
    client.get("/login")
    before = _cookie(client)
    auth.login("lead@example.org")
    after = _cookie(client)
    assert before and after and before != after
    # The pre-sign-in id is worthless now.
    client.set_cookie(COOKIE, before)
    assert client.get("/").status_code == 302


def test_no_remember_me_cookie_is_set(client, auth, lead):
    response = auth.login("lead@example.org")
    assert "remember_token" not in response.headers.get("Set-Cookie", "")
    assert "Expires" not in response.headers.get("Set-Cookie", "")


def _signed_in_user_id(client):
    return db.session.scalar(select(UserSession.user_id).where(UserSession.user_id.is_not(None)))


def test_cookie_captured_before_sign_out_gets_the_sign_in_page(client, auth, lead, app):
    auth.login("lead@example.org")
    captured = _cookie(client)
    assert client.get("/cases/").status_code == 200
    auth.logout()

    replay = app.test_client()
    replay.set_cookie(COOKIE, captured)
    response = replay.get("/cases/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_cookie_captured_before_deactivation_gets_the_sign_in_page(client, auth, lead, app):
    auth.login("lead@example.org")
    captured = _cookie(client)
    accounts.set_active(lead, False, actor="test")

    replay = app.test_client()
    replay.set_cookie(COOKIE, captured)
    response = replay.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert (
        db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == lead.id))
        == 0
    )


def test_session_expires_when_idle(client, auth, lead, app):
    start = now()
    set_now(start)
    auth.login("lead@example.org")
    set_now(start + timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 1))
    assert client.get("/").status_code == 200
    set_now(start + timedelta(minutes=2 * app.config["SESSION_IDLE_MINUTES"] + 1))
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_activity_keeps_the_session_alive_until_the_absolute_limit(client, auth, lead, app):
    start = now()
    set_now(start)
    auth.login("lead@example.org")
    step = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 5)
    moment = start
    while moment + step < start + timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"]):
        moment += step
        set_now(moment)
        assert client.get("/").status_code == 200
    set_now(start + timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"], minutes=1))
    assert client.get("/").status_code == 302


def test_user_who_must_change_password_is_sent_to_change_it(client, auth, app_ctx):
    factories.user(email="new@example.org", must_change_password=True)
    auth.login("new@example.org")
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/password")
    token = csrf_from(client.get("/account/password"))
    response = client.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "new_password": "a brand new long password",
            "confirm_password": "a brand new long password",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_change_password_names_each_bad_field(client, auth, lead):
    auth.login("lead@example.org")
    token = csrf_from(client.get("/account/password"))
    response = client.post(
        "/account/password",
        data={
            "current_password": "nope",
            "new_password": "short",
            "confirm_password": "other",
            "csrf_token": token,
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "current password is not correct" in page
    assert "at least 12 characters" in page
    assert "do not match" in page


def test_next_parameter_cannot_redirect_off_site(client, lead):
    token = csrf_from(client.get("/login"))
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": "lead@example.org", "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_changing_password_signs_out_other_sessions_but_not_this_one(client, auth, lead, app):
    other = app.test_client()
    other_auth = type(auth)(other, app)
    other_auth.login("lead@example.org")
    auth.login("lead@example.org")
    token = csrf_from(client.get("/account/password"))
    response = client.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "new_password": "another long new password",
            "confirm_password": "another long new password",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
