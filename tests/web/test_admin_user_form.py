"""The add-user form as an administrator in their first week meets it (issue 16): the agency
is chosen from the list; a new agency is a confirmed step, warned when its name is close to
one that exists; the demo's own addresses are accepted; the first password is set in the
same step, shown once, and changed at the first sign-in."""

import html
import re

import pytest
from sqlalchemy import func, select

from mettrack.accounts import rules
from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from mettrack.reminders.models import Reminder
from tests import factories
from tests.conftest import AuthActions, post_form

NEW = "/admin/users/new"
PASSWORD_RE = re.compile(r'id="temporary-password">([^<]+)<')
CHOSEN = "a brand new long passphrase"


@pytest.fixture
def admin_id(auth, app_ctx):
    return auth.as_role(Role.ADMIN, name="Ada Admin")


@pytest.fixture
def barnardos(app_ctx):
    return factories.agency("Barnardo's")


def _agencies() -> list[str]:
    return sorted(db.session.scalars(select(Agency.name)))


def _add(client, **fields):
    data = {"name": "Nia New", "email": "nia@example.org", "roles": ["analyst"], **fields}
    return post_form(client, NEW, data, page=NEW)


def _text(response) -> str:
    return " ".join(html.unescape(response.get_data(as_text=True)).split())


# --- the rule, pure ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "close"),
    [
        ("Barnardos", ["Barnardo's"]),
        ("  BARNARDO’S ", ["Barnardo's"]),
        ("Barnados", ["Barnardo's"]),
        ("Barnardo's ICTG", ["Barnardo's"]),
        ("Demotown Police", []),
        ("", []),
    ],
)
def test_close_agency_names(typed, close):
    assert rules.close_agency_names(typed, ["Barnardo's", "Demotown Council", "Edge of Care"]) == close


def test_agency_name_key_ignores_case_punctuation_and_spacing():
    assert rules.agency_name_key(" Barnardo’s ") == rules.agency_name_key("barnardos") == "barnardos"
    assert rules.same_agency_name("Police - North", "police north")


# --- the form -----------------------------------------------------------------------------


def test_the_agency_is_a_list_with_a_way_to_a_new_one(client, admin_id, barnardos):
    page = client.get(NEW).get_data(as_text=True)
    assert re.search(r'<select class="govuk-select[^"]*" id="agency" name="agency"', page)
    assert f'<option value="{barnardos.id}">Barnardo&#39;s</option>' in page
    assert '<option value="new">Another agency, not in this list</option>' in page


def test_a_close_name_is_warned_and_nothing_is_saved_until_confirmed(client, admin_id, barnardos):
    before = _agencies()
    response = _add(client, agency="new", new_agency="Barnados")
    assert response.status_code == 400
    text = _text(response)
    assert "“Barnados” is close to “Barnardo's”" in text
    assert "Yes, add Barnados as a new agency" in text
    assert 'href="#new_agency"' in response.get_data(as_text=True)  # the error names the field
    assert _agencies() == before
    assert db.session.scalar(select(User).where(User.email == "nia@example.org")) is None

    # Confirmed: the admin meant a new agency after all.
    response = _add(client, agency="new", new_agency="Barnados", confirm_new_agency="Barnados")
    assert response.status_code == 200
    assert _agencies() == sorted([*before, "Barnados"])
    user = db.session.scalar(select(User).where(User.email == "nia@example.org"))
    assert user.agency.name == "Barnados"
    added = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "agency.added"))
    assert added.record_id == str(user.agency_id) and added.actor_user_id == admin_id


def test_a_confirmation_for_another_name_does_not_count(client, admin_id, barnardos):
    response = _add(client, agency="new", new_agency="Barnardoes", confirm_new_agency="Barnardos")
    assert response.status_code == 400
    assert "Yes, add Barnardoes as a new agency" in _text(response)
    assert _agencies() == ["Barnardo's", "Test Agency"]


def test_a_new_name_with_no_close_one_still_needs_confirming(client, admin_id, barnardos):
    response = _add(client, agency="new", new_agency="Harbourside Academy")
    assert response.status_code == 400
    assert "Confirm that “Harbourside Academy” is a new agency" in _text(response)
    assert "Harbourside Academy" not in _agencies()


@pytest.mark.parametrize("typed", ["Barnardos", "BARNARDO’S", " barnardo's "])
def test_the_same_name_as_an_existing_agency_is_never_a_second_one(client, admin_id, barnardos, typed):
    # The same once case, punctuation and spacing are ignored: refused even when ticked.
    response = _add(client, agency="new", new_agency=typed, confirm_new_agency=typed)
    assert response.status_code == 400
    assert "An agency called “Barnardo's” already exists: choose it from the list" in _text(response)
    assert _agencies() == ["Barnardo's", "Test Agency"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Choose the user's agency"),
        ({"agency": "999999"}, "Choose an agency from the list"),
        ({"agency": "x' OR 1=1"}, "Choose an agency from the list"),
        ({"agency": "new", "new_agency": "  "}, "Enter the new agency's name"),
        ({"agency": "new", "new_agency": "x" * 201}, "Agency name must be 200 characters or fewer"),
    ],
)
def test_bad_agency_choices_are_named_and_change_nothing(client, admin_id, fields, message):
    users = db.session.scalar(select(func.count()).select_from(User))
    response = _add(client, **fields)
    assert response.status_code == 400
    assert message in _text(response)
    assert db.session.scalar(select(func.count()).select_from(User)) == users


