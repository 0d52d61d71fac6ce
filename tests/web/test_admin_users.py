"""User administration pages: add, list, edit, deactivate, reactivate, reset a password,
revoke API tokens."""

import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from mettrack.accounts import tokens
from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.extensions import db
from tests import factories
from tests.conftest import AuthActions, csrf_from, post_form

TEMPORARY_RE = re.compile(r'id="temporary-password">([^<]+)<')
NEW_PASSWORD = "a brand new long passphrase"


@pytest.fixture
def admin_id(auth, app_ctx):
    return auth.as_role(Role.ADMIN, name="Ada Admin")


@pytest.fixture
def target(app_ctx):
    return factories.user(
        roles=[Role.PARTNER], email="pat@example.org", name="Pat Partner", agency="Health trust"
    )


def _new_client(app):
    client = app.test_client()
    return client, AuthActions(client, app)


def _reset(client, user_id) -> str:
    page = f"/admin/users/{user_id}/reset-password"
    response = post_form(client, page, page=page)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return TEMPORARY_RE.search(response.get_data(as_text=True)).group(1)


def _actions(actor_id) -> list[tuple[str, str | None]]:
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.record_id)
        .where(AuditEvent.actor_user_id == actor_id)
        .order_by(AuditEvent.seq)
    )
    return [(r.action, r.record_id) for r in rows]


def _agency_id(name: str) -> str:
    return str(factories.agency(name).id)


def test_added_user_is_listed_and_signs_in_after_a_reset_and_a_forced_change(client, admin_id, app):
    response = post_form(
        client,
        "/admin/users/new",
        {
            "name": "Nia New",
            "email": "Nia.New@Example.org",
            "agency": _agency_id("Barnardo's"),
            "roles": ["partner", "coordinator"],
        },
        page="/admin/users/new",
    )
    assert response.status_code == 200  # the first password, shown once
    new_id = db.session.scalar(select(User.id).where(User.email == "nia.new@example.org"))

    listing = client.get("/admin/users").get_data(as_text=True)
    assert "Nia New" in listing and "nia.new@example.org" in listing and "Barnardo&#39;s" in listing

    temporary = _reset(client, new_id)
    other, other_auth = _new_client(app)
    assert other_auth.login("nia.new@example.org", temporary).status_code == 302
    assert other.get("/cases/").headers["Location"] == "/account/password"
    changed = post_form(
        other,
        "/account/password",
        {"current_password": temporary, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        page="/account/password",
    )
    assert changed.status_code == 302
    assert other.get("/cases/").status_code == 200


def test_added_user_has_no_password_but_the_one_shown(client, admin_id, app):
    post_form(
        client,
        "/admin/users/new",
        {
            "name": "Nia New",
            "email": "nia@example.org",
            "agency": _agency_id("Barnardo's"),
            "roles": ["partner"],
        },
        page="/admin/users/new",
    )
    _, other_auth = _new_client(app)
    assert other_auth.login("nia@example.org", "").status_code == 400
    assert other_auth.login("nia@example.org", factories.PASSWORD).status_code == 400


def test_add_form_offers_existing_agencies_and_every_role(client, admin_id, target):
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert f'<option value="{target.agency_id}">Health trust</option>' in page
    for role in Role:
        assert f'value="{role.value}"' in page


def test_duplicate_email_is_a_field_error_and_nothing_is_saved(client, admin_id, target):
    users_before = db.session.scalar(select(func.count()).select_from(User))
    response = post_form(
        client,
        "/admin/users/new",
        {
            "name": "Someone Else",
            "email": "PAT@example.org",
            "agency": "new",
            "new_agency": "A brand new agency",
            "confirm_new_agency": "A brand new agency",
            "roles": ["partner"],
        },
        page="/admin/users/new",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "A user with this e-mail address already exists" in page
    assert 'value="Someone Else"' in page  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(User)) == users_before
    assert db.session.scalar(select(Agency).where(Agency.name == "A brand new agency")) is None
    assert "user.created" not in [action for action, _ in _actions(admin_id)]


def test_missing_fields_are_each_named(client, admin_id):
    response = post_form(
        client,
        "/admin/users/new",
        {"name": "", "email": "not-an-email", "agency": ""},
        page="/admin/users/new",
    )
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    for message in (
        "Enter the user's full name",
        "Enter an e-mail address in the correct format",
        "Choose the user's agency",
        "Choose at least one role",
    ):
        assert message in page


def test_admin_edits_a_users_details(client, admin_id, target):
    page = f"/admin/users/{target.id}/edit"
    assert 'value="pat@example.org"' in client.get(page).get_data(as_text=True)
    response = post_form(
        client,
        page,
        {
            "name": "Pat Moved",
            "email": "pat.moved@example.org",
            "agency": _agency_id("Barnardo's"),
            "roles": ["coordinator"],
        },
        page=page,
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, target.id)
    assert (user.name, user.email, user.agency.name, user.roles) == (
        "Pat Moved",
        "pat.moved@example.org",
        "Barnardo's",
        frozenset({Role.COORDINATOR}),
    )


def test_bad_edit_changes_nothing(client, admin_id, target):
    other = factories.user(email="taken@example.org")
    page = f"/admin/users/{target.id}/edit"
    response = post_form(
        client,
        page,
        {"name": "Pat Moved", "email": other.email, "agency": _agency_id("Barnardo's"), "roles": []},
        page=page,
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "A user with this e-mail address already exists" in text and "Choose at least one role" in text
    db.session.expire_all()
    user = db.session.get(User, target.id)
    assert (user.name, user.email, user.agency.name) == ("Pat Partner", "pat@example.org", "Health trust")


def test_admin_cannot_remove_their_own_admin_role(client, admin_id):
    page = f"/admin/users/{admin_id}/edit"
    response = post_form(
        client,
        page,
        {
            "name": "Ada Admin",
            "email": "ada@example.org",
            "agency": _agency_id("Test Agency"),
            "roles": ["analyst"],
        },
        page=page,
    )
    assert response.status_code == 400
    assert "You cannot remove your own administrator role" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin_id).has_role(Role.ADMIN)


def test_list_filters_by_agency_role_and_status(client, admin_id, target):
    factories.user(roles=[Role.MET_CHAIR], name="Chris Chair", agency="Police")
    factories.user(roles=[Role.PARTNER], name="Gone Partner", agency="Health trust", active=False)
    health = db.session.scalar(select(Agency.id).where(Agency.name == "Health trust"))

    def names(query):
        page = client.get(f"/admin/users?{query}").get_data(as_text=True)
        return {n for n in ("Pat Partner", "Chris Chair", "Gone Partner", "Ada Admin") if n in page}

    assert names("") == {"Pat Partner", "Chris Chair", "Gone Partner", "Ada Admin"}
    assert names(f"agency={health}") == {"Pat Partner", "Gone Partner"}
    assert names("role=met_chair") == {"Chris Chair"}
    assert names("status=deactivated") == {"Gone Partner"}
    assert names(f"agency={health}&status=active") == {"Pat Partner"}
    assert names("role=nonsense&agency=x") == {"Pat Partner", "Chris Chair", "Gone Partner", "Ada Admin"}


def test_list_is_paginated(client, admin_id, app):
    for n in range(app.config["PAGE_SIZE"] + 1):
        factories.user(name=f"Zed {n:02d}")
    # By name: Ada Admin, then Zed 00 ... Zed 25; 25 to a page.
    first = client.get("/admin/users").get_data(as_text=True)
    assert "Zed 23" in first and "Zed 24" not in first
    assert "govuk-pagination" in first
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "Zed 24" in second and "Zed 25" in second and "Zed 23" not in second


def test_last_sign_in_is_shown_in_london_time(client, admin_id, target):
    target.last_sign_in_at = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)  # 09:30 BST
    db.session.commit()
    page = client.get("/admin/users").get_data(as_text=True)
    assert "1 July 2026 09:30" in page


