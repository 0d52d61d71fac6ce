"""Screening a child (CSERQ4) through the service: the case it opens, the team, the
one-open-case rule, and bad answers refused field by field with nothing saved."""

from datetime import date

import pytest
from sqlalchemy import func, select

from mettrack.cases.models import Case, CaseEvent, CaseTeamMember
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseAction, CaseState, Role, TeamRole
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import NotFound
from mettrack.screening.models import Screening
from mettrack.screening.screenings import screen_child
from tests import factories

TODAY = date(2026, 3, 2)
NO_YES = {
    "screened_on": "2026-03-01",
    "went_missing": "no",
    "controlling_relationship": "no",
    "frequents_exploitation_areas": "no",
}
ONE_YES = {**NO_YES, "went_missing": "yes"}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_screening_a_child_with_no_case_opens_one_led_by_the_lead_professional(app_ctx):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    child = factories.child(date_of_birth=date(2011, 5, 1), created_by_id=lead.id)

    recorded = screen_child(lead, child.id, ONE_YES, TODAY)

    case = recorded.case
    assert recorded.case_started
    assert case.state == CaseState.SCREENED
    assert case.lead_professional_id == lead.id
    assert [(m.user_id, m.team_role) for m in case.team] == [(lead.id, TeamRole.LEAD)]
    [event] = case.events
    assert (event.action, event.from_state, event.to_state, event.actor_id) == (
        CaseAction.OPEN_BY_SCREENING,
        None,
        CaseState.SCREENED,
        lead.id,
    )
    screening = recorded.screening
    assert (screening.case_id, screening.child_age, screening.outcome) == (case.id, 14, "refer")
    assert screening.older_partner == "unknown"
    assert screening.screened_by_id == lead.id


def test_a_positive_screening_gives_the_mash_contact(app_ctx):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    child = factories.child(created_by_id=lead.id)
    recorded = screen_child(lead, child.id, {**ONE_YES, "child_age": "15"}, TODAY)
    assert recorded.result.refer
    assert recorded.mash_contact == {
        "name": "MASH duty desk",
        "phone": "01234 000000",
        "email": "mash@example.invalid",
    }
    assert "referral to Children's Services" in recorded.result.explanation


def test_a_screening_with_no_yes_gives_no_mash_contact(app_ctx):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    child = factories.child(created_by_id=lead.id)
    recorded = screen_child(lead, child.id, {**NO_YES, "child_age": "15"}, TODAY)
    assert not recorded.result.refer
    assert recorded.mash_contact is None
    assert recorded.screening.outcome == "no_referral"


def test_a_partner_who_screens_joins_the_team_as_a_member_and_does_not_lead(app_ctx):
    partner = factories.user(roles=[Role.PARTNER])
    child = factories.child(created_by_id=partner.id)
    recorded = screen_child(partner, child.id, {**ONE_YES, "child_age": "15"}, TODAY)
    assert recorded.case.lead_professional_id is None
    assert [(m.user_id, m.team_role) for m in recorded.case.team] == [(partner.id, TeamRole.MEMBER)]


def test_screening_a_child_with_an_open_case_adds_to_it_and_the_screener_joins_the_team(app_ctx):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    chair = factories.user(roles=[Role.MET_CHAIR])
    case = factories.case(lead=lead, state=CaseState.REFERRED)

    recorded = screen_child(chair, case.child_id, {**ONE_YES, "child_age": "15"}, TODAY)

    assert not recorded.case_started
    assert recorded.case.id == case.id
    assert _count(Case) == 1
    members = db.session.scalars(select(CaseTeamMember.user_id).where(CaseTeamMember.case_id == case.id))
    assert set(members) == {lead.id, chair.id}
    assert db.session.get(Case, case.id).state == CaseState.REFERRED  # a screening is not a move


def test_a_child_whose_case_is_closed_gets_a_new_case_and_never_two_open(app_ctx):
    chair = factories.user(roles=[Role.MET_CHAIR])
    closed = factories.case(state=CaseState.CLOSED)
    first = screen_child(chair, closed.child_id, {**ONE_YES, "child_age": "15"}, TODAY)
    second = screen_child(chair, closed.child_id, {**NO_YES, "child_age": "15"}, TODAY)
    assert first.case_started and not second.case_started
    assert first.case.id == second.case.id != closed.id
    open_cases = db.session.scalar(
        select(func.count()).where(Case.child_id == closed.child_id, Case.state != CaseState.CLOSED)
    )
    assert open_cases == 1


