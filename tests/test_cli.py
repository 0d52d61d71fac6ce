"""The command line that partner agencies script against (DESIGN.md, Interfaces)."""

from sqlalchemy import select

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.accounts.passwords import verify_password
from mettrack.core.audit_event import AuditEvent
from mettrack.core.extensions import db

PASSWORD = "a long enough password"


def _create(runner, *extra, password_input=f"{PASSWORD}\n{PASSWORD}\n"):
    args = ["users", "create", "--email", "Chair@Example.org", "--name", "Pat Chair", "--role", "met_chair"]
    return runner.invoke(args=[*args, *extra], input=password_input)


def test_users_create_reads_the_password_twice_and_creates_the_agency(runner, app_ctx):
    result = _create(runner, "--role", "lead_professional", "--agency", "New Agency")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "chair@example.org"))
    assert user is not None
    assert {str(r) for r in user.roles} == {"met_chair", "lead_professional"}
    assert user.agency.name == "New Agency"
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, PASSWORD)
    assert not user.must_change_password
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created")) is not None


def test_users_create_refuses_mismatched_passwords(runner, app_ctx):
    result = _create(runner, "--agency", "A", password_input=f"{PASSWORD}\nsomething else\n")
    assert result.exit_code != 0
    assert db.session.scalar(select(User)) is None


def test_users_create_names_the_bad_field_and_changes_nothing(runner, app_ctx):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "not-an-email",
            "--name",
            "X",
            "--role",
            "wizard",
            "--agency",
            "A",
        ],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 2
    assert "--email" in result.stderr and "--roles" in result.stderr
    assert db.session.scalar(select(User)) is None
    assert db.session.scalar(select(Agency)) is None


def test_users_create_refuses_a_short_password(runner, app_ctx):
    result = _create(runner, "--agency", "A", password_input="short\nshort\n")
    assert result.exit_code == 2
    assert "at least 12 characters" in result.stderr
    assert db.session.scalar(select(User)) is None


def test_users_create_refuses_a_duplicate_email(runner, app_ctx):
    assert _create(runner, "--agency", "A").exit_code == 0
    result = _create(runner, "--agency", "A")
    assert result.exit_code == 2
    assert "already exists" in result.stderr


def test_demo_load_prints_one_login_per_role_and_is_idempotent(runner, app_ctx):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    for role in ("met_chair", "lead_professional", "coordinator", "partner", "analyst", "admin"):
        assert role in first.output
    users = db.session.scalar(select(db.func.count()).select_from(User))
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    assert db.session.scalar(select(db.func.count()).select_from(User)) == users
