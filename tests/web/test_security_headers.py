"""Security headers on every answer, and production's cookies and HSTS (issue 15, finding 4;
mettrack/core/security_headers.py, docs/security.md "Headers")."""

import re
from pathlib import Path

import pytest

from mettrack import create_app
from mettrack.accounts.models import User
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from mettrack.core.security_headers import CONTENT_SECURITY_POLICY
from tests import factories
from tests.api.conftest import bearer
from tests.conftest import DATABASE_URL

EVERY_ANSWER = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
TEMPLATES = Path(__file__).resolve().parents[2] / "mettrack"


def _assert_secured(response, *, cacheable: bool = False) -> None:
    headers = response.headers
    for name, value in EVERY_ANSWER.items():
        assert headers.get(name) == value, (name, headers.get(name))
    csp = headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in headers["Permissions-Policy"]
    if not cacheable:
        assert headers.get("Cache-Control") == "no-store"
    # Never outside production: over plain HTTP it would pin the host name to HTTPS.
    assert "Strict-Transport-Security" not in headers


@pytest.fixture
def lead_and_case(app):
    with app.app_context():
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        case = factories.case(lead=lead)
        return lead.email, case.id


def test_a_case_page_has_every_header_and_is_not_cached(client, auth, lead_and_case):
    email, case_id = lead_and_case
    auth.login(email)
    response = client.get(f"/cases/{case_id}")
    assert response.status_code == 200
    _assert_secured(response)


def test_pages_before_sign_in_and_error_pages_have_every_header(client, auth, lead_and_case):
    _assert_secured(client.get("/login"))
    anonymous = client.get("/cases/1")
    assert anonymous.status_code == 302
    _assert_secured(anonymous)
    email, _case_id = lead_and_case
    auth.login(email)
    missing = client.get("/cases/999999")
    assert missing.status_code == 404
    _assert_secured(missing)
    forbidden = client.get("/admin/users")
    assert forbidden.status_code == 403
    _assert_secured(forbidden)


def test_api_answers_and_problems_have_every_header(app, client, lead_and_case):
    from mettrack.accounts import tokens

    _email, case_id = lead_and_case
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == _email))
        _token, secret = tokens.create_token(user, name="test")
    answer = client.get(f"/api/v1/cases/{case_id}", headers=bearer(secret))
    assert answer.status_code == 200
    _assert_secured(answer)
    for problem in (
        client.get(f"/api/v1/cases/{case_id}"),  # 401
        client.get("/api/v1/cases/999999", headers=bearer(secret)),  # 404
        client.get("/api/v1/nothing-here", headers=bearer(secret)),  # 404, no blueprint
    ):
        assert problem.status_code in (401, 404)
        _assert_secured(problem)


def test_static_files_may_be_cached_but_keep_the_other_headers(client):
    for path in ("/static/mettrack.css", "/static/js-enabled.js"):
        response = client.get(path)
        assert response.status_code == 200
        _assert_secured(response, cacheable=True)
        assert response.headers.get("Cache-Control") != "no-store", path
    _assert_secured(client.get("/healthz"), cacheable=True)


# Templates WeasyPrint lays out as PDFs (meetings/pdf.py, retention/subject_access.py,
# statistics/pdf.py); the Philomena print page is served to a browser, so it is checked
# like any other.
PDF_ONLY = {"agenda_print.html", "subject_access_print.html", "report_print.html"}


def test_no_template_has_inline_script_or_style():
    # The policy runs none, so any would silently break in the browser.
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.I)
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        if template.name in PDF_ONLY:
            continue  # laid out as a PDF by WeasyPrint, never served to a browser
        if inline.search(template.read_text()):
            offenders.append(str(template.relative_to(TEMPLATES)))
    assert not offenders


def test_every_page_loads_the_script_that_marks_javascript_as_a_file(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<script src="/static/js-enabled.js"></script>' in page
    assert "document.body.className" not in page
    assert CONTENT_SECURITY_POLICY


@pytest.fixture
def production_app(monkeypatch):
    for name, value in {
        "SECRET_KEY": "production-test-secret",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "APP_BASE_URL": "https://mettrack.example.invalid",
        "TWO_FACTOR_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",  # two-factor sign-in
    }.items():
        monkeypatch.setenv(name, value)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
            "CELERY_BROKER_URL": "memory://",
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "TESTING": True,
            "AUDIT_HMAC_KEY": "production-test-audit-key-of-32-chars-or-more",
        },
        config_name="production",
    )
    return app


def test_production_sends_hsts_and_names_its_cookies_with_the_host_prefix(app, production_app):
    with app.app_context():
        email = factories.user(roles=[Role.LEAD_PROFESSIONAL]).email
    client = production_app.test_client()
    response = client.post(
        "/login",
        data={"email": email, "password": factories.PASSWORD},
        base_url="https://mettrack.example.invalid",
    )
    assert response.status_code == 302
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-mettrack_session=")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "path"} <= attributes and "domain" not in attributes
    assert "Path=/" in cookie
    assert production_app.config["REMEMBER_COOKIE_NAME"].startswith("__Host-")
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True


def test_a_host_prefixed_cookie_that_the_browser_would_drop_stops_the_app_starting():
    with pytest.raises(RuntimeError, match="SESSION_COOKIE_NAME starts with __Host-"):
        create_app({"SESSION_COOKIE_NAME": "__Host-mettrack_session", "SESSION_COOKIE_SECURE": False})
    with pytest.raises(RuntimeError, match="SESSION_COOKIE_NAME starts with __Host-"):
        create_app(
            {
                "SESSION_COOKIE_NAME": "__Host-mettrack_session",
                "SESSION_COOKIE_SECURE": True,
                "SESSION_COOKIE_DOMAIN": "example.invalid",
            }
        )
