"""Separation of duties (issue 15, finding 1; docs/security.md): an administrator gives
themself no role, never holds a role that reads cases, and gives the MET chair role only
with a second person's approval; an admin's password reset of a case worker tells them.

Each test failed before accounts/rules.py and accounts/role_grants.py: an admin could save
roles=admin&roles=met_chair on their own account and read every child's record."""

import pytest
from sqlalchemy import select

from mettrack.accounts import role_grants, rules, users
from mettrack.accounts.models import User
from mettrack.accounts.role_grant import RoleGrant
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.errors import NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import ROLE_PERMISSIONS, Perm
from mettrack.reminders.models import Reminder
from mettrack.reminders.rules import ReminderKind
from tests import factories

pytestmark = pytest.mark.usefixtures("app_ctx")


def _input(user, roles) -> users.UserInput:
    roles = [str(r) for r in roles]
    return users.UserInput(email=user.email, name=user.name, roles=roles, agency=user.agency.name)


def _new(roles) -> users.UserInput:
    return users.UserInput(email="new.person@example.org", name="New Person", roles=roles, agency="Trust")


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


@pytest.fixture
def admin():
    return factories.user(roles=[Role.ADMIN])


@pytest.fixture
def chair():
    return factories.user(roles=[Role.MET_CHAIR])


def test_the_case_reading_roles_are_those_that_view_cases():
    assert ROLE_PERMISSIONS[Perm.CASE_VIEW] == rules.CASE_READING_ROLES


@pytest.mark.parametrize("role", sorted(rules.CASE_READING_ROLES))
def test_an_admin_cannot_give_themself_a_case_role(admin, role):
    with pytest.raises(ValidationError) as refused:
        users.update_user(admin, _input(admin, [Role.ADMIN, role]), actor=admin)
    assert set(refused.value.errors) == {"roles"}
    db.session.expire_all()
    assert admin.roles == {Role.ADMIN}
    assert db.session.scalar(select(RoleGrant.id)) is None


def test_an_admin_cannot_give_themself_any_role(admin):
    with pytest.raises(ValidationError) as refused:
        users.update_user(admin, _input(admin, [Role.ADMIN, Role.ANALYST]), actor=admin)
    assert refused.value.errors == {"roles": rules.SELF_GRANT}
    db.session.expire_all()
    assert admin.roles == {Role.ADMIN}


def test_an_admin_still_cannot_remove_their_own_admin_role(admin):
    with pytest.raises(ValidationError) as refused:
        users.update_user(admin, _input(admin, [Role.ANALYST]), actor=admin)
    assert refused.value.errors == {"roles": rules.SELF_ADMIN_REMOVAL}


def test_an_admin_may_change_their_own_name_keeping_their_roles(admin):
    data = _input(admin, [Role.ADMIN])
    data.name = "Ada Renamed"
    assert users.update_user(admin, data, actor=admin).name == "Ada Renamed"


@pytest.mark.parametrize("role", sorted(rules.CASE_READING_ROLES))
def test_no_account_holds_admin_and_a_case_role(admin, role):
    other = factories.user(roles=[Role.ANALYST])
    with pytest.raises(ValidationError) as refused:
        users.update_user(other, _input(other, [Role.ADMIN, role]), actor=admin)
    assert refused.value.errors == {"roles": rules.ADMIN_WITH_CASE_ROLE}
    with pytest.raises(ValidationError) as refused:
        users.create_user(_new([Role.ADMIN.value, role.value]), None, actor=admin)
    assert set(refused.value.errors) == {"roles"}


def test_the_command_line_refuses_admin_with_a_case_role_too():
    with pytest.raises(ValidationError) as refused:
        users.create_user(_new(["admin", "met_chair"]), "a long enough passphrase", actor="cli")
    assert refused.value.errors == {"roles": rules.ADMIN_WITH_CASE_ROLE}


def test_giving_the_chair_role_waits_for_a_chair(admin, chair):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    users.update_user(lead, _input(lead, [Role.LEAD_PROFESSIONAL, Role.MET_CHAIR]), actor=admin)
    db.session.expire_all()
    assert lead.roles == {Role.LEAD_PROFESSIONAL}  # not yet
    (grant,) = role_grants.pending_for_user(lead.id)
    assert (grant.role, grant.requested_by_id) == ("met_chair", admin.id)

    role_grants.decide(chair, grant.id, approve=True)
    db.session.expire_all()
    assert lead.roles == {Role.LEAD_PROFESSIONAL, Role.MET_CHAIR}
    assert grant.state == "approved" and grant.decided_by_id == chair.id
    assert [a for a in _actions() if a.startswith("role_grant.")] == [
        "role_grant.requested",
        "role_grant.approved",
    ]


