"""The case state machine, by tables: the diagram in DESIGN.md written out as the expected
moves, every (state, action, role) combination checked against it, and each guard."""

from dataclasses import fields, replace

import pytest

from mettrack.cases import workflow
from mettrack.cases.workflow import (
    MOVES,
    NO_CASE,
    REFUSAL_FIELDS,
    CaseFacts,
    Outcome,
    allowed_actions,
    decide,
    move_for,
)
from mettrack.core.choices import OPEN_STATES, CaseAction, CaseEventKind, CaseState, Role

S = CaseState
A = CaseAction
CHAIR, LEAD, COORDINATOR, PARTNER = Role.MET_CHAIR, Role.LEAD_PROFESSIONAL, Role.COORDINATOR, Role.PARTNER

# DESIGN.md, Case lifecycle: action -> (the states it leaves, the state it enters, who may take it).
EXPECTED_MOVES = {
    A.OPEN_BY_SCREENING: ({NO_CASE}, S.SCREENED, {LEAD, PARTNER, CHAIR, COORDINATOR}),
    A.REFER: ({S.SCREENED}, S.REFERRED, {LEAD, CHAIR}),
    A.CLOSE_NO_FURTHER_ACTION: ({S.SCREENED}, S.CLOSED, {LEAD}),
    A.SEND_TO_MET_REVIEW: ({S.REFERRED}, S.MET_REVIEW, {LEAD, CHAIR}),
    A.SET_POLICE_TIER: ({S.MET_REVIEW}, S.POLICE_TIERED, {CHAIR}),
    A.ASSIGN_SERVICE: ({S.MET_REVIEW, S.POLICE_TIERED}, S.SERVICE_ASSIGNED, {COORDINATOR}),
    A.SEND_BACK_TO_REVIEW: ({S.POLICE_TIERED, S.SERVICE_ASSIGNED}, S.MET_REVIEW, {CHAIR}),
    A.CLOSE: (set(OPEN_STATES), S.CLOSED, {CHAIR}),
    A.REOPEN: ({S.CLOSED}, S.REFERRED, {CHAIR, LEAD}),
}

# Every fact present: no guard refuses.
EVERYTHING = CaseFacts(**{f.name: True for f in fields(CaseFacts)})
STATES = [NO_CASE, *CaseState]
STATE_IDS = ["no_case", *(s.value for s in CaseState)]


def test_the_table_is_the_diagram():
    table = {move.action: (set(move.from_states), move.to_state, set(move.roles)) for move in MOVES}

    assert table == EXPECTED_MOVES
    assert len(MOVES) == len(CaseAction), "one row per action"


ALLOWED = [
    (state, action, role)
    for action, (from_states, _, roles) in EXPECTED_MOVES.items()
    for state in sorted(from_states, key=str)
    for role in sorted(roles, key=str)
]  # sorted: every xdist worker must collect the same tests in the same order


@pytest.mark.parametrize(("state", "action", "role"), ALLOWED, ids=[f"{s}-{a}-{r}" for s, a, r in ALLOWED])
def test_every_move_works_for_each_of_its_roles(state, action, role):
    decision = decide(state, action, {role}, EVERYTHING)

    assert decision.outcome is Outcome.ALLOWED
    assert decision.allowed
    assert decision.to_state is EXPECTED_MOVES[action][1]
    assert decision.reasons == ()


