"""A police reviewer's access to intelligence needs a second person (issue 15, separation
of duties; docs/security.md): however an account becomes a police user with a case role
(a case role given, a move into a police agency, the agency's sector changed to police), it
reviews intelligence only once a MET chair, neither the asker nor the grantee, approves.

Each test would fail without the intelligence reviewer grant: core/permissions made every
police user with a case role a reviewer at once."""

import pytest
from sqlalchemy import select

from mettrack.accounts import agency_admin, role_grants, rules, tokens, users
from mettrack.accounts.models import User
from mettrack.accounts.role_grant import RoleGrant
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import AgencySector, Role
from mettrack.core.errors import NotAllowed
from mettrack.core.extensions import db
from mettrack.core.permissions import is_intelligence_reviewer
from mettrack.reminders import mail
from mettrack.reminders.models import Reminder
from mettrack.reminders.rules import ReminderKind
from tests import factories
from tests.api.conftest import bearer
from tests.conftest import AuthActions, post_form
from tests.intelligence import factories as intel

OFFICER = "officer@example.org"


def _input(user: User, roles, agency: str | None = None) -> users.UserInput:
    return users.UserInput(
        email=user.email, name=user.name, roles=[str(r) for r in roles], agency=agency or user.agency.name
    )


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def _make_police_user(admin: User, way: str) -> User:
    """The three ways an administrator makes someone a police user with a case role."""
    if way == "role given":
        officer = factories.user(roles=[Role.ANALYST], agency="Demotown Police", email=OFFICER)
        intel.set_sector(officer.agency, AgencySector.POLICE)
        users.update_user(officer, _input(officer, [Role.ANALYST, Role.PARTNER]), actor=admin)
    elif way == "moved into police":
        intel.set_sector(
            factories.user(roles=[Role.ANALYST], agency="Demotown Police").agency, AgencySector.POLICE
        )
        officer = factories.user(roles=[Role.PARTNER], agency="Demotown Council", email=OFFICER)
        users.update_user(officer, _input(officer, [Role.PARTNER], agency="Demotown Police"), actor=admin)
    else:  # the agency's sector changed to police
        officer = factories.user(roles=[Role.PARTNER], agency="Demotown Constabulary", email=OFFICER)
        agency_admin.update_agency(
            admin, officer.agency_id, {"name": "Demotown Constabulary", "sector": "police"}
        )
    db.session.expire_all()
    return db.session.get(User, officer.id)


@pytest.fixture
def world(app):
    with app.app_context():
        admin = factories.user(roles=[Role.ADMIN], agency="Demotown Council")
        chair = factories.user(roles=[Role.MET_CHAIR], email="chair@example.org")
        sharer = factories.user(roles=[Role.PARTNER], agency="Harbour School")
        raw = intel.item(sharer)  # ungraded: reviewers and its sharer only
        return {"admin": admin.id, "chair": chair.id, "raw": raw.id}


def _reviews(app, client, secret: str, raw: int) -> bool:
    """What the officer notices: the review queue, the item's page and its API."""
    queue = client.get("/intelligence/review").status_code
    page = client.get(f"/intelligence/{raw}").status_code
    api = client.get(f"/api/v1/intelligence/{raw}", headers=bearer(secret)).status_code
    if (queue, page, api) == (200, 200, 200):
        return True
    assert (queue, page, api) == (403, 404, 404)  # as every non-reviewer gets today
    return False


