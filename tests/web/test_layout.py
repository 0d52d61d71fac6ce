"""The pages' look: GOV.UK Frontend served by the app itself, without the GOV.UK brand."""

import re

import pytest

from mettrack.accounts.models import User
from mettrack.core.choices import Role
from mettrack.core.extensions import db
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
    assert 'class="govuk-table mettrack-cards' in page
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


# Pages that fit a phone and a 1280 px screen (the browser checks measure them; these say
# what the server sends for it). The patterns are in docs/ui.md.


def _between(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end, page.index(start))]


def test_case_list_puts_the_cases_first_with_filters_behind_a_filter_control(client, auth, app_ctx):
    auth.as_role(Role.MET_CHAIR)
    case = factories.case()
    page = _page(client.get("/cases/"))
    details = re.search(
        r'<details class="govuk-details mettrack-case-filter" id="filter"\s*>.*?</details>',
        page,
        re.S,
    )
    assert details, "no closed Filter control"
    assert re.search(r'<span class="govuk-details__summary-text">Filter</span>', details.group(0))
    filters = ("state", "risk_level", "exploitation_type", "flag", "harm_location")
    filters += ("lead_professional", "sort")
    for name in filters:
        assert f'name="{name}"' in details.group(0), name
        assert f'name="{name}"' not in page.replace(details.group(0), ""), name
    assert page.index('id="q"') < page.index('id="filter"') < page.index('id="case-count"')
    assert "<script" not in details.group(0)
    # Each case a card on a phone: the table is marked for it and each cell names its column.
    rows = _between(page, '<tbody class="govuk-table__body">', "</tbody>")
    assert '<table class="govuk-table mettrack-cards mettrack-case-list">' in page
    assert 'class="govuk-table__cell mettrack-cards__title"' in rows and case.child.display_name in rows
    for label in ("State", "Risk", "Exploitation", "Police tier", "Lead professional", "Next review"):
        assert f'data-label="{label}"' in rows, label
    # Nothing needs attention: the empty cell stays out of the card.
    assert re.search(r'class="govuk-table__cell mettrack-cards__empty" data-label="Needs attention"', rows)


def test_case_list_filter_control_counts_filters_in_use_and_opens_on_a_refused_filter(client, auth, app_ctx):
    auth.as_role(Role.MET_CHAIR)
    factories.case()
    page = _page(client.get("/cases/?state=screened&risk_level=high"))
    assert re.search(r'id="filter"\s*>', page), "closed while filters are only in use"
    assert "Filter (2 in use)" in page
    refused = client.get("/cases/?sort=name")
    assert refused.status_code == 400
    page = _page(refused)
    assert 'id="filter" open>' in page, "a refused filter's message must not be hidden"
    assert "Sort by one of" in _between(page, 'id="filter"', "</details>")


def test_admin_users_list_is_cards_on_a_phone(client, auth):
    auth.as_role(Role.ADMIN)
    page = _page(client.get("/admin/users"))
    table = _between(page, "<table", "</table>")
    assert "mettrack-cards" in table.split(">", 1)[0]
    for label in ("E-mail address", "Agency", "Roles", "Status", "Last signed in"):
        assert f'data-label="{label}"' in table, label
    assert 'class="govuk-table__cell mettrack-cards__title"' in table


@pytest.mark.parametrize(
    ("role", "path"),
    [(Role.MET_CHAIR, "/audit/"), (Role.MET_CHAIR, "/reminders/"), (Role.MET_CHAIR, "/reassign-cases")],
)
def test_list_tables_become_cards(client, auth, app_ctx, role, path):
    auth.as_role(role)
    if path == "/reassign-cases":
        factories.case()  # no lead yet: a case to reassign
    response = client.get(path)
    assert response.status_code == 200
    page = _page(response)
    assert re.search(r'<table class="govuk-table[^"]*\bmettrack-cards\b', page), path


def test_case_team_table_scrolls_in_its_own_box(client, auth, app_ctx):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = factories.case(lead=db.session.get(User, lead_id))
    page = _page(client.get(f"/cases/{case.id}"))
    box = re.search(
        r'<div class="mettrack-table-scroll" tabindex="0" role="region" aria-label="The case team">\s*<table',
        page,
    )
    assert box, "the team table is not in a scrolling box"


def test_back_link_is_inside_a_landmark(client, auth, app_ctx):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = factories.case(lead=db.session.get(User, lead_id))
    page = _page(client.get(f"/cases/{case.id}/risk-assessments/new"))
    nav = re.search(r'<nav class="mettrack-back" aria-label="Back">(.*?)</nav>', page, re.S)
    assert nav and 'class="govuk-back-link"' in nav.group(1) and "Back to the case" in nav.group(1)
    assert page.count("govuk-back-link") == 1
    # A page without a Back link has no empty landmark.
    assert 'class="mettrack-back"' not in _page(client.get("/"))


def test_philomena_print_page_has_a_main_landmark(client, auth, app_ctx):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = factories.case(lead=db.session.get(User, lead_id), child_obj=factories.child(looked_after=True))
    response = client.get(f"/cases/{case.id}/philomena/print")
    assert response.status_code == 200
    main = MAIN_RE.search(_page(response))
    assert main and "Philomena Protocol:" in main.group(0)


MORE_RE = re.compile(r'<details class="mettrack-more__details">.*?</details>', re.S)


def test_chair_navigation_fits_one_line_with_less_used_links_under_more(client, auth):
    auth.as_role(Role.MET_CHAIR)
    nav = _navigation(client)
    more = MORE_RE.search(nav)
    assert more, "no More control"
    bar = nav.replace(more.group(0), "")
    bar_links = re.findall(r'class="govuk-service-navigation__link" href="([^"]+)"', bar)
    assert bar_links[:3] == ["/", "/cases/", "/meetings"]
    assert len(bar_links) <= 7, bar_links  # plus More, Notifications and Sign out
    for href in ('href="/audit/"', 'href="/reminders/"', 'href="/reassign-cases"', 'href="/account/"'):
        assert href in more.group(0) and href not in bar, href
    assert "<script" not in nav


def test_more_is_marked_when_the_page_is_one_of_its_links(client, auth):
    auth.as_role(Role.MET_CHAIR)
    page = _page(client.get("/audit/"))
    more = MORE_RE.search(page).group(0)
    assert re.search(r'<strong class="govuk-service-navigation__active-fallback">More</strong>', more)
    assert re.search(r'href="/audit/"\s*aria-current="page"', more)


def test_analyst_has_no_more_control_for_a_single_link(client, auth):
    auth.as_role(Role.ANALYST)
    nav = _navigation(client)
    assert not MORE_RE.search(nav)
    assert 'href="/account/"' in nav


def test_stylesheet_has_the_phone_patterns(client):
    css = _page(client.get("/static/mettrack.css"))
    assert ".mettrack-cards td[data-label]::before" in css
    assert "legend.govuk-visually-hidden" in css
    assert ".mettrack-more__list" in css
    assert "@media (max-width: 63.74em)" in _page(client.get("/static/risk.css"))