def _expected_outcome(state, action, role) -> Outcome:
    from_states, _, roles = EXPECTED_MOVES[action]
    if role not in roles:
        return Outcome.ROLE_NOT_ALLOWED
    if state not in from_states:
        return Outcome.NO_SUCH_MOVE
    return Outcome.ALLOWED


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(CaseAction))
@pytest.mark.parametrize("state", STATES, ids=STATE_IDS)
def test_every_other_combination_is_refused(state, action, role):
    decision = decide(state, action, {role}, EVERYTHING)

    assert decision.outcome is _expected_outcome(state, action, role)
    if not decision.allowed:
        assert decision.to_state is None
        assert decision.reasons


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("state", STATES, ids=STATE_IDS)
def test_buttons_shown_are_exactly_the_moves_allowed(state, role):
    expected = [action for action in CaseAction if _expected_outcome(state, action, role) is Outcome.ALLOWED]

    assert allowed_actions(state, {role}, EVERYTHING) == expected


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_analyst_and_admin_move_no_case(role):
    for state in STATES:
        assert allowed_actions(state, {role}, EVERYTHING) == []


def test_only_close_and_no_further_action_close_a_case_and_the_chair_closes_any_open_one():
    closing = {move.action for move in MOVES if move.to_state is CaseState.CLOSED}

    assert closing == {A.CLOSE, A.CLOSE_NO_FURTHER_ACTION}
    for state in OPEN_STATES:
        assert decide(state, A.CLOSE, {CHAIR}, EVERYTHING).to_state is CaseState.CLOSED


def test_every_state_is_reachable_from_a_first_screening():
    reached, frontier = set(), {NO_CASE}
    while frontier:
        reached |= frontier
        frontier = {m.to_state for m in MOVES if m.from_states & frontier} - reached

    assert reached == set(STATES)