def test_deactivating_a_user_ends_their_sessions(client, admin_id, target, app):
    theirs, their_auth = _new_client(app)
    their_auth.login(target.email)
    assert theirs.get("/").status_code == 200

    page = f"/admin/users/{target.id}/deactivate"
    assert "Deactivate Pat Partner?" in client.get(page).get_data(as_text=True)
    response = post_form(client, page, page=page)
    assert response.status_code == 302

    after = theirs.get("/")
    assert after.status_code == 302
    assert "/login" in after.headers["Location"]
    db.session.expire_all()
    assert db.session.get(User, target.id).active is False
    assert "Deactivated" in client.get(f"/admin/users/{target.id}").get_data(as_text=True)
    _, again = _new_client(app)
    assert again.login(target.email).status_code == 400


def test_admin_cannot_deactivate_themself(client, admin_id):
    page = f"/admin/users/{admin_id}/deactivate"
    assert "You cannot deactivate your own account" in client.get(page).get_data(as_text=True)
    response = post_form(client, page, page="/")
    assert response.status_code == 400
    assert "You cannot deactivate your own account" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin_id).active is True
    assert client.get("/admin/users").status_code == 200  # still signed in
    assert "user.deactivated" not in [a for a, _ in _actions(admin_id)]


def test_reactivated_user_can_sign_in_again(client, admin_id, app):
    gone = factories.user(email="gone@example.org", active=False)
    page = f"/admin/users/{gone.id}/reactivate"
    assert client.get(page).status_code == 200
    assert post_form(client, page, page=page).status_code == 302
    _, their_auth = _new_client(app)
    assert their_auth.login("gone@example.org").status_code == 302