@pytest.mark.parametrize("decision", ["approve", "refuse"])
@pytest.mark.parametrize("way", ["role given", "moved into police", "sector changed to police"])
def test_each_way_to_a_police_reviewer_waits_for_a_chair(app, world, way, decision):
    with app.app_context():
        admin = db.session.get(User, world["admin"])
        officer = _make_police_user(admin, way)
        assert officer.roles & rules.CASE_READING_ROLES and officer.agency.sector == "police"
        assert not is_intelligence_reviewer(officer)
        (grant,) = role_grants.pending_for_user(officer.id)
        assert (grant.role, grant.requested_by_id) == (rules.INTELLIGENCE_REVIEWER, admin.id)
        _t, secret = tokens.create_token(officer, name="test")
        grant_id, officer_id = grant.id, officer.id

    client = app.test_client()
    assert AuthActions(client, app).login(OFFICER).status_code == 302
    assert not _reviews(app, client, secret, world["raw"])

    chair_client = app.test_client()
    AuthActions(chair_client, app).login("chair@example.org")
    waiting = chair_client.get("/role-grants/").get_data(as_text=True)
    assert "Intelligence reviewer (police)" in waiting
    response = post_form(chair_client, f"/role-grants/{grant_id}/{decision}", page="/role-grants/")
    assert response.status_code == 302

    assert _reviews(app, client, secret, world["raw"]) is (decision == "approve")
    with app.app_context():
        grant = db.session.get(RoleGrant, grant_id)
        assert (grant.state, grant.decided_by_id) == (f"{decision}d", world["chair"])
        assert db.session.get(User, officer_id).intelligence_review_approved is (decision == "approve")
        assert [a for a in _actions() if a.startswith("role_grant.")] == [
            "role_grant.requested",
            f"role_grant.{decision}d",
        ]


def test_the_api_decides_too_and_non_chairs_get_403(app, client, world):
    with app.app_context():
        admin = db.session.get(User, world["admin"])
        officer = _make_police_user(admin, "role given")
        (grant,) = role_grants.pending_for_user(officer.id)
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        secrets = {
            who: tokens.create_token(u, name="test")[1]
            for who, u in {"admin": admin, "lead": lead, "officer": officer}.items()
        }
        chair_secret = tokens.create_token(db.session.get(User, world["chair"]), name="test")[1]
        grant_id = grant.id
    for who, secret in secrets.items():
        for decision in ("approve", "refuse"):
            refused = client.post(f"/api/v1/role-grants/{grant_id}/{decision}", headers=bearer(secret))
            assert refused.status_code == 403, who
    # Pages too: the administrator who asked is refused the chair's page and the decision.
    admin_client = app.test_client()
    with app.app_context():
        admin_email = db.session.get(User, world["admin"]).email
    AuthActions(admin_client, app).login(admin_email)
    assert admin_client.get("/role-grants/").status_code == 403
    assert post_form(admin_client, f"/role-grants/{grant_id}/approve").status_code == 403

    listed = client.get("/api/v1/role-grants", headers=bearer(chair_secret)).get_json()["items"]
    assert [(g["id"], g["role"], g["can_decide"]) for g in listed] == [
        (grant_id, "intelligence_reviewer", True)
    ]
    approved = client.post(f"/api/v1/role-grants/{grant_id}/approve", headers=bearer(chair_secret))
    assert approved.status_code == 200 and approved.get_json()["state"] == "approved"
    assert (
        client.get(f"/api/v1/intelligence/{world['raw']}", headers=bearer(secrets["officer"])).status_code
        == 200
    )


def test_the_asker_and_the_grantee_cannot_approve(app, world):
    with app.app_context():
        # An account holding admin and chair (made before the rule) asks: another chair decides.
        asker = factories.user(roles=[Role.ADMIN, Role.MET_CHAIR])
        officer = _make_police_user(asker, "role given")
        (grant,) = role_grants.pending_for_user(officer.id)
        with pytest.raises(NotAllowed) as refused:
            role_grants.decide(asker, grant.id, approve=True)
        assert "another MET chair" in refused.value.detail
        with pytest.raises(NotAllowed):
            role_grants.decide(officer, grant.id, approve=True)  # not a chair, and the grantee
        assert (
            rules.approval_problem(
                approver_id=officer.id,
                approver_roles=[Role.MET_CHAIR],
                approver_active=True,
                requested_by_id=asker.id,
                grantee_id=officer.id,
            )
            == "You cannot approve a role for yourself."
        )
        db.session.expire_all()
        assert not is_intelligence_reviewer(db.session.get(User, officer.id))
        assert _actions().count("role_grant.denied") == 1