# (action, state, roles, the facts, what the refusal says)
IDENTIFIED = CaseFacts(
    has_child_name=True, has_date_of_birth=True, has_address=True, has_exploitation_type=True
)
GUARDS = [
    (
        "referral_refused_without_name",
        A.REFER,
        S.SCREENED,
        replace(EVERYTHING, has_child_name=False),
        ["Record the child's name before referring"],
    ),
    (
        "referral_refused_without_date_of_birth",
        A.REFER,
        S.SCREENED,
        replace(EVERYTHING, has_date_of_birth=False),
        ["Record the child's date of birth before referring"],
    ),
    (
        "referral_refused_without_address",
        A.REFER,
        S.SCREENED,
        replace(EVERYTHING, has_address=False),
        ["Record the child's address before referring"],
    ),
    (
        "referral_refused_without_a_yes_or_an_override",
        A.REFER,
        S.SCREENED,
        replace(IDENTIFIED, latest_screening_negative=True),
        [
            "Record a screening with at least one yes, or a professional override with its reason, "
            "before referring"
        ],
    ),
    (
        "referral_refused_naming_everything_missing",
        A.REFER,
        S.SCREENED,
        CaseFacts(),
        [
            "Record the child's name before referring",
            "Record the child's date of birth before referring",
            "Record the child's address before referring",
            "Record a screening with at least one yes, or a professional override with its reason, "
            "before referring",
            "Record at least one exploitation type (CSE, CCE) before referring",
        ],
    ),
    (
        "referral_refused_without_an_exploitation_type",
        A.REFER,
        S.SCREENED,
        replace(EVERYTHING, has_exploitation_type=False),
        ["Record at least one exploitation type (CSE, CCE) before referring"],
    ),
    (
        "met_review_refused_without_an_exploitation_type",
        A.SEND_TO_MET_REVIEW,
        S.REFERRED,
        replace(EVERYTHING, has_exploitation_type=False),
        ["Record at least one exploitation type (CSE, CCE) before sending the case to MET review"],
    ),
    (
        "met_review_refused_naming_the_type_and_the_risk_assessment",
        A.SEND_TO_MET_REVIEW,
        S.REFERRED,
        CaseFacts(),
        [
            "Record at least one exploitation type (CSE, CCE) before sending the case to MET review",
            "Complete the risk assessment before sending the case to MET review",
        ],
    ),
    (
        "reopening_refused_without_an_exploitation_type",
        A.REOPEN,
        S.CLOSED,
        replace(EVERYTHING, has_exploitation_type=False),
        ["Record at least one exploitation type (CSE, CCE) before reopening the case as a referral"],
    ),
    (
        "no_further_action_refused_with_no_screening",
        A.CLOSE_NO_FURTHER_ACTION,
        S.SCREENED,
        CaseFacts(actor_is_lead=True),
        ["Record a CSERQ4 screening first: only a screening with no yes can be closed as no further action"],
    ),
    (
        "no_further_action_refused_after_a_yes",
        A.CLOSE_NO_FURTHER_ACTION,
        S.SCREENED,
        CaseFacts(actor_is_lead=True, has_positive_screening=True),
        [
            "Only a screening with no yes can be closed as no further action: "
            "refer the child, or ask the MET chair to close the case with a reason"
        ],
    ),
    (
        "no_further_action_refused_to_a_lead_professional_who_is_not_this_cases_lead",
        A.CLOSE_NO_FURTHER_ACTION,
        S.SCREENED,
        CaseFacts(latest_screening_negative=True),
        ["Only the case's lead professional can close a screening as no further action"],
    ),
    (
        "met_review_refused_without_a_completed_risk_assessment",
        A.SEND_TO_MET_REVIEW,
        S.REFERRED,
        replace(EVERYTHING, has_completed_risk_assessment=False),
        ["Complete the risk assessment before sending the case to MET review"],
    ),
    (
        "police_tier_refused_without_tier_and_team",
        A.SET_POLICE_TIER,
        S.MET_REVIEW,
        replace(EVERYTHING, has_police_tier_and_team=False),
        ["Choose the police tier and the holding team before setting the police tier"],
    ),
    (
        "service_assigned_refused_without_an_accepted_service",
        A.ASSIGN_SERVICE,
        S.POLICE_TIERED,
        replace(EVERYTHING, has_accepted_service=False),
        ["Record a specialist service's acceptance of the case before marking a service as assigned"],
    ),
    (
        "send_back_to_review_refused_without_a_completed_risk_assessment",
        A.SEND_BACK_TO_REVIEW,
        S.SERVICE_ASSIGNED,
        replace(EVERYTHING, has_completed_risk_assessment=False),
        ["Complete the risk assessment before sending the case to MET review"],
    ),
    (
        "closure_refused_without_a_reason",
        A.CLOSE,
        S.POLICE_TIERED,
        replace(EVERYTHING, reason_given=False),
        ["Give the exit reason before closing the case"],
    ),
    (
        "reopening_refused_without_the_new_concerns",
        A.REOPEN,
        S.CLOSED,
        replace(EVERYTHING, reason_given=False),
        ["Describe the new concerns before reopening the case"],
    ),
    (
        "reopening_refused_without_date_of_birth",
        A.REOPEN,
        S.CLOSED,
        replace(EVERYTHING, has_date_of_birth=False),
        ["Record the child's date of birth before reopening the case as a referral"],
    ),
]


@pytest.mark.parametrize(
    ("action", "state", "facts", "reasons"), [g[1:] for g in GUARDS], ids=[g[0] for g in GUARDS]
)
def test_a_guard_refuses_naming_what_is_missing(action, state, facts, reasons):
    role = LEAD if LEAD in EXPECTED_MOVES[action][2] else next(iter(EXPECTED_MOVES[action][2]))

    decision = decide(state, action, {role}, facts)

    assert decision.outcome is Outcome.GUARD_REFUSED
    assert decision.to_state is None
    assert list(decision.reasons) == reasons


@pytest.mark.parametrize(
    "facts",
    [
        replace(IDENTIFIED, has_positive_screening=True),
        replace(IDENTIFIED, has_professional_override=True, latest_screening_negative=True),
    ],
    ids=["after_a_yes", "on_a_professional_override"],
)
def test_referral_allowed_with_name_date_of_birth_address_and_a_yes_or_an_override(facts):
    assert decide(S.SCREENED, A.REFER, {LEAD}, facts).to_state is CaseState.REFERRED


