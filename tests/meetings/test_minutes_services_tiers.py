"""A meeting's decisions through the specialist services workflow: the services asked for
become requests naming the meeting (not a case note), and a police tier decision is
recorded with the meeting as its source, on a case in MET review (the move) or already
tiered (a change in the history, no move)."""

from datetime import date

import pytest
from sqlalchemy import select

from mettrack.cases.models import Case, CaseEvent
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.extensions import db
from mettrack.meetings import minutes
from mettrack.notes.models import CaseNote
from mettrack.specialist_services import seed_services
from mettrack.specialist_services.models import PoliceTierRecord, ServiceRequest
from tests import factories
from tests.meetings.minutes_setup import OCCASION, chair_and_meeting, on_agenda, start


@pytest.fixture
def world(app_ctx):
    start()
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    chair, meeting = chair_and_meeting(members=[lead])
    return chair, lead, meeting


def _requests(case_id: int) -> list[ServiceRequest]:
    return list(db.session.scalars(select(ServiceRequest).where(ServiceRequest.case_id == case_id)))


def _newest_record(case_id: int) -> PoliceTierRecord:
    query = select(PoliceTierRecord).where(PoliceTierRecord.case_id == case_id)
    return db.session.scalar(query.order_by(PoliceTierRecord.id.desc()).limit(1))


def test_services_asked_for_become_requests_naming_the_meeting(world):
    chair, lead, meeting = world
    case = factories.case(lead=lead, state=CaseState.POLICE_TIERED)
    on_agenda(meeting, case)
    minutes.record_item(chair, meeting.id, case.id, {"services_requested": ["parcs", "dass"]})

    minutes.apply_decisions(chair, meeting.id)

    sent = _requests(case.id)
    assert sorted(r.service_code for r in sent) == ["dass", "parcs"]
    assert all(r.meeting_id == meeting.id and r.status == "requested" for r in sent)
    assert all(OCCASION in r.reason and r.answer_due_on is not None for r in sent)
    assert db.session.scalar(select(CaseNote).where(CaseNote.case_id == case.id)) is None
    audited = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "service_request.created"))
    audited = list(audited)
    assert len(audited) == 2 and all(str(meeting.id) in a.detail for a in audited)
    lines = db.session.scalars(
        select(CaseEvent.reason).where(CaseEvent.case_id == case.id, CaseEvent.action == "service.requested")
    ).all()
    assert len(lines) == 2 and all(line.startswith(OCCASION) for line in lines)


def test_a_service_already_asked_for_is_not_asked_twice(world):
    chair, lead, meeting = world
    case = factories.case(lead=lead, state=CaseState.POLICE_TIERED)
    db.session.add(factories.service_request(case.id, chair.id, "parcs"))
    db.session.commit()
    on_agenda(meeting, case)
    minutes.record_item(chair, meeting.id, case.id, {"services_requested": ["parcs"]})

    minutes.apply_decisions(chair, meeting.id)

    (only,) = _requests(case.id)
    assert only.meeting_id is None


def test_services_for_a_case_not_yet_reviewed_are_refused_and_nothing_applied(world):
    chair, lead, meeting = world
    referred = factories.case(lead=lead, state=CaseState.REFERRED)
    seed_services()
    db.session.commit()
    on_agenda(meeting, referred)
    minutes.record_item(chair, meeting.id, referred.id, {"services_requested": ["parcs"]})

    with pytest.raises(minutes.DecisionsRefused) as refused:
        minutes.apply_decisions(chair, meeting.id)

    assert [r["decision"] for r in refused.value.refusals] == ["Specialist services"]
    assert _requests(referred.id) == []


def test_a_tier_decision_on_a_tiered_case_is_a_change_naming_the_meeting(world):
    chair, lead, meeting = world
    case = factories.case(lead=lead, state=CaseState.SERVICE_ASSIGNED)
    version = case.version
    on_agenda(meeting, case)
    minutes.record_item(chair, meeting.id, case.id, {"police_tier": "medium", "police_team": "npt_north"})

    minutes.apply_decisions(chair, meeting.id)

    db.session.expire_all()
    saved = db.session.get(Case, case.id)
    assert saved.state == CaseState.SERVICE_ASSIGNED and saved.version > version
    assert (saved.police_tier, saved.police_team) == ("medium", "npt_north")
    record = _newest_record(case.id)
    assert (record.source, record.meeting_id, record.from_date) == ("meeting", meeting.id, date(2026, 3, 10))
    assert record.set_by_id == chair.id


def test_a_tier_decision_after_sending_back_to_review_is_the_move(world):
    chair, lead, meeting = world
    case = factories.case(lead=lead, state=CaseState.POLICE_TIERED)
    on_agenda(meeting, case)
    decisions = {"send_back_to_review": "yes", "police_tier": "high", "police_team": "high_harm_team"}
    minutes.record_item(chair, meeting.id, case.id, decisions)

    minutes.apply_decisions(chair, meeting.id)

    db.session.expire_all()
    assert db.session.get(Case, case.id).state == CaseState.POLICE_TIERED
    record = _newest_record(case.id)
    assert (record.source, record.meeting_id, record.team_code) == ("meeting", meeting.id, "high_harm_team")
