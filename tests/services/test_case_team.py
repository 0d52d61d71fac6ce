"""The case team through services.case_team: adding and removing members (and the access
that follows), changing the lead professional (version checked), and the chair's list
of cases whose lead has been deactivated."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from mettrack.accounts import users as accounts
from mettrack.accounts.models import User
from mettrack.cases import queries as cases
from mettrack.cases import team as case_team
from mettrack.cases.models import Case, CaseEvent, CaseTeamMember
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role, TeamRole
from mettrack.core.clock import set_now
from mettrack.core.errors import Conflict, NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import NotFound
from tests import factories


@pytest.fixture(autouse=True)
def _clock(app_ctx):
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    return app_ctx


def _audit(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
    )


def _team(case_id: int) -> dict[int, str]:
    db.session.expire_all()
    return {
        m.user_id: m.team_role
        for m in db.session.scalars(select(CaseTeamMember).where(CaseTeamMember.case_id == case_id))
    }


def _events(case_id: int) -> list[CaseEvent]:
    return list(
        db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case_id, CaseEvent.action.like("team.%"))
            .order_by(CaseEvent.id)
        )
    )


@pytest.fixture
def people():
    chair = factories.user(roles=[Role.MET_CHAIR], agency="MASH")
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], agency="Edge of Care")
    other_lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], agency="Early Help")
    partner = factories.user(roles=[Role.PARTNER], agency="Police")
    case = factories.case(lead=lead, state=CaseState.MET_REVIEW)
    return {"chair": chair, "lead": lead, "other_lead": other_lead, "partner": partner, "case": case}


# --- adding ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["chair", "lead"])
def test_the_chair_or_the_lead_adds_a_partner_who_can_then_open_the_case(people, who):
    case, partner = people["case"], people["partner"]
    with pytest.raises(NotFound):
        cases.get_for(partner, case.id)

    case_team.add_member(people[who], case.id, {"user_id": str(partner.id)})

    assert _team(case.id)[partner.id] == TeamRole.MEMBER.value
    assert cases.get_for(partner, case.id).id == case.id
    row = _audit("case.team_member_added")[-1]
    assert (row.record_type, row.record_id, row.actor_user_id) == ("case", str(case.id), people[who].id)
    assert json.loads(row.detail) == {"user_id": partner.id}
    (event,) = _events(case.id)
    assert event.action == "team.member_added"
    assert event.from_state == event.to_state == CaseState.MET_REVIEW.value
    assert event.reason == f"{partner.name} (Police) joined the team"


def test_adding_someone_does_not_raise_the_case_version(people):
    case = people["case"]
    version = case.version
    case_team.add_member(people["chair"], case.id, {"user_id": people["partner"].id})
    db.session.expire_all()
    assert db.session.get(Case, case.id).version == version


def test_a_lead_professional_on_the_team_but_not_its_lead_may_not_add_anyone(people):
    case = people["case"]
    case_team.add_member(people["chair"], case.id, {"user_id": people["other_lead"].id})
    before = _team(case.id)
    with pytest.raises(NotAllowed):
        case_team.add_member(people["other_lead"], case.id, {"user_id": people["partner"].id})
    assert _team(case.id) == before
    denied = _audit("case.team_member_added.denied")
    assert denied and denied[-1].outcome == "denied" and denied[-1].actor_user_id == people["other_lead"].id


def test_a_partner_on_the_team_may_not_add_anyone(people):
    case = people["case"]
    case_team.add_member(people["chair"], case.id, {"user_id": people["partner"].id})
    someone = factories.user(roles=[Role.PARTNER])
    with pytest.raises(NotAllowed):
        case_team.add_member(people["partner"], case.id, {"user_id": someone.id})
    assert someone.id not in _team(case.id)


def test_a_lead_professional_outside_the_case_gets_not_found(people):
    with pytest.raises(NotFound):
        case_team.add_member(people["other_lead"], people["case"].id, {"user_id": people["partner"].id})
    assert _audit("case.team_member_added.denied")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: {"user_id": ""}, "Choose the person to add to the team from the list"),
        (lambda p: {}, "Choose the person to add to the team from the list"),
        (lambda p: {"user_id": "abc"}, "Choose the person to add to the team from the list"),
        (lambda p: {"user_id": "99999999999999999999"}, "Choose the person to add to the team from the list"),
        (lambda p: {"user_id": 2147483000}, "Choose the person to add to the team from the list"),
        (
            lambda p: {"user_id": factories.user(roles=[Role.PARTNER], active=False).id},
            "This person's account is deactivated: choose someone else",
        ),
        (
            lambda p: {"user_id": factories.user(roles=[Role.ANALYST]).id},
            "This person's roles give no access to cases: choose someone with a case role",
        ),
        (lambda p: {"user_id": p["lead"].id}, "is already on the team"),
    ],
    ids=["blank", "missing", "text", "huge", "unknown", "deactivated", "no case role", "already on"],
)
def test_adding_someone_who_cannot_be_added_names_user_id_and_changes_nothing(people, make, message):
    case = people["case"]
    data = make(people)
    before = _team(case.id)
    with pytest.raises(ValidationError) as refused:
        case_team.add_member(people["chair"], case.id, data)
    assert set(refused.value.errors) == {"user_id"}
    assert message in refused.value.errors["user_id"]
    assert _team(case.id) == before
    assert not _events(case.id)


def test_the_people_offered_are_active_case_workers_not_yet_on_the_team(people):
    analyst = factories.user(roles=[Role.ANALYST])
    gone = factories.user(roles=[Role.PARTNER], active=False)
    offered = {u.id for u in case_team.member_candidates(people["case"])}
    assert people["partner"].id in offered and people["chair"].id in offered
    assert people["lead"].id not in offered  # already on the team
    assert analyst.id not in offered and gone.id not in offered


# --- removing ----------------------------------------------------------------------------


def test_a_removed_partner_can_no_longer_open_the_case(people):
    case, partner = people["case"], people["partner"]
    case_team.add_member(people["lead"], case.id, {"user_id": partner.id})
    case_team.remove_member(people["lead"], case.id, partner.id)
    assert partner.id not in _team(case.id)
    with pytest.raises(NotFound):
        cases.get_for(partner, case.id)
    assert json.loads(_audit("case.team_member_removed")[-1].detail) == {"user_id": partner.id}
    assert [e.action for e in _events(case.id)] == ["team.member_added", "team.member_removed"]
    assert _events(case.id)[-1].reason == f"{partner.name} (Police) left the team"


def test_the_lead_professional_cannot_be_taken_off_the_team(people):
    case = people["case"]
    with pytest.raises(ValidationError) as refused:
        case_team.remove_member(people["chair"], case.id, people["lead"].id)
    assert "change the lead professional first" in refused.value.errors["user_id"]
    assert _team(case.id) == {people["lead"].id: TeamRole.LEAD.value}


def test_removing_someone_not_on_the_team_says_so(people):
    with pytest.raises(case_team.NotOnTeam) as refused:
        case_team.remove_member(people["chair"], people["case"].id, people["partner"].id)
    assert refused.value.errors == {"user_id": "This person is not on the case's team"}


def test_a_partner_may_not_remove_anyone(people):
    case = people["case"]
    case_team.add_member(people["chair"], case.id, {"user_id": people["partner"].id})
    case_team.add_member(people["chair"], case.id, {"user_id": people["other_lead"].id})
    with pytest.raises(NotAllowed):
        case_team.remove_member(people["partner"], case.id, people["other_lead"].id)
    assert people["other_lead"].id in _team(case.id)


# --- the lead professional ---------------------------------------------------------------


def test_the_chair_changes_the_lead_and_the_old_lead_stays_a_member(people):
    case, lead, new = people["case"], people["lead"], people["other_lead"]
    version = case.version

    changed = case_team.change_lead(people["chair"], case.id, {"user_id": str(new.id)}, str(version))

    assert changed.lead_professional_id == new.id
    assert changed.lead_agency_id == new.agency_id
    assert changed.version == version + 1
    assert _team(case.id) == {lead.id: TeamRole.MEMBER.value, new.id: TeamRole.LEAD.value}
    row = _audit("case.lead_changed")[-1]
    assert json.loads(row.detail) == {"from": lead.id, "to": new.id, "previous_removed": False}
    (event,) = _events(case.id)
    assert event.action == "team.lead_changed"
    assert (
        event.reason == f"Lead professional: {new.name} (Early Help), in place of {lead.name} (Edge of Care)"
    )
    # The old lead keeps the case through the team; the new lead reaches it as its lead.
    assert cases.get_for(lead, case.id) and cases.get_for(new, case.id)


def test_the_lead_hands_over_and_may_leave_the_team_at_once(people):
    case, lead, new = people["case"], people["lead"], people["other_lead"]
    case_team.change_lead(lead, case.id, {"user_id": new.id, "remove_previous": "yes"}, case.version)
    assert _team(case.id) == {new.id: TeamRole.LEAD.value}
    assert not case_team.user_sees_case(lead, case.id)
    with pytest.raises(NotFound):
        cases.get_for(lead, case.id)
    assert _events(case.id)[-1].reason.endswith(f"; {lead.name} left the team")


def test_a_lead_change_on_a_stale_version_is_a_conflict_and_changes_nothing(people):
    case, new = people["case"], people["other_lead"]
    stale = case.version
    case_team.change_lead(people["chair"], case.id, {"user_id": new.id}, stale)  # someone else first
    before = (_team(case.id), len(_events(case.id)))

    with pytest.raises(Conflict):
        case_team.change_lead(people["chair"], case.id, {"user_id": people["lead"].id}, stale)

    db.session.expire_all()
    assert db.session.get(Case, case.id).lead_professional_id == new.id
    assert (_team(case.id), len(_events(case.id))) == before


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: {}, "Choose the new lead professional from the list"),
        (lambda p: {"user_id": "-1"}, "Choose the new lead professional from the list"),
        (lambda p: {"user_id": p["partner"].id}, "does not hold the lead professional role"),
        (
            lambda p: {"user_id": factories.user(roles=[Role.LEAD_PROFESSIONAL], active=False).id},
            "account is deactivated",
        ),
        (lambda p: {"user_id": p["lead"].id}, "is already the lead professional"),
    ],
    ids=["missing", "negative", "not a lead professional", "deactivated", "same lead"],
)
def test_the_new_lead_must_be_an_active_lead_professional(people, make, message):
    case = people["case"]
    data = make(people)
    with pytest.raises(ValidationError) as refused:
        case_team.change_lead(people["chair"], case.id, data, case.version)
    assert message in refused.value.errors["user_id"]
    db.session.expire_all()
    assert db.session.get(Case, case.id).lead_professional_id == people["lead"].id


def test_a_bad_version_is_named(people):
    with pytest.raises(ValidationError) as refused:
        case_team.change_lead(people["chair"], people["case"].id, {"user_id": people["other_lead"].id}, "x")
    assert set(refused.value.errors) == {"version"}


def test_a_team_member_who_is_not_the_lead_may_not_hand_the_case_over(people):
    case = people["case"]
    case_team.add_member(people["chair"], case.id, {"user_id": people["other_lead"].id})
    with pytest.raises(NotAllowed):
        case_team.change_lead(
            people["other_lead"], case.id, {"user_id": people["other_lead"].id}, case.version
        )


def test_a_case_with_no_lead_gets_one_from_the_chair(people):
    case = factories.case(lead=None, members=[people["partner"]], state=CaseState.SCREENED)
    case_team.change_lead(people["chair"], case.id, {"user_id": people["lead"].id}, case.version)
    assert _team(case.id) == {
        people["partner"].id: TeamRole.MEMBER.value,
        people["lead"].id: TeamRole.LEAD.value,
    }
    assert _events(case.id)[-1].reason == f"Lead professional: {people['lead'].name} (Edge of Care)"


# --- cases to reassign -------------------------------------------------------------------


def test_the_chair_sees_the_open_cases_of_a_deactivated_lead_and_the_open_cases_with_no_lead(people):
    chair, lead = people["chair"], people["lead"]
    open_case = people["case"]
    closed = factories.case(lead=lead, state=CaseState.CLOSED)
    unled = factories.case(lead=None, state=CaseState.REFERRED)
    unled_closed = factories.case(lead=None, state=CaseState.CLOSED)
    fine = factories.case(lead=people["other_lead"], state=CaseState.REFERRED)
    accounts.set_active(db.session.get(User, lead.id), False, actor=factories.user(roles=[Role.ADMIN]))

    items = case_team.cases_to_reassign(chair)

    assert [(i.case.id, i.reason) for i in items] == [
        (open_case.id, case_team.LEAD_DEACTIVATED),
        (unled.id, case_team.NO_LEAD),
    ]
    shown = {i.case.id for i in items}
    assert closed.id not in shown and unled_closed.id not in shown and fine.id not in shown
    assert case_team.count_to_reassign(chair) == 2
    assert json.loads(_audit("case.reassign_listed")[-1].detail) == {"ids": [open_case.id, unled.id]}


def test_a_lead_who_lost_the_lead_professional_role_is_listed_too(people):
    lead = people["lead"]
    lead.set_roles([Role.PARTNER])
    db.session.commit()
    (item,) = case_team.cases_to_reassign(people["chair"])
    assert item.reason == case_team.LEAD_NOT_A_LEAD
    assert "no longer holds the lead professional role" in item.reason_label


def test_reassigning_takes_the_case_off_the_list(people):
    chair, lead = people["chair"], people["lead"]
    lead.active = False
    db.session.commit()
    (item,) = case_team.cases_to_reassign(chair)
    case_team.change_lead(chair, item.case.id, {"user_id": people["other_lead"].id}, item.case.version)
    assert case_team.cases_to_reassign(chair) == []
    assert case_team.count_to_reassign(chair) == 0


@pytest.mark.parametrize("role", [Role.LEAD_PROFESSIONAL, Role.COORDINATOR, Role.PARTNER, Role.ADMIN])
def test_only_the_chair_has_the_list(people, role):
    user = factories.user(roles=[role])
    with pytest.raises(NotAllowed):
        case_team.cases_to_reassign(user)
    assert case_team.count_to_reassign(user) == 0
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "permission.denied")) >= 1
