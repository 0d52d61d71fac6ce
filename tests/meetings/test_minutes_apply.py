"""Applying a meeting's decisions: every case moved in one transaction, with the meeting
named on each timeline; one refusal and nothing is applied."""

from datetime import date

import pytest
from sqlalchemy import select

from mettrack.cases.models import Case, CaseEvent
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import ActionEventKind, CaseEventKind, CaseState, Role
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.extensions import db
from mettrack.meetings import minutes
from mettrack.meetings.models import ClosureProposal, ItemMinute, MeetingAction
from mettrack.specialist_services.models import PoliceTierRecord, ServiceRequest
from tests import factories
from tests.meetings.minutes_setup import OCCASION, chair_and_meeting, on_agenda, start
from tests.workflow_replay import problems


@pytest.fixture
def world(app_ctx):
    start()
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    chair, meeting = chair_and_meeting(members=[lead])
    cases = {
        "tier": factories.case(lead=lead, state=CaseState.MET_REVIEW),
        "back": factories.case(lead=lead, state=CaseState.POLICE_TIERED),
        "close": factories.case(lead=lead, state=CaseState.MET_REVIEW),
        "risk": factories.case(lead=lead, state=CaseState.MET_REVIEW),
        "services": factories.case(lead=lead, state=CaseState.MET_REVIEW),
    }
    on_agenda(meeting, *cases.values())
    db.session.add(
        ClosureProposal(case_id=cases["close"].id, proposed_by_id=lead.id, reason="Risk has reduced")
    )
    db.session.commit()
    return chair, lead, meeting, cases


def _record_five(chair, lead, meeting, cases):
    minutes.record_item(
        chair,
        meeting.id,
        cases["tier"].id,
        {
            "discussion": "Concerns about adults contacting the child online.",
            "police_tier": "high",
            "police_team": "hants_met_team",
            "actions": [{"description": "Visit the family", "owner_id": lead.id, "due_on": "2026-03-20"}],
        },
    )
    minutes.record_item(chair, meeting.id, cases["back"].id, {"send_back_to_review": "yes"})
    minutes.record_item(
        chair,
        meeting.id,
        cases["close"].id,
        {"close": "yes", "exit_reason": "risk_reduced", "closure_note": "Safe"},
    )
    minutes.record_item(chair, meeting.id, cases["risk"].id, {"risk_level": "high"})
    minutes.record_item(chair, meeting.id, cases["services"].id, {"services_requested": ["parcs"]})


def _events(case_id):
    return db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    ).all()


def test_five_decisions_move_each_case_with_the_meeting_on_its_timeline(world):
    chair, lead, meeting, cases = world
    before = {k: len(_events(c.id)) for k, c in cases.items()}
    _record_five(chair, lead, meeting, cases)

    applied = minutes.apply_decisions(chair, meeting.id)

    assert sorted(applied.case_ids) == sorted(c.id for c in cases.values())
    db.session.expire_all()
    got = {k: db.session.get(Case, c.id) for k, c in cases.items()}
    assert got["tier"].state == CaseState.POLICE_TIERED
    assert (got["tier"].police_tier, got["tier"].police_team) == ("high", "hants_met_team")
    assert got["back"].state == CaseState.MET_REVIEW
    assert got["close"].state == CaseState.CLOSED and got["close"].closure_reason == "risk_reduced"
    assert got["risk"].risk_level == "high"
    assert got["risk"].next_review_on == date(2026, 4, 7)  # high: four weeks from the meeting
    # The services asked for are requests the providers answer, naming the meeting.
    request = db.session.scalar(select(ServiceRequest).where(ServiceRequest.case_id == cases["services"].id))
    assert request.service_code == "parcs" and request.status == "requested"
    assert request.meeting_id == meeting.id and OCCASION in request.reason
    tier = db.session.scalar(select(PoliceTierRecord).where(PoliceTierRecord.case_id == cases["tier"].id))
    assert (tier.source, tier.meeting_id, tier.from_date) == ("meeting", meeting.id, date(2026, 3, 10))

    for key, case in cases.items():
        new = _events(case.id)[before[key] :]
        assert len(new) == 1, key
        assert new[0].reason.startswith(OCCASION), (key, new[0].reason)
        assert problems(got[key]) == [], key
    assert _events(cases["risk"].id)[-1].action == CaseEventKind.MET_DECISION
    assert _events(cases["services"].id)[-1].action == CaseEventKind.SERVICE_REQUESTED

    proposal = db.session.scalar(select(ClosureProposal))
    assert proposal.settled_by_meeting_id == meeting.id and proposal.settled_at is not None
    assert all(m.applied_at is not None for m in db.session.scalars(select(ItemMinute)))
    assert db.session.get(type(meeting), meeting.id).decisions_applied_at is not None

    actions = [r[0] for r in db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq))]
    applied_rows = actions[actions.index("minutes.item_recorded") :]
    assert applied_rows.count("case.transition") == 3
    assert "case.met_decision" in applied_rows and "service_request.created" in applied_rows
    assert "police_tier.recorded" in applied_rows
    assert applied_rows[-1] == "minutes.applied"

    action = db.session.scalar(select(MeetingAction))
    assert action.owner_id == lead.id and action.due_on == date(2026, 3, 20)
    assert [e.kind for e in action.events] == [ActionEventKind.RAISED]