def test_edit_keeps_the_agency_chosen_and_changes_it_from_the_list(client, admin_id, barnardos):
    target = factories.user(roles=[Role.PARTNER], agency="Health trust")
    page = f"/admin/users/{target.id}/edit"
    assert f'<option value="{target.agency_id}" selected>Health trust</option>' in client.get(page).get_data(
        as_text=True
    )
    data = {
        "name": target.name,
        "email": target.email,
        "roles": ["partner"],
        "agency": "new",
        "new_agency": "Barnardos",
    }
    assert post_form(client, page, data, page=page).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, target.id).agency.name == "Health trust"
    data["agency"] = str(barnardos.id)
    assert post_form(client, page, data, page=page).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, target.id).agency.name == "Barnardo's"


# --- e-mail addresses ---------------------------------------------------------------------


def test_the_demos_own_addresses_are_accepted(client, admin_id, barnardos):
    response = _add(client, email="new.lead@demo.mettrack.test", agency=str(barnardos.id))
    assert response.status_code == 200
    assert db.session.scalar(select(User.id).where(User.email == "new.lead@demo.mettrack.test"))


def test_every_demo_login_passes_the_email_rule(app_ctx):
    from mettrack.accounts.users import normalise_email
    from mettrack.demo import load, team

    for _, email, *_ in load.DEMO_USERS:
        assert normalise_email(email) == email
    assert normalise_email(team.FORMER_LEAD_EMAIL) == team.FORMER_LEAD_EMAIL


@pytest.mark.parametrize("email", ["nia@localhost", "nia@printer.local", "nia@x.invalid", "nia example.org"])
def test_addresses_no_mail_can_reach_are_refused(client, admin_id, barnardos, email):
    response = _add(client, email=email, agency=str(barnardos.id))
    assert response.status_code == 400
    assert "Enter an e-mail address in the correct format" in _text(response)


# --- the first password -------------------------------------------------------------------


def test_the_first_password_is_shown_once_and_must_be_changed_at_first_sign_in(
    client, admin_id, barnardos, app
):
    response = _add(client, agency=str(barnardos.id), email="nia.new@example.org")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = _text(response)
    assert "Account created" in text and "This password is shown only once" in text
    first = PASSWORD_RE.search(response.get_data(as_text=True)).group(1)
    user = db.session.scalar(select(User).where(User.email == "nia.new@example.org"))
    assert user.must_change_password
    # Nowhere else: not on the user's page, nor in the audit log.
    assert first not in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert not db.session.scalar(select(func.count()).where(AuditEvent.detail.contains(first)))

    other = app.test_client()
    other_auth = AuthActions(other, app)
    assert other_auth.login("nia.new@example.org", first).status_code == 302
    assert other.get("/account/").headers["Location"] == "/account/password"
    changed = post_form(
        other,
        "/account/password",
        {"current_password": first, "new_password": CHOSEN, "confirm_password": CHOSEN},
        page="/account/password",
    )
    assert changed.status_code == 302
    assert other.get("/account/").status_code == 200


def test_a_case_role_account_is_told_by_e_mail_and_an_analyst_is_not(client, admin_id, barnardos):
    _add(client, agency=str(barnardos.id), email="lee@example.org", roles=["lead_professional"])
    _add(client, agency=str(barnardos.id), email="ana@example.org", roles=["analyst"])
    _add(client, agency=str(barnardos.id), email="cara@example.org", roles=["met_chair"])  # waits for a chair
    told = set(
        db.session.scalars(
            select(User.email)
            .join(Reminder, Reminder.recipient_id == User.id)
            .where(Reminder.kind == "account_created")
        )
    )
    assert told == {"lee@example.org", "cara@example.org"}
    detail = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "user.first_password_set")
    ).all()
    assert sorted(detail) == sorted(['{"user_told": true}', '{"user_told": false}', '{"user_told": true}'])


def test_the_chair_role_still_waits_for_a_second_person(client, admin_id, barnardos):
    response = _add(client, agency=str(barnardos.id), email="cara@example.org", roles=["met_chair"])
    assert response.status_code == 200
    assert "waits until a MET chair approves it" in _text(response)
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "cara@example.org")).roles == set()


def test_only_an_admin_reaches_the_form(client, auth):
    auth.as_role(Role.MET_CHAIR)
    assert client.get(NEW).status_code == 403


# --- the command line -----------------------------------------------------------------------


def test_the_command_line_refuses_a_close_name_unless_told_it_is_new(app, app_ctx, barnardos):
    runner = app.test_cli_runner()
    args = ["users", "create", "--email", "x@example.org", "--name", "X Person", "--role", "analyst"]
    result = runner.invoke(args=[*args, "--agency", "Barnados"], input="a long passphrase ok\n" * 2)
    assert result.exit_code == 2, result.output  # a bad option, as click reports one
    assert "“Barnardo's” is close to it" in result.output
    result = runner.invoke(args=[*args, "--agency", "barnardos"], input="a long passphrase ok\n" * 2)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "x@example.org")).agency.name == "Barnardo's"
    args[3] = "y@example.org"
    result = runner.invoke(
        args=[*args, "--agency", "Barnados", "--new-agency"], input="a long passphrase ok\n" * 2
    )
    assert result.exit_code == 0, result.output
    assert "Barnados" in _agencies()