def test_the_exploitation_type_refusals_name_the_field_callers_report_them_under():
    for action, state in ((A.REFER, S.SCREENED), (A.SEND_TO_MET_REVIEW, S.REFERRED), (A.REOPEN, S.CLOSED)):
        decision = decide(state, action, {CHAIR}, replace(EVERYTHING, has_exploitation_type=False))

        assert [REFUSAL_FIELDS.get(r) for r in decision.reasons] == ["exploitation_types"]


def test_role_is_refused_before_the_state_is_looked_at():
    decision = decide(S.SCREENED, A.SET_POLICE_TIER, {PARTNER}, EVERYTHING)

    assert decision.outcome is Outcome.ROLE_NOT_ALLOWED


def test_an_unknown_action_is_no_such_move():
    decision = decide(S.SCREENED, "fast_track", {CHAIR}, EVERYTHING)

    assert decision.outcome is Outcome.NO_SUCH_MOVE
    assert move_for("fast_track") is None


def test_a_move_from_the_wrong_state_is_no_such_move_and_says_so():
    decision = decide(S.CLOSED, A.CLOSE, {CHAIR}, EVERYTHING)

    assert decision.outcome is Outcome.NO_SUCH_MOVE
    assert decision.reasons == ("Close the case is not possible from Closed",)


def test_roles_and_states_may_be_given_as_stored_strings_and_any_held_role_counts():
    decision = decide("met_review", "set_police_tier", ["lead_professional", "met_chair"], EVERYTHING)

    assert decision.to_state is CaseState.POLICE_TIERED


def test_a_user_with_no_roles_is_refused_by_role():
    assert decide(S.SCREENED, A.REFER, set(), EVERYTHING).outcome is Outcome.ROLE_NOT_ALLOWED


BUTTONS = [
    (
        "lead_on_a_positive_screening",
        S.SCREENED,
        {LEAD},
        replace(IDENTIFIED, has_positive_screening=True, actor_is_lead=True),
        [A.REFER],
    ),
    (
        "lead_on_a_negative_screening",
        S.SCREENED,
        {LEAD},
        CaseFacts(latest_screening_negative=True, actor_is_lead=True),
        [A.CLOSE_NO_FURTHER_ACTION],
    ),
    (
        "team_member_on_a_negative_screening",
        S.SCREENED,
        {LEAD},
        CaseFacts(latest_screening_negative=True),
        [],
    ),
    ("partner_on_a_screening", S.SCREENED, {PARTNER}, EVERYTHING, []),
    ("chair_on_an_incomplete_screening", S.SCREENED, {CHAIR}, CaseFacts(), [A.CLOSE]),
    (
        "chair_on_a_referral_with_a_risk_assessment",
        S.REFERRED,
        {CHAIR},
        CaseFacts(has_completed_risk_assessment=True, has_exploitation_type=True),
        [A.SEND_TO_MET_REVIEW, A.CLOSE],
    ),
    (
        "chair_on_a_referral_with_a_risk_assessment_and_no_type",
        S.REFERRED,
        {CHAIR},
        CaseFacts(has_completed_risk_assessment=True),
        [A.CLOSE],
    ),
    ("chair_in_review_with_no_tier_chosen", S.MET_REVIEW, {CHAIR}, CaseFacts(), [A.CLOSE]),
    (
        "chair_sends_back_to_review_without_asking_for_a_type",
        S.POLICE_TIERED,
        {CHAIR},
        CaseFacts(has_completed_risk_assessment=True),
        [A.SEND_BACK_TO_REVIEW, A.CLOSE],
    ),
    (
        "coordinator_in_review_with_an_accepted_service",
        S.MET_REVIEW,
        {COORDINATOR},
        CaseFacts(has_accepted_service=True),
        [A.ASSIGN_SERVICE],
    ),
    ("chair_and_lead_on_a_closed_case", S.CLOSED, {CHAIR, LEAD}, IDENTIFIED, [A.REOPEN]),
    (
        "chair_and_lead_on_a_closed_case_with_no_type",
        S.CLOSED,
        {CHAIR, LEAD},
        replace(IDENTIFIED, has_exploitation_type=False),
        [],
    ),
    ("anyone_professional_with_no_case", NO_CASE, {PARTNER}, CaseFacts(), [A.OPEN_BY_SCREENING]),
]


