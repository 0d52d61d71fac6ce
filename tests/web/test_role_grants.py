"""Separation of duties on the pages (issue 15, finding 1; docs/security.md): the admin
user form refuses a role given to oneself and admin with a case role; the MET chair role
waits on "Role grants waiting for you" until another MET chair approves it; the API
decides the same way (tests/api/test_role_grants_api.py)."""

import html

import pytest
from sqlalchemy import select

from mettrack.accounts import rules
from mettrack.accounts.models import User
from mettrack.accounts.role_grant import RoleGrant
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from tests import factories
from tests.conftest import AuthActions, post_form


@pytest.fixture
def admin_id(auth, app_ctx):
    return auth.as_role(Role.ADMIN, name="Ada Admin", email="ada@example.org")


def _edit(client, user, roles):
    page = f"/admin/users/{user.id}/edit"
    data = {"name": user.name, "email": user.email, "agency": str(user.agency_id), "roles": roles}
    return post_form(client, page, data, page=page)


def test_an_admin_giving_themself_the_chair_role_is_refused_naming_roles(client, admin_id):
    admin = db.session.get(User, admin_id)
    response = _edit(client, admin, ["admin", "met_chair"])
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert rules.ADMIN_WITH_CASE_ROLE in text and 'href="#roles"' in text
    db.session.expire_all()
    assert db.session.get(User, admin_id).roles == {Role.ADMIN}
    # and, as the issue tried, reading a case afterwards is still refused
    assert client.get("/cases/").status_code == 403


def test_an_admin_giving_themself_another_role_is_refused(client, admin_id):
    response = _edit(client, db.session.get(User, admin_id), ["admin", "analyst"])
    assert response.status_code == 400
    assert rules.SELF_GRANT in html.unescape(response.get_data(as_text=True))


def test_the_chair_role_waits_for_a_chair_on_the_page(client, admin_id, app):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Lee Lead")
    response = _edit(client, lead, ["lead_professional", "met_chair"])
    assert response.status_code == 302
    shown = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "MET chair: waits until a MET chair approves it" in shown
    user_page = " ".join(html.unescape(client.get(f"/admin/users/{lead.id}").get_data(as_text=True)).split())
    assert "Waiting for a MET chair's approval: MET chair" in user_page
    db.session.expire_all()
    assert db.session.get(User, lead.id).roles == {Role.LEAD_PROFESSIONAL}

    chair_client = app.test_client()
    AuthActions(chair_client, app).as_role(Role.MET_CHAIR)
    assert "role grants waiting for you" in chair_client.get("/account/").get_data(as_text=True)
    waiting = chair_client.get("/role-grants/").get_data(as_text=True)
    assert "Lee Lead" in waiting and "Ada Admin" in waiting
    grant_id = db.session.scalar(select(RoleGrant.id))
    response = post_form(chair_client, f"/role-grants/{grant_id}/approve", page="/role-grants/")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, lead.id).roles == {Role.LEAD_PROFESSIONAL, Role.MET_CHAIR}
    assert "No role grants are waiting." in chair_client.get("/role-grants/").get_data(as_text=True)


def test_a_new_chair_account_is_made_without_the_role(client, admin_id):
    response = post_form(
        client,
        "/admin/users/new",
        {
            "name": "Cara Chair",
            "email": "cara@example.org",
            "agency": str(db.session.get(User, admin_id).agency_id),
            "roles": ["met_chair"],
        },
        page="/admin/users/new",
    )
    assert response.status_code == 200  # the first password, shown once
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "cara@example.org"))
    assert user.roles == set()
    assert db.session.scalar(select(RoleGrant.role).where(RoleGrant.user_id == user.id)) == "met_chair"


def test_an_admins_reset_page_says_the_user_is_told(client, admin_id):
    chair = factories.user(roles=[Role.MET_CHAIR])
    page = client.get(f"/admin/users/{chair.id}/reset-password").get_data(as_text=True)
    assert "they are told by e-mail that their password was reset" in " ".join(page.split())


def test_an_account_waiting_for_its_only_role_can_sign_in_change_its_password_and_sign_out(app):
    client = app.test_client()
    auth = AuthActions(client, app)
    with app.app_context():
        factories.user(roles=[], email="waiting@example.org", must_change_password=True)
    assert auth.login("waiting@example.org").status_code == 302
    assert client.get("/").headers["Location"] == "/account/password"
    new = "a brand new long passphrase"
    page = "/account/password"
    data = {"current_password": factories.PASSWORD, "new_password": new, "confirm_password": new}
    assert post_form(client, page, data, page=page).status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/cases/").status_code == 403
    assert auth.logout().status_code == 302
