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
from tests import factories, workflow_replay


def test_every_demo_case_replays_through_the_workflow_table(app_ctx):
    load_demo()
    cases = db.session.scalars(select(Case).order_by(Case.id)).all()

    assert sorted(c.state for c in cases) == sorted(state.value for *_, state, _risk in DEMO_CHILDREN)
    assert [p for case in cases for p in workflow_replay.problems(case)] == []
    tiered = [c for c in cases if c.state == CaseState.POLICE_TIERED]
    assert tiered and all(c.police_tier and c.police_team for c in tiered)


def test_loading_the_demo_again_adds_no_case_or_event(app_ctx):
    load_demo()
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