def test_the_user_is_told_of_the_decision_naming_no_child(app, world):
    with app.app_context():
        factories.case(lead=None)  # a child on METtrack, whose name must not appear
        admin = db.session.get(User, world["admin"])
        officer = _make_police_user(admin, "role given")
        (grant,) = role_grants.pending_for_user(officer.id)
        role_grants.decide(db.session.get(User, world["chair"]), grant.id, approve=False)
        reminder = db.session.scalar(select(Reminder))
        assert (reminder.kind, reminder.recipient_id, reminder.record_id, reminder.channel) == (
            ReminderKind.ROLE_GRANT_DECIDED.value,
            officer.id,
            grant.id,
            "email",
        )
        message = mail.compose([reminder], officer)
        assert message.to == officer.email
        assert "A MET chair refused your access to review intelligence" in message.body
        assert (
            "Testchild" not in message.body
            and "child" not in message.body.split("This e-mail names no child")[0]
        )


def test_leaving_police_ends_the_access_and_coming_back_needs_a_new_approval(app, world):
    with app.app_context():
        admin = db.session.get(User, world["admin"])
        officer = _make_police_user(admin, "role given")
        (grant,) = role_grants.pending_for_user(officer.id)
        role_grants.decide(db.session.get(User, world["chair"]), grant.id, approve=True)
        db.session.expire_all()
        officer = db.session.get(User, officer.id)
        assert is_intelligence_reviewer(officer)

        users.update_user(
            officer, _input(officer, [Role.ANALYST, Role.PARTNER], agency="Demotown Council"), actor=admin
        )
        db.session.expire_all()
        officer = db.session.get(User, officer.id)
        assert not officer.intelligence_review_approved
        users.update_user(
            officer, _input(officer, [Role.ANALYST, Role.PARTNER], agency="Demotown Police"), actor=admin
        )
        db.session.expire_all()
        officer = db.session.get(User, officer.id)
        assert not is_intelligence_reviewer(officer)
        (again,) = role_grants.pending_for_user(officer.id)
        assert again.id != grant.id and again.role == rules.INTELLIGENCE_REVIEWER

        # Leaving again before a chair decides withdraws the waiting grant.
        agency_admin.update_agency(admin, officer.agency_id, {"name": "Demotown Police", "sector": "other"})
        assert role_grants.pending_for_user(officer.id) == []
        assert db.session.get(RoleGrant, again.id).state == "withdrawn"
        assert "role_grant.lapsed" in _actions() and "role_grant.withdrawn" in _actions()


def test_a_chair_needs_no_grant_and_the_operator_gives_it_directly(app, world):
    with app.app_context():
        intel.set_sector(
            factories.user(roles=[Role.ANALYST], agency="Demotown Police").agency, AgencySector.POLICE
        )
        data = users.UserInput(
            email="op@example.org", name="Opal Officer", roles=["partner"], agency="Demotown Police"
        )
        officer = users.create_user(data, "a long enough passphrase", actor="cli")
        assert is_intelligence_reviewer(officer)
        grant = db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == officer.id))
        assert (grant.state, grant.note) == ("approved", role_grants.OPERATOR_NOTE)
        # An administrator's new account in a police agency waits instead.
        admin = db.session.get(User, world["admin"])
        data = users.UserInput(
            email="new@example.org", name="Neil New", roles=["partner"], agency="Demotown Police"
        )
        new = users.create_user(data, None, actor=admin)
        assert not is_intelligence_reviewer(new)
        assert [g.role for g in role_grants.pending_for_user(new.id)] == [rules.INTELLIGENCE_REVIEWER]
