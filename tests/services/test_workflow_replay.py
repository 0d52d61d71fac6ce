"""The demo's cases and the factories' cases are ones the app itself could make: every
event replays through the workflow table (tests/workflow_replay.py) and every case holds
what its state needs (a police_tiered case a tier and team, a service_assigned case an
accepted service)."""

import pytest
from sqlalchemy import select

from mettrack.cases.models import Case, CaseEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.extensions import db
from mettrack.demo.load import DEMO_CHILDREN, load_demo
from mettrack.demo.meetings import MOVED_BY_THE_MEETING
from tests import factories, workflow_replay
from tests.demo_data import load_demo_snapshot


def test_every_demo_case_replays_through_the_workflow_table(app_ctx):
    load_demo_snapshot()
    cases = db.session.scalars(select(Case).order_by(Case.id)).all()

    # Each child in the state demo/load.py walks it to, or the one the demo's MET meeting moved it to.
    expected = [
        MOVED_BY_THE_MEETING.get((first, last), state) for first, last, *_, state, _risk in DEMO_CHILDREN
    ]
    assert sorted(c.state for c in cases) == sorted(state.value for state in expected)
    assert [p for case in cases for p in workflow_replay.problems(case)] == []
    tiered = [c for c in cases if c.state == CaseState.POLICE_TIERED]
    assert tiered and all(c.police_tier and c.police_team for c in tiered)


def test_loading_the_demo_again_adds_no_case_or_event(app_ctx):
    load_demo_snapshot()
    counts = [db.session.scalar(select(db.func.count()).select_from(m)) for m in (Case, CaseEvent)]
    load_demo()
    assert [db.session.scalar(select(db.func.count()).select_from(m)) for m in (Case, CaseEvent)] == counts


@pytest.mark.parametrize("state", list(CaseState))
@pytest.mark.parametrize("with_lead", [True, False], ids=["with_lead", "no_lead"])
def test_a_factory_case_in_every_state_replays_through_the_workflow_table(app_ctx, state, with_lead):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL]) if with_lead else None
    partner = factories.user(roles=[Role.PARTNER])

    case = factories.case(state=state, lead=lead, members=[partner])

    assert case.state == state
    assert workflow_replay.problems(case) == []
    assert case.lead_professional_id == (lead.id if lead else None)
    assert partner.id in {m.user_id for m in case.team}


def test_the_replay_finds_a_case_the_app_could_not_make(app_ctx):
    case = factories.case(state=CaseState.MET_REVIEW)
    case.state = CaseState.POLICE_TIERED.value  # as the old demo did: no move, no tier
    db.session.commit()

    found = workflow_replay.problems(case)

    assert any("events end in met_review" in p for p in found)
    assert any("has_police_tier_and_team is missing" in p for p in found)


def _add_event(case, **changes) -> None:
    """A forged event on a screened case, as data the app could not have written."""
    first = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).first()
    event = {
        "occurred_at": first.occurred_at,
        "actor_id": first.actor_id,
        "action": "refer",
        "from_state": CaseState.SCREENED.value,
        "to_state": CaseState.REFERRED.value,
        "reason": "forged",
    } | changes
    db.session.add(CaseEvent(case_id=case.id, **event))
    case.state = event["to_state"]
    db.session.commit()


@pytest.mark.parametrize(
    ("changes", "found"),
    [
        ({"action": "teleport"}, "not a kind of case event"),
        ({"action": "team.member_added"}, "without a move"),
        ({"from_state": CaseState.MET_REVIEW.value}, "recorded met_review -> referred"),
        (
            {"action": "set_police_tier", "to_state": CaseState.POLICE_TIERED.value},
            "Set the police tier is not possible",
        ),
    ],
    ids=["unknown action", "a team event that moves the case", "wrong from state", "no such move"],
)
def test_the_replay_finds_each_kind_of_forged_event(app_ctx, changes, found):
    case = factories.case(state=CaseState.SCREENED)
    _add_event(case, **changes)

    assert any(found in p for p in workflow_replay.problems(case)), workflow_replay.problems(case)


def test_the_replay_finds_a_move_made_by_a_role_the_table_does_not_name(app_ctx):
    case = factories.case(state=CaseState.MET_REVIEW)
    partner = factories.user(roles=[Role.PARTNER])
    _add_event(
        case,
        actor_id=partner.id,
        action="set_police_tier",
        from_state=CaseState.MET_REVIEW.value,
        to_state=CaseState.POLICE_TIERED.value,
    )

    problems = workflow_replay.problems(case)

    assert any("(set_police_tier): Your role does not allow this" in p for p in problems), problems