def test_applying_twice_is_refused(world):
    chair, lead, meeting, cases = world
    minutes.record_item(chair, meeting.id, cases["risk"].id, {"risk_level": "low"})
    minutes.apply_decisions(chair, meeting.id)
    with pytest.raises(Conflict):
        minutes.apply_decisions(chair, meeting.id)


def test_one_refused_decision_applies_nothing_and_names_its_case(world):
    chair, lead, meeting, cases = world
    _record_five(chair, lead, meeting, cases)
    # Closed since the agenda was issued: a police tier is refused.
    late = cases["tier"]
    factories_chair = factories.user(roles=[Role.MET_CHAIR])
    from mettrack.cases import apply

    apply(
        factories_chair,
        late.id,
        "close",
        {"exit_reason": "moved_out_of_area"},
        db.session.get(Case, late.id).version,
    )
    versions = {k: db.session.get(Case, c.id).version for k, c in cases.items()}
    events = {k: len(_events(c.id)) for k, c in cases.items()}

    with pytest.raises(minutes.DecisionsRefused) as refused:
        minutes.apply_decisions(chair, meeting.id)

    assert isinstance(refused.value, ValidationError)
    assert [(r["case_id"], r["decision"]) for r in refused.value.refusals] == [(late.id, "Police tier")]
    assert f"case_{late.id}" in refused.value.errors
    db.session.expire_all()
    assert {k: db.session.get(Case, c.id).version for k, c in cases.items()} == versions
    assert {k: len(_events(c.id)) for k, c in cases.items()} == events
    assert db.session.get(Case, cases["back"].id).state == CaseState.POLICE_TIERED
    assert db.session.get(Case, cases["risk"].id).risk_level != "high"
    assert db.session.scalar(select(ServiceRequest.id).where(ServiceRequest.meeting_id == meeting.id)) is None
    tiers = select(PoliceTierRecord.id).where(PoliceTierRecord.meeting_id == meeting.id)
    assert db.session.scalar(tiers) is None
    assert db.session.scalar(select(ClosureProposal)).settled_at is None
    assert db.session.get(type(meeting), meeting.id).decisions_applied_at is None
    assert all(m.applied_at is None for m in db.session.scalars(select(ItemMinute)))
    denied = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "minutes.apply.denied"))
    assert denied is not None and denied.outcome == "denied"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "minutes.applied")) is None


def test_a_savepoint_runs_only_inside_a_unit_of_work_and_undoes_only_its_block(app_ctx):
    from mettrack.core import audit
    from mettrack.core.unit_of_work import savepoint, unit_of_work

    with pytest.raises(RuntimeError), savepoint():
        pass
    with unit_of_work():
        audit.record("test.before", "meeting", 1)
        with pytest.raises(ValueError), savepoint():
            audit.record("test.inside", "meeting", 1)
            raise ValueError
        with savepoint():
            audit.record("test.kept", "meeting", 1)
    rows = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("test.%"))).all()
    assert sorted(rows) == ["test.before", "test.kept"]


def test_applying_commits_once(world):
    from sqlalchemy import event

    from mettrack.core.unit_of_work import RELEASING

    chair, lead, meeting, cases = world
    _record_five(chair, lead, meeting, cases)
    commits = []
    session = db.session()

    def count(s):  # a savepoint released (one per decision) is not a commit
        if not s.info.get(RELEASING):
            commits.append(1)

    event.listen(session, "after_commit", count)
    try:
        minutes.apply_decisions(chair, meeting.id)
    finally:
        event.remove(session, "after_commit", count)
    assert len(commits) == 1