@pytest.mark.parametrize(
    ("state", "roles", "facts", "expected"), [b[1:] for b in BUTTONS], ids=[b[0] for b in BUTTONS]
)
def test_buttons_offer_the_moves_whose_guard_passes_leaving_the_reason_to_the_form(
    state, roles, facts, expected
):
    assert allowed_actions(state, roles, facts) == expected


# --- what the table implies about a case in a state (the services' rules derive from it)


@pytest.mark.parametrize(
    ("fact", "states"),
    [
        ("has_exploitation_type", {S.REFERRED, S.MET_REVIEW, S.POLICE_TIERED, S.SERVICE_ASSIGNED}),
        ("has_date_of_birth", {S.REFERRED, S.MET_REVIEW, S.POLICE_TIERED, S.SERVICE_ASSIGNED}),
        ("has_completed_risk_assessment", {S.MET_REVIEW, S.POLICE_TIERED, S.SERVICE_ASSIGNED}),
        # Reached from met_review by assign_service too, so a service_assigned case may have no tier.
        ("has_police_tier_and_team", {S.POLICE_TIERED}),
        ("has_accepted_service", {S.SERVICE_ASSIGNED}),
        # The screening's outcome: an override stands in for a yes, so no state needs either.
        ("has_positive_screening", set()),
        ("reason_given", set()),
    ],
)
def test_the_open_states_no_case_reaches_without_a_fact(fact, states):
    assert workflow.states_needing(fact) == states


def test_a_state_lists_every_fact_it_was_reached_with():
    assert workflow.facts_needed_in(S.SCREENED) == set()
    assert workflow.facts_needed_in("police_tiered") == {
        "has_child_name",
        "has_date_of_birth",
        "has_address",
        "has_exploitation_type",
        "has_completed_risk_assessment",
        "has_police_tier_and_team",
    }


def test_a_guard_needs_the_facts_it_refuses_without():
    assert workflow.needs(move_for(A.SET_POLICE_TIER), "has_police_tier_and_team")
    assert not workflow.needs(move_for(A.SEND_BACK_TO_REVIEW), "has_exploitation_type")
    assert workflow.needs(move_for(A.REOPEN), "has_exploitation_type")


def test_a_service_is_recorded_where_assign_service_leaves_or_enters():
    assert workflow.states_taking(A.ASSIGN_SERVICE) == {S.MET_REVIEW, S.POLICE_TIERED, S.SERVICE_ASSIGNED}
    assert workflow.states_taking(A.OPEN_BY_SCREENING) == {S.SCREENED}  # no case is not a state


def test_every_move_is_an_event_kind_and_the_other_kinds_move_nothing():
    assert {kind.move for kind in CaseEventKind if kind.move} == set(CaseAction)
    assert {kind.value for kind in CaseEventKind if kind.move is None} == {
        "team.member_added",
        "team.member_removed",
        "team.lead_changed",
        "referral.outcome_recorded",
        "met.decision",
        "service.requested",
        "service.accepted",
        "service.declined",
        "service.withdrawn",
        "service.ended",
        "police_tier.recorded",
    }


def test_a_refusal_for_want_of_an_exploitation_type_is_recognised_from_the_table():
    facts = replace(EVERYTHING, has_exploitation_type=False)
    refused = workflow.decide(CaseState.SCREENED, CaseAction.REFER, {Role.LEAD_PROFESSIONAL}, facts)
    assert workflow.needs_exploitation_type(refused.reasons)
    assert not workflow.needs_exploitation_type(("The MASH reference is missing",))