def test_a_refused_grant_gives_nothing(admin, chair):
    partner = factories.user(roles=[Role.PARTNER])
    users.update_user(partner, _input(partner, [Role.MET_CHAIR]), actor=admin)
    (grant,) = role_grants.pending_for_user(partner.id)
    role_grants.decide(chair, grant.id, approve=False)
    db.session.expire_all()
    assert partner.roles == set()
    assert grant.state == "refused"
    assert "role_grant.refused" in _actions()
    with pytest.raises(Exception) as again:  # decided: no longer waiting
        role_grants.decide(chair, grant.id, approve=True)
    assert again.value.status == 404


def test_an_admin_creating_a_chair_account_creates_it_without_the_role(admin):
    user = users.create_user(_new(["met_chair"]), None, actor=admin)
    db.session.expire_all()
    assert user.roles == set()
    assert [g.role for g in role_grants.pending_for_user(user.id)] == ["met_chair"]


def test_asking_twice_makes_one_grant(admin):
    partner = factories.user(roles=[Role.PARTNER])
    for _ in range(2):
        users.update_user(partner, _input(partner, [Role.PARTNER, Role.MET_CHAIR]), actor=admin)
    assert len(role_grants.pending_for_user(partner.id)) == 1


def test_the_operator_at_the_command_line_makes_the_first_chair_directly():
    user = users.create_user(_new(["met_chair"]), "a long enough passphrase", actor="cli")
    assert user.roles == {Role.MET_CHAIR}


def test_only_a_chair_who_neither_asked_nor_receives_decides(admin, chair):
    partner = factories.user(roles=[Role.PARTNER])
    users.update_user(partner, _input(partner, [Role.PARTNER, Role.MET_CHAIR]), actor=admin)
    (grant,) = role_grants.pending_for_user(partner.id)
    for not_a_chair in (admin, factories.user(roles=[Role.LEAD_PROFESSIONAL]), partner):
        with pytest.raises(NotAllowed):
            role_grants.decide(not_a_chair, grant.id, approve=True)
    deactivated_chair = factories.user(roles=[Role.MET_CHAIR], active=False)
    with pytest.raises(NotAllowed):
        role_grants.decide(deactivated_chair, grant.id, approve=True)
    db.session.expire_all()
    assert partner.roles == {Role.PARTNER}


def test_a_chair_cannot_approve_a_grant_they_asked_for():
    # An account holding both (made before the rule) must still find a second person.
    asker = factories.user(roles=[Role.ADMIN, Role.MET_CHAIR])
    partner = factories.user(roles=[Role.PARTNER])
    (grant,) = role_grants.request_grants(partner, [Role.MET_CHAIR], asker)
    with pytest.raises(NotAllowed) as refused:
        role_grants.decide(asker, grant.id, approve=True)
    assert "another MET chair" in refused.value.detail
    assert "role_grant.denied" in _actions()


def test_approval_rechecks_the_combination(admin, chair):
    analyst = factories.user(roles=[Role.ANALYST])
    (grant,) = role_grants.request_grants(analyst, [Role.MET_CHAIR], admin)
    analyst.set_roles([Role.ADMIN])  # made an administrator meanwhile
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        role_grants.decide(chair, grant.id, approve=True)
    assert set(refused.value.errors) == {"roles"}


def test_an_admins_reset_of_a_case_workers_password_emails_them_naming_no_child(admin, app):
    chair = factories.user(roles=[Role.MET_CHAIR], name="Chris Chair")
    factories.case(lead=None)  # a child on METtrack, whose name must not appear
    users.reset_password(chair, actor=admin)
    reminder = db.session.scalar(select(Reminder))
    assert (reminder.kind, reminder.recipient_id, reminder.channel, reminder.state) == (
        ReminderKind.PASSWORD_RESET.value,
        chair.id,
        "email",
        "pending",
    )
    assert chair.must_change_password
    from mettrack.reminders import mail

    message = mail.compose([reminder], chair)
    assert message.to == chair.email and "reset your METtrack password" in message.body
    assert "child" not in message.body.split("This e-mail names no child")[0].lower()


def test_an_admins_reset_of_an_analysts_password_sends_nothing(admin):
    analyst = factories.user(roles=[Role.ANALYST])
    users.reset_password(analyst, actor=admin)
    assert db.session.scalar(select(Reminder.id)) is None


def test_the_reset_e_mail_goes_even_to_a_user_who_chose_no_e_mail(admin, mail):
    from mettrack import reminders

    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    lead.notification_choice = "app_only"
    db.session.commit()
    users.reset_password(lead, actor=admin)
    assert [reminders.deliver(i).status for i in reminders.to_enqueue()] == ["sent"]
    (message,) = mail.messages
    assert message["To"] == lead.email
    assert message["Subject"] == "METtrack: your password was reset"


def test_the_cli_refuses_admin_with_a_case_role_naming_roles(runner):
    args = ["users", "create", "--email", "x@example.org", "--name", "X", "--agency", "Y"]
    args += ["--role", "admin", "--role", "met_chair"]
    passphrase = "a long enough passphrase\n"
    result = runner.invoke(args=args, input=passphrase * 2)
    assert result.exit_code == 2
    assert f"--roles: {rules.ADMIN_WITH_CASE_ROLE}" in result.output
    assert db.session.scalar(select(User.id)) is None