def test_a_child_outside_need_to_know_is_not_found_and_nothing_is_saved(app_ctx):
    partner = factories.user(roles=[Role.PARTNER])
    case = factories.case(state=CaseState.SCREENED)  # the partner is not on its team
    before = _count(Screening)  # the one that opened the case
    with pytest.raises(NotFound):
        screen_child(partner, case.child_id, {**ONE_YES, "child_age": "15"}, TODAY)
    assert _count(Screening) == before
    denied = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "screening.recorded.denied"))
    assert denied is not None and denied.record_id == str(case.child_id)


def test_an_unknown_child_is_not_found(app_ctx):
    chair = factories.user(roles=[Role.MET_CHAIR])
    with pytest.raises(NotFound):
        screen_child(chair, 999_999, ONE_YES, TODAY)


@pytest.mark.parametrize(
    ("answers", "field", "words"),
    [
        ({**ONE_YES, "child_age": "15", "went_missing": ""}, "went_missing", "question 1"),
        (
            {**ONE_YES, "child_age": "15", "controlling_relationship": "maybe"},
            "controlling_relationship",
            "question 3",
        ),
        (
            {**ONE_YES, "child_age": "15", "frequents_exploitation_areas": None},
            "frequents_exploitation_areas",
            "4",
        ),
        ({**ONE_YES}, "child_age", "age"),
        ({**ONE_YES, "child_age": "fifteen"}, "child_age", "whole number"),
        ({**ONE_YES, "child_age": "40"}, "child_age", "between"),
        ({**ONE_YES, "child_age": "15", "partner_age": "-3"}, "partner_age", "Partner"),
        ({**ONE_YES, "child_age": "15", "partner_age": "99999999999"}, "partner_age", "whole number"),
        ({**ONE_YES, "child_age": "15", "partner_age": 12.5}, "partner_age", "whole number"),
        ({**ONE_YES, "child_age": "15", "screened_on": "2026-03-03"}, "screened_on", "today or in the past"),
        ({**ONE_YES, "child_age": "15", "screened_on": "2026-02-30"}, "screened_on", "real date"),
        ({**ONE_YES, "child_age": "15", "notes": "x" * 5001}, "notes", "5000"),
    ],
)
def test_bad_answers_are_refused_naming_the_field_and_nothing_is_saved(app_ctx, answers, field, words):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    child = factories.child(created_by_id=lead.id)
    with pytest.raises(ValidationError) as refused:
        screen_child(lead, child.id, answers, TODAY)
    assert field in refused.value.errors
    assert words in refused.value.errors[field]
    assert (_count(Case), _count(Screening), _count(CaseEvent)) == (0, 0, 0)


def test_a_date_of_birth_on_the_record_is_used_and_no_age_is_asked(app_ctx):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    child = factories.child(date_of_birth=date(2009, 3, 2), created_by_id=lead.id)
    # A 17-year-old with a partner 6 years older and no other yes: question 2 is no.
    answers = {**NO_YES, "screened_on": "2026-03-02", "partner_age": "23"}
    recorded = screen_child(lead, child.id, answers, TODAY)
    assert recorded.screening.child_age == 17
    assert recorded.screening.older_partner == "no"
    assert recorded.screening.outcome == "no_referral"


def test_two_screenings_of_a_child_at_once_open_one_case(app, postgres):
    import threading

    with app.app_context():
        first, second = factories.user(roles=[Role.MET_CHAIR]), factories.user(roles=[Role.MET_CHAIR])
        child_id = factories.child().id
        user_ids = [first.id, second.id]
    barrier = threading.Barrier(2)
    started: list[bool] = []

    def screen(user_id):
        from mettrack.accounts.models import User

        with app.app_context():
            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                started.append(
                    screen_child(user, child_id, {**ONE_YES, "child_age": "15"}, TODAY).case_started
                )
            finally:
                db.session.remove()

    threads = [threading.Thread(target=screen, args=(user_id,)) for user_id in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(started) == [False, True]
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Case.child_id == child_id)) == 1
        assert db.session.scalar(select(func.count()).select_from(Screening)) == 2
