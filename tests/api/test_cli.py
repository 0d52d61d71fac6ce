"""flask --app wsgi tokens create --email E: the token alone on standard output."""

from sqlalchemy import func, select

from mettrack.accounts.api_token import ApiToken
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from tests import factories


def test_tokens_create_prints_the_token_alone_on_stdout(app, runner, client):
    with app.app_context():
        user_id = factories.user(roles=[Role.MET_CHAIR], email="chair@example.org").id
    result = runner.invoke(args=["tokens", "create", "--email", "chair@example.org"])
    assert result.exit_code == 0, result.stderr
    secret = result.stdout.removesuffix("\n")
    assert "\n" not in secret and " " not in secret
    assert secret.startswith("mt_")
    assert "shown once" in result.stderr
    assert secret not in result.stderr
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user_id))
        assert token.name == "Command line"
    response = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200


def test_tokens_create_finds_the_user_whatever_the_case_of_the_email(app, runner):
    with app.app_context():
        factories.user(roles=[Role.PARTNER], email="partner@example.org")
    result = runner.invoke(
        args=["tokens", "create", "--email", " Partner@Example.org ", "--name", "nightly export"]
    )
    assert result.exit_code == 0, result.stderr
    with app.app_context():
        assert db.session.scalar(select(ApiToken.name)) == "nightly export"


def test_tokens_create_for_an_unknown_email_fails_and_changes_nothing(app, runner):
    result = runner.invoke(args=["tokens", "create", "--email", "nobody@example.org"])
    assert result.exit_code != 0
    assert result.stdout == ""
    assert "no user with this e-mail address" in result.stderr
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_tokens_create_for_a_deactivated_user_fails(app, runner):
    with app.app_context():
        factories.user(roles=[Role.PARTNER], email="gone@example.org", active=False)
    result = runner.invoke(args=["tokens", "create", "--email", "gone@example.org"])
    assert result.exit_code != 0
    assert result.stdout == ""
    assert "deactivated" in result.stderr
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
