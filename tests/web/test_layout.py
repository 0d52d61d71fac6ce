"""The pages' look: GOV.UK Frontend served by the app itself, without the GOV.UK brand."""

import re

import pytest

from mettrack.core.choices import Role
from mettrack.core.permissions import public
from tests import factories
from tests.conftest import CSRF_RE, csrf_from

CSS = "/static/govuk/govuk-frontend.min.css"
ASSET_RE = re.compile(r'<(?:link|script)\b[^>]*?\b(?:href|src)="([^"]+)"')
HEADER_RE = re.compile(r"<header\b.*?</header>", re.S)
NAV_RE = re.compile(r'<nav aria-label="Menu".*?</nav>', re.S)
MAIN_RE = re.compile(r"<main\b.*?</main>", re.S)
BRAND_MARKS = ("GOV.UK", "govuk-logo", "govuk-header__logotype", "Crown copyright", "Open Government Licence")


def _page(response) -> str:
    return response.get_data(as_text=True)


def _without_csrf_tokens(page: str) -> str:
    return CSRF_RE.sub('name="csrf_token" value=""', page)


def _assert_unbranded(page: str) -> None:
    for mark in BRAND_MARKS:
        assert mark not in page, f"{mark!r} on the page"
    assert "crown" not in page.lower()
    assert "GDS Transport" not in page


def test_login_page_loads_css_and_js_from_the_app_only(client):
    page = _page(client.get("/login"))
    assets = ASSET_RE.findall(page)
    assert CSS in assets
    assert "/static/mettrack.css" in assets
    assert "/static/mettrack.js" in assets
    assert all(url.startswith("/static/") for url in assets), assets
    assert not re.search(r'(?:href|src)="(?:https?:)?//', page)