def test_deactivating_a_lead_professional_says_the_chair_must_reassign_their_cases(client, admin_id):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Lee Lead")
    factories.case(lead=lead, state=CaseState.MET_REVIEW)
    factories.case(lead=lead, state=CaseState.REFERRED)
    factories.case(lead=lead, state=CaseState.CLOSED)
    page = f"/admin/users/{lead.id}/deactivate"
    assert "lead professional for 2 open cases" in client.get(page).get_data(as_text=True)

    response = post_form(client, page, page=page)
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "They lead 2 open cases: the MET chair must reassign them." in shown
    assert "deactivated but is lead professional for 2 open cases" in shown
    assert "Testchild" not in shown  # a count only: no case content for an admin


def test_reset_password_forces_a_change_at_next_sign_in(client, admin_id, target, app):
    theirs, their_auth = _new_client(app)
    their_auth.login(target.email)
    temporary = _reset(client, target.id)

    assert theirs.get("/").status_code == 302  # the reset signed them out
    _, stale = _new_client(app)
    assert stale.login(target.email, factories.PASSWORD).status_code == 400
    assert their_auth.login(target.email, temporary).status_code == 302
    assert theirs.get("/").headers["Location"] == "/account/password"
    assert temporary not in client.get(f"/admin/users/{target.id}").get_data(as_text=True)


def test_admin_cannot_reset_their_own_password_here(client, admin_id):
    page = f"/admin/users/{admin_id}/reset-password"
    response = post_form(client, page, page="/")
    assert response.status_code == 400
    assert "You cannot reset your own password here" in response.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 200


def test_admin_revokes_a_users_token(client, admin_id, target):
    token, secret = tokens.create_token(target, name="Nightly export")
    page = client.get(f"/admin/users/{target.id}").get_data(as_text=True)
    assert "Nightly export" in page and token.prefix in page
    assert secret not in page

    response = post_form(client, f"/admin/tokens/{token.id}/revoke", page=f"/admin/users/{target.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{target.id}#api-tokens"
    assert tokens.user_for_secret(secret) is None
    assert "Revoked" in client.get(f"/admin/users/{target.id}").get_data(as_text=True)


def test_revoking_an_unknown_token_is_404(client, admin_id):
    assert post_form(client, "/admin/tokens/999999/revoke").status_code == 404


def test_unknown_user_is_404(client, admin_id):
    assert client.get("/admin/users/999999").status_code == 404
    assert post_form(client, "/admin/users/999999/deactivate").status_code == 404


def test_every_admin_action_writes_an_audit_row_naming_the_admin(client, admin_id, target):
    token, _ = tokens.create_token(target)
    edit = f"/admin/users/{target.id}/edit"
    post_form(
        client,
        edit,
        {"name": "Pat", "email": "pat@example.org", "agency": str(target.agency_id), "roles": ["partner"]},
        page=edit,
    )
    # Before deactivating, which revokes every token of the user itself (tokens.revoked).
    post_form(client, f"/admin/tokens/{token.id}/revoke")
    for action in ("deactivate", "reactivate", "reset-password"):
        page = f"/admin/users/{target.id}/{action}"
        post_form(client, page, page=page)
    post_form(
        client,
        "/admin/users/new",
        {"name": "Nia", "email": "nia@example.org", "agency": str(target.agency_id), "roles": ["analyst"]},
    )
    new_id = db.session.scalar(select(User.id).where(User.email == "nia@example.org"))

    actions = [row for row in _actions(admin_id) if row[0].startswith(("user.", "token."))]
    assert actions == [
        ("user.updated", str(target.id)),
        ("token.revoked", str(token.id)),
        ("user.deactivated", str(target.id)),
        ("user.reactivated", str(target.id)),
        ("user.password_reset", str(target.id)),
        ("user.created", str(new_id)),
        ("user.first_password_set", str(new_id)),
    ]


def test_post_without_csrf_token_is_refused(client, admin_id, target):
    response = client.post(f"/admin/users/{target.id}/deactivate")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, target.id).active is True


def test_admin_pages_put_no_email_or_name_in_links(client, admin_id, target):
    page = client.get("/admin/users").get_data(as_text=True)
    for href in re.findall(r'href="([^"]+)"', page):
        assert "pat" not in href.lower() and "@" not in href
    assert csrf_from(client.get(f"/admin/users/{target.id}/deactivate"))


def test_out_of_range_numbers_in_urls_are_no_filter_or_404_not_500(client, admin_id):
    huge = "9" * 20
    assert client.get(f"/admin/users?agency={huge}&page={huge}").status_code == 200
    assert client.get(f"/admin/users/{huge}").status_code == 404
