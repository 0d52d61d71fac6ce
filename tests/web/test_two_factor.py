"""Two-factor sign-in: enrolment, the second step, replay, recovery codes, the
TWO_FACTOR_REQUIRED setting, an administrator's reset and key rotation
(accounts/two_factor.py, accounts/two_factor_pages.py; docs/security.md)."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from mettrack.accounts import two_factor
from mettrack.accounts.models import User
from mettrack.accounts.two_factor_credential import RecoveryCode, TwoFactorCredential
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.clock import now, set_now
from mettrack.core.extensions import db
from tests import factories
from tests.conftest import csrf_from

START = datetime(2026, 12, 4, 9, 0, 0, tzinfo=UTC)
SECRET_RE = re.compile(r'id="two-factor-secret">([A-Z2-7 ]+)<')
CODES_RE = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")


@pytest.fixture(autouse=True)
def _clock():
    set_now(START)
    yield
    set_now(None)


@pytest.fixture
def lead(app_ctx):
    user = factories.user(roles=[Role.LEAD_PROFESSIONAL], email="lead@example.org")
    return user.id


def _code(secret: str, later: int = 0) -> str:
    return pyotp.TOTP(secret).generate_otp(int(now().timestamp()) // 30 + later)


def _tick(seconds: int = 30) -> None:
    set_now(now() + timedelta(seconds=seconds))


def _post(client, path, data, page=None):
    token = csrf_from(client.get(page or path))
    return client.post(path, data={**data, "csrf_token": token})


def _enrol_on_page(client, path="/account/two-factor/enrol") -> tuple[str, list[str]]:
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "<svg" in html  # the QR code, drawn here: no call to another site
    secret = SECRET_RE.search(html).group(1).replace(" ", "")
    response = client.post(path, data={"code": _code(secret), "csrf_token": csrf_from(page)})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Cache-Control"] == "no-store"
    codes = CODES_RE.findall(response.get_data(as_text=True))
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT
    return secret, codes


def _enrolled(client, auth, email="lead@example.org") -> tuple[str, list[str]]:
    assert auth.login(email).status_code == 302
    secret, codes = _enrol_on_page(client)
    auth.logout()
    _tick()
    return secret, codes


def _second_step(client, code, page=None):
    return _post(client, "/login/two-factor", {"code": code}, page=page)


def _signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


def _actions() -> list[str]:
    db.session.remove()
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_enrolment_needs_a_valid_code_and_keeps_the_secret_encrypted(client, auth, lead):
    auth.login("lead@example.org")
    page = client.get("/account/two-factor/enrol")
    secret = SECRET_RE.search(page.get_data(as_text=True)).group(1).replace(" ", "")
    wrong = client.post("/account/two-factor/enrol", data={"code": "000000", "csrf_token": csrf_from(page)})
    assert wrong.status_code == 400
    assert "The code is not correct" in wrong.get_data(as_text=True)
    assert not two_factor.is_enabled(lead)
    # Reloading shows the same secret until it is confirmed.
    again = client.get("/account/two-factor/enrol").get_data(as_text=True)
    assert SECRET_RE.search(again).group(1).replace(" ", "") == secret
    ok = client.post("/account/two-factor/enrol", data={"code": _code(secret), "csrf_token": csrf_from(page)})
    assert ok.status_code == 200
    assert two_factor.is_enabled(lead)
    db.session.remove()
    row = db.session.get(TwoFactorCredential, lead)
    assert secret not in row.secret_encrypted
    hashes = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == lead)).all()
    codes = CODES_RE.findall(ok.get_data(as_text=True))
    assert len(hashes) == 10 and not set(codes) & set(hashes)
    assert "user.two_factor_enabled" in _actions()
    assert "Recovery codes left" in client.get("/account/two-factor").get_data(as_text=True)


def test_sign_in_with_a_code_and_not_before(client, auth, lead):
    secret, _ = _enrolled(client, auth)
    response = auth.login("lead@example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/login/two-factor"
    assert not _signed_in(client)  # the password alone signs nobody in
    response = _second_step(client, _code(secret))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert _signed_in(client)
    assert "auth.two_factor_passed" in _actions()


def test_wrong_code_is_refused_and_five_send_back_to_the_password(client, auth, lead):
    secret, _ = _enrolled(client, auth)
    auth.login("lead@example.org")
    response = _second_step(client, "000000")
    assert response.status_code == 400
    assert "The code is not correct" in response.get_data(as_text=True)
    assert not _signed_in(client)
    for _ in range(3):
        _second_step(client, "000000")
    response = _second_step(client, "000000")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _second_step(client, _code(secret), page="/login").headers["Location"].startswith("/login")
    assert not _signed_in(client)
    assert _actions().count("auth.two_factor_failed") == 5


def test_a_code_is_accepted_once_only(client, auth, lead):
    secret, _ = _enrolled(client, auth)
    auth.login("lead@example.org")
    code = _code(secret)
    assert _second_step(client, code).status_code == 302
    auth.logout()
    auth.login("lead@example.org")
    assert _second_step(client, code).status_code == 400  # the same code, replayed
    assert _second_step(client, _code(secret, later=-1)).status_code == 400  # an earlier step
    _tick()
    assert _second_step(client, _code(secret)).status_code == 302


def test_the_second_step_expires(client, auth, lead):
    secret, _ = _enrolled(client, auth)
    auth.login("lead@example.org")
    _tick(6 * 60)
    response = _second_step(client, _code(secret), page="/login")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert not _signed_in(client)


def test_a_recovery_code_works_once(client, auth, lead):
    _, codes = _enrolled(client, auth)
    auth.login("lead@example.org")
    response = _second_step(client, codes[0].upper().replace("-", " "))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "9 left" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("lead@example.org")
    assert _second_step(client, codes[0]).status_code == 400
    assert _second_step(client, codes[1]).status_code == 302


def test_new_recovery_codes_replace_the_old(client, auth, lead):
    secret, codes = _enrolled(client, auth)
    auth.login("lead@example.org")
    _second_step(client, _code(secret))
    response = _post(client, "/account/two-factor/recovery-codes", {}, page="/account/two-factor")
    new = CODES_RE.findall(response.get_data(as_text=True))
    assert len(new) == 10 and response.headers["Cache-Control"] == "no-store"
    auth.logout()
    auth.login("lead@example.org")
    assert _second_step(client, codes[2]).status_code == 400
    assert _second_step(client, new[0]).status_code == 302


def test_required_setting_sends_a_user_to_enrol_before_anything_else(client, auth, app, lead, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED", True)
    response = auth.login("lead@example.org")
    assert response.headers["Location"] == "/login/two-factor/enrol"
    assert not _signed_in(client)
    secret, _ = _enrol_on_page(client, "/login/two-factor/enrol")
    assert _signed_in(client)
    assert two_factor.is_enabled(lead)
    auth.logout()
    _tick()
    assert auth.login("lead@example.org").headers["Location"] == "/login/two-factor"
    assert _second_step(client, _code(secret)).status_code == 302


def test_required_setting_catches_a_session_begun_before_it(client, auth, app, lead, monkeypatch):
    auth.login("lead@example.org")
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED", True)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor/enrol"


def test_admin_reset_ends_sessions_and_forces_enrolment(client, auth, app, lead):
    secret, _ = _enrolled(client, auth)
    auth.login("lead@example.org")
    _second_step(client, _code(secret))
    other = app.test_client()
    admin_id = factories.user(roles=[Role.ADMIN], email="admin@example.org").id
    token = csrf_from(other.get("/login"))
    other.post(
        "/login", data={"email": "admin@example.org", "password": factories.PASSWORD, "csrf_token": token}
    )
    token = csrf_from(other.get(f"/admin/users/{lead}"))
    response = other.post(f"/admin/users/{lead}/two-factor/reset", data={"csrf_token": token})
    assert response.status_code == 302
    assert not _signed_in(client)  # the lead's session ended
    assert not two_factor.is_enabled(lead)
    assert db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == lead)).all() == []
    # TWO_FACTOR_REQUIRED is off, and still they must enrol again.
    _tick()
    assert auth.login("lead@example.org").headers["Location"] == "/login/two-factor/enrol"
    assert _second_step(client, _code(secret), page="/login").headers["Location"] == "/login/two-factor/enrol"
    new_secret, _ = _enrol_on_page(client, "/login/two-factor/enrol")
    assert new_secret != secret and _signed_in(client)
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.two_factor_reset")).all()
    assert len(rows) == 1 and rows[0].actor_user_id == admin_id


def test_an_admin_cannot_reset_their_own(client, auth, app_ctx):
    admin_id = auth.as_role(Role.ADMIN)
    response = _post(client, f"/admin/users/{admin_id}/two-factor/reset", {}, page=f"/admin/users/{admin_id}")
    assert response.status_code == 302
    assert "cannot reset your own" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert "user.two_factor_reset" not in _actions()


def test_key_rotation_keeps_sign_in_working(client, auth, app, runner, lead, monkeypatch):
    old_key = Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "TWO_FACTOR_KEY", old_key)
    secret, _ = _enrolled(client, auth)
    new_key = Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "TWO_FACTOR_KEY", new_key)
    result = runner.invoke(args=["security", "rotate-2fa-key", "--old-key", old_key])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 1 two-factor secret" in result.output
    db.session.remove()
    stored = db.session.get(TwoFactorCredential, lead).secret_encrypted
    assert Fernet(new_key.encode()).decrypt(stored.encode()).decode() == secret
    auth.login("lead@example.org")
    assert _second_step(client, _code(secret)).headers["Location"] == "/"
    assert "security.two_factor_key_rotated" in _actions()


def test_key_rotation_with_a_wrong_old_key_changes_nothing(client, auth, app, runner, lead, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_KEY", Fernet.generate_key().decode())
    _enrolled(client, auth)
    before = db.session.get(TwoFactorCredential, lead).secret_encrypted
    monkeypatch.setitem(app.config, "TWO_FACTOR_KEY", Fernet.generate_key().decode())
    result = runner.invoke(args=["security", "rotate-2fa-key", "--old-key", Fernet.generate_key().decode()])
    assert result.exit_code == 1
    assert "opens with none of the keys" in result.output
    db.session.remove()
    assert db.session.get(TwoFactorCredential, lead).secret_encrypted == before


def test_no_secret_or_code_reaches_the_audit_log(client, auth, lead):
    secret, codes = _enrolled(client, auth)
    auth.login("lead@example.org")
    _second_step(client, codes[0])
    db.session.remove()
    text = " ".join(str(e.detail) for e in db.session.scalars(select(AuditEvent)))
    assert secret not in text and not any(c in text for c in codes)


def test_production_requires_the_key_and_refuses_a_bad_one():
    from config import DevelopmentConfig, ProductionConfig, _problems

    assert "TWO_FACTOR_KEY" in ProductionConfig.REQUIRED_ENVIRONMENT
    assert ProductionConfig.TWO_FACTOR_REQUIRED is True
    settings = {name: getattr(DevelopmentConfig, name) for name in dir(DevelopmentConfig) if name.isupper()}
    problems = list(_problems({**settings, "TWO_FACTOR_KEY": "not-a-key"}))
    assert any(p.startswith("TWO_FACTOR_KEY must be a Fernet key") for p in problems)


def test_an_admins_password_reset_does_not_give_access_by_itself(client, auth, lead):
    """Issue 15: the administrator who knows the one-time password still meets the
    second step, which needs the user's phone."""
    from mettrack.accounts import users

    secret, _ = _enrolled(client, auth)
    admin = factories.user(roles=[Role.ADMIN], email="admin@example.org")
    temporary = users.reset_password(db.session.get(User, lead), actor=admin)
    response = auth.login("lead@example.org", temporary)
    assert response.headers["Location"] == "/login/two-factor"
    assert not _signed_in(client)
    assert _second_step(client, _code(secret)).status_code == 302
    # Signed in, the forced password change comes next.
    assert client.get("/").headers["Location"] == "/account/password"


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "１２３４５６", "x" * 5000, "12345", "abcde-fghij"])
def test_odd_codes_are_refused_naming_the_field(client, auth, lead, code):
    _enrolled(client, auth)
    auth.login("lead@example.org")
    response = _second_step(client, code)
    assert response.status_code in {400, 422}
    assert "code" in response.get_data(as_text=True).lower()
