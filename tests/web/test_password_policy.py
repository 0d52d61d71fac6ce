"""Issue 15, finding 8: weak passwords (`password1234`, `aaaaaaaaaaaa`) were accepted, only
their length was checked. The one rule (accounts/rules.password_problem) now refuses them on
every way a password is set: the change-password page, `flask users create`, and the use
case an administrator's account creation goes through. Each refusal names the field."""

import pytest
from sqlalchemy import select

from mettrack.accounts import users as accounts
from mettrack.accounts.models import User
from mettrack.accounts.passwords import verify_password
from mettrack.core.choices import Role
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from tests import factories
from tests.conftest import csrf_from

WEAK = ["password1234", "aaaaaaaaaaaa"]


@pytest.fixture
def lead(app_ctx):
    return factories.user(roles=[Role.LEAD_PROFESSIONAL], email="robin.lead@example.org", name="Robin Lead")


def _change(client, new):
    token = csrf_from(client.get("/account/password"))
    return client.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "new_password": new,
            "confirm_password": new,
            "csrf_token": token,
        },
    )


@pytest.mark.parametrize("weak", [*WEAK, "robin's new passphrase"])
def test_the_change_password_page_refuses_a_weak_password_naming_the_field(client, auth, lead, weak):
    auth.login("robin.lead@example.org")

    response = _change(client, weak)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'href="#new_password"' in page  # the error summary links to the field
    assert any(reason in page for reason in ("most common passwords", "repeated", "your name or e-mail"))
    db.session.expire_all()
    assert verify_password(db.session.get(User, lead.id).password_hash, factories.PASSWORD)


def test_the_change_password_page_accepts_a_passphrase(client, auth, lead):
    auth.login("robin.lead@example.org")

    assert _change(client, "kettle orbit tuesday lantern").status_code == 302

    db.session.expire_all()
    assert verify_password(db.session.get(User, lead.id).password_hash, "kettle orbit tuesday lantern")


@pytest.mark.parametrize("weak", WEAK)
def test_the_use_case_refuses_a_weak_password_naming_the_field(app_ctx, weak):
    data = accounts.UserInput(email="pat@example.org", name="Pat Doe", roles=["analyst"], agency="A")

    with pytest.raises(ValidationError) as refused:
        accounts.create_user(data, weak, actor="cli")

    assert set(refused.value.errors) == {"password"}
    assert db.session.scalar(select(User)) is None


@pytest.mark.parametrize("weak", [*WEAK, "pat doe is the best"])
def test_users_create_on_the_command_line_refuses_a_weak_password(runner, app_ctx, weak):
    args = ["users", "create", "--email", "pat@example.org", "--name", "Pat Doe", "--role", "analyst"]

    result = runner.invoke(args=[*args, "--agency", "A"], input=f"{weak}\n{weak}\n")

    assert result.exit_code == 2
    assert "password: Password " in result.stderr
    assert db.session.scalar(select(User)) is None