@pytest.mark.parametrize("path", [CSS, "/static/mettrack.css", "/static/mettrack.js", "/static/favicon.svg"])
def test_static_assets_are_served(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.content_length or response.get_data()


def test_served_css_uses_arial_and_has_no_gds_transport_font_face(client):
    response = client.get(CSS)
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    css = response.get_data(as_text=True)
    assert "font-family:arial,sans-serif" in css
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "govuk-crest" not in css
    assert not re.search(r"url\((['\"]?)(?:https?:)?//", css), "the CSS must not fetch from elsewhere"


def test_govuk_frontend_js_is_the_es_module_the_page_starts(client):
    starter = _page(client.get("/static/mettrack.js"))
    assert 'from "./govuk/govuk-frontend.min.js"' in starter
    bundle = _page(client.get("/static/govuk/govuk-frontend.min.js"))
    assert "initAll" in bundle and "export{" in bundle


def test_signed_out_page_has_no_govuk_brand(client):
    _assert_unbranded(_page(client.get("/login")))


@pytest.mark.parametrize("role", list(Role))
def test_signed_in_pages_have_no_govuk_brand(client, auth, role):
    auth.as_role(role)
    _assert_unbranded(_page(client.get("/")))
    _assert_unbranded(_page(client.get("/account/")))


def test_header_names_the_partnership_and_the_service(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PARTNERSHIP_NAME", "Portsmouth Safeguarding Children Partnership")
    page = _page(client.get("/login"))
    header = HEADER_RE.search(page).group(0)
    assert "Portsmouth Safeguarding Children Partnership" in header
    assert "METtrack" in header
    footer = page[page.index("<footer") :]
    assert "Portsmouth Safeguarding Children Partnership" in footer


def test_page_starts_with_a_skip_link_to_the_main_content(client):
    page = _page(client.get("/login"))
    assert 'class="govuk-skip-link"' in page
    assert 'href="#main-content"' in page
    assert 'id="main-content"' in page


def _navigation(client) -> str:
    match = NAV_RE.search(_page(client.get("/")))
    assert match, "no navigation in the header"
    return match.group(0)


def test_chair_navigation_has_cases(client, auth):
    auth.as_role(Role.MET_CHAIR)
    nav = _navigation(client)
    assert 'href="/cases/"' in nav


def test_analyst_navigation_has_no_cases(client, auth):
    auth.as_role(Role.ANALYST)
    nav = _navigation(client)
    assert 'href="/cases/"' not in nav
    assert 'href="/account/"' in nav


def test_navigation_marks_the_current_section(client, auth):
    auth.as_role(Role.MET_CHAIR)
    page = _page(client.get("/cases/"))
    assert re.search(r'href="/cases/"\s+aria-current="page"', page)


def test_signed_out_header_has_no_navigation_or_sign_out(client):
    page = _page(client.get("/login"))
    assert not NAV_RE.search(page)
    assert 'action="/logout"' not in page


def test_sign_out_is_a_post_form_with_a_csrf_token(client, auth):
    auth.as_role(Role.PARTNER)
    nav = _navigation(client)
    form = re.search(r'<form method="post" action="/logout".*?</form>', nav, re.S)
    assert form, "no sign-out form in the navigation"
    assert CSRF_RE.search(form.group(0))
    assert re.search(r'<button type="submit"[^>]*>Sign out</button>', form.group(0))

    token = CSRF_RE.search(form.group(0)).group(1)
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=True)
    page = _page(response)
    assert "govuk-notification-banner--success" in page
    assert "You have signed out." in page


def test_field_errors_show_beside_the_field_and_link_from_the_summary(client):
    token = csrf_from(client.get("/login"))
    response = client.post("/login", data={"csrf_token": token, "email": "", "password": ""})
    assert response.status_code == 400
    page = _page(response)
    assert "<title>Error: " in page
    assert 'class="govuk-error-summary"' in page
    assert 'href="#email"' in page and 'href="#password"' in page
    assert re.search(r'id="email-error" class="govuk-error-message">.*?Enter your e-mail address', page, re.S)
    assert re.search(r'<input[^>]*id="email"[^>]*aria-describedby="email-error"', page)
    assert re.search(r'<input[^>]*id="password"[^>]*aria-describedby="password-error"', page)


def test_not_found_page_is_styled_and_says_nothing_internal(client, auth):
    auth.as_role(Role.LEAD_PROFESSIONAL)
    response = client.get("/cases/987654")
    assert response.status_code == 404
    page = _page(response)
    assert CSS in page
    assert "Page not found" in page
    main = MAIN_RE.search(_without_csrf_tokens(page)).group(0)
    for internal in ("987654", "Traceback", "NotFound", "werkzeug", "sqlalchemy", "case_id"):
        assert internal not in main


def test_unknown_address_gets_the_styled_not_found_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = _page(response)
    assert CSS in page and "Page not found" in page
    assert "/no/such/page" not in page
    _assert_unbranded(page)


def test_forbidden_page_is_styled(client, auth):
    auth.as_role(Role.ANALYST)
    response = client.get("/cases/")
    assert response.status_code == 403
    page = _page(response)
    assert CSS in page
    assert "You do not have access to this page" in page


def test_server_error_page_shows_no_exception(client, app, monkeypatch):
    @public
    def broken():
        raise RuntimeError("internal detail: password_hash column in users")

    monkeypatch.setitem(app.view_functions, "auth.login", broken)
    response = client.get("/login")
    assert response.status_code == 500
    page = _page(response)
    assert CSS in page
    assert "Sorry, there is a problem with the service" in page
    for internal in ("internal detail", "RuntimeError", "Traceback", "password_hash"):
        assert internal not in page


def test_case_list_shows_state_and_risk_as_tags_and_pages(client, auth, app_ctx):
    auth.as_role(Role.MET_CHAIR)
    for _ in range(26):
        factories.case()
    page = _page(client.get("/cases/"))
    assert 'class="govuk-table"' in page
    assert re.search(r'<strong class="govuk-tag govuk-tag--grey">\s*Screened\s*</strong>', page)
    assert re.search(r'<strong class="govuk-tag govuk-tag--grey">\s*Not set\s*</strong>', page)
    assert 'class="govuk-pagination"' in page
    assert 'href="/cases/?page=2"' in page


def test_case_page_shows_a_summary_list(client, auth, app_ctx):
    auth.as_role(Role.MET_CHAIR)
    case = factories.case()
    page = _page(client.get(f"/cases/{case.id}"))
    assert 'class="govuk-summary-list"' in page
    assert re.search(r'<strong class="govuk-tag govuk-tag--grey">\s*Screened\s*</strong>', page)
    assert case.child.display_name in page
