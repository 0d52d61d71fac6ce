"""Recording an item's minutes, attendance and quorum, approving and correcting: through
the use cases."""

from datetime import date

import pytest
from sqlalchemy import select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.errors import NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.language import WordingFlagged
from mettrack.meetings import attendance, minutes, minutes_rules
from mettrack.meetings.models import Attendance, ItemMinute, MeetingAction, MinutesVersion
from tests import factories
from tests.meetings.minutes_setup import chair_and_meeting, on_agenda, start


@pytest.fixture
def world(app_ctx):
    start()
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], agency="Demotown Community Health Trust")
    police = factories.user(roles=[Role.PARTNER], agency="Hampshire and Isle of Wight Constabulary")
    chair, meeting = chair_and_meeting(members=[lead, police])
    case = factories.case(lead=lead, state=CaseState.MET_REVIEW)
    other = factories.case(lead=lead, state=CaseState.MET_REVIEW)  # not on the agenda
    on_agenda(meeting, case)
    return chair, lead, police, meeting, case, other


# --- quorum (pure)


def test_quorum_names_each_agency_missing():
    required = minutes_rules.DEFAULT_QUORUM_AGENCIES
    q = minutes_rules.quorum(required, ["Portsmouth City Council Children's Social Care (MASH)"])
    assert not q.quorate
    assert q.message == "Not quorate: no one present from Constabulary or Health"
    everyone = ["X Children's Social Care", "Hampshire and Isle of Wight Constabulary", "A Health Trust"]
    assert minutes_rules.quorum(required, everyone).message == "Quorate"
    assert minutes_rules.quorum((), []).quorate


def test_quorum_setting_is_checked():
    assert minutes_rules.quorum_setting_problems(["Police", "Health"]) == []
    assert minutes_rules.quorum_setting_problems("Police") != []
    assert minutes_rules.quorum_setting_problems(["Police", " "]) != []
    assert minutes_rules.quorum_setting_problems(["Police", "police"]) != []
    assert minutes_rules.parse_quorum_setting("Police; Health ;") == ("Police", "Health")


def test_config_validate_refuses_a_bad_quorum_setting(app):
    import config

    with pytest.raises(RuntimeError, match="MET_QUORUM_AGENCIES"):
        config.validate({**app.config, "MET_QUORUM_AGENCIES": ["Police", ""]})
    config.validate(dict(app.config))


# --- attendance


def test_quorum_follows_who_is_present(world, app, monkeypatch):
    chair, lead, police, meeting, case, other = world
    monkeypatch.setitem(app.config, "MET_QUORUM_AGENCIES", ("Constabulary", "Health"))
    attendance.record(chair, meeting.id, {"user_id": lead.id, "status": "present"})
    sheet = attendance.sheet_for(chair, meeting.id)
    assert sheet.quorum.message == "Not quorate: no one present from Constabulary"
    attendance.record(
        chair, meeting.id, {"user_id": police.id, "status": "apologies", "information_sent": "yes"}
    )
    assert not attendance.sheet_for(chair, meeting.id).quorum.quorate  # apologies do not count
    attendance.record(chair, meeting.id, {"user_id": police.id, "status": "present"})
    assert attendance.sheet_for(chair, meeting.id).quorum.quorate
    assert db.session.scalar(select(db.func.count()).select_from(Attendance)) == 2  # the line replaced
    assert minutes.working_minutes(chair, meeting.id).quorum.quorate


def test_observer_needs_a_signed_statement_first(world):
    chair, lead, police, meeting, case, other = world
    data = {"name": "Student social worker", "observer": "yes", "status": "present"}
    with pytest.raises(ValidationError) as refused:
        attendance.record(chair, meeting.id, data)
    assert set(refused.value.errors) == {"confidentiality_signed"}
    assert db.session.scalar(select(Attendance)) is None
    row = attendance.record(chair, meeting.id, {**data, "confidentiality_signed": "yes"})
    assert row.observer and row.confidentiality_signed_at is not None and row.user_id is None
    # an observer does not make the meeting quorate
    assert not attendance.sheet_for(chair, meeting.id).quorum.quorate
    assert attendance.sheet_for(chair, meeting.id).flagged == []


def test_attendance_refuses_bad_input_and_non_members(world):
    chair, lead, police, meeting, case, other = world
    outsider = factories.user(roles=[Role.PARTNER])
    with pytest.raises(ValidationError) as refused:
        attendance.record(chair, meeting.id, {"user_id": outsider.id, "status": "maybe"})
    assert set(refused.value.errors) == {"user_id", "status"}
    with pytest.raises(ValidationError) as refused:
        attendance.record(
            chair, meeting.id, {"user_id": lead.id, "status": "present", "information_sent": "yes"}
        )
    assert "information_sent" in refused.value.errors
    with pytest.raises(NotAllowed):
        attendance.record(lead, meeting.id, {"user_id": lead.id, "status": "present"})
    assert attendance.sheet_for(lead, meeting.id).meeting.id == meeting.id  # a member reads
    with pytest.raises(NotFound):
        attendance.sheet_for(outsider, meeting.id)


# --- an item's minutes


def test_record_item_with_defaults_and_actions(world):
    chair, lead, police, meeting, case, other = world
    minute = minutes.record_item(
        chair,
        meeting.id,
        case.id,
        {
            "discussion": "Agreed a safety plan.",
            "risk_level": "medium",
            "actions": [
                {"description": "Contact the school", "owner_id": police.id, "due_on": "2026-03-17"},
                {"description": "", "owner_id": "", "due_on": ""},  # an empty row of the form
            ],
        },
    )
    assert minute.next_review_on == date(2026, 5, 5)  # medium: eight weeks from the meeting
    action = db.session.scalar(select(MeetingAction))
    assert action.agency_id == police.agency_id and action.case_id == case.id
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "minutes.item_recorded"))
    assert row.record_id == str(meeting.id) and f'"case_id": {case.id}' in row.detail
    # again: the decisions are replaced, the actions added
    minutes.record_item(
        chair, meeting.id, case.id, {"discussion": "Changed.", "next_review_on": "2026-04-01"}
    )
    minute = db.session.scalar(select(ItemMinute))
    assert (minute.risk_level, minute.next_review_on) == (None, date(2026, 4, 1))
    assert db.session.scalar(select(db.func.count()).select_from(MeetingAction)) == 1


def test_record_item_names_each_bad_field(world):
    chair, lead, police, meeting, case, other = world
    with pytest.raises(ValidationError) as refused:
        minutes.record_item(
            chair,
            meeting.id,
            case.id,
            {
                "risk_level": "extreme",
                "police_tier": "high",
                "police_team": "npt_north",
                "services_requested": ["nonsense"],
                "next_review_on": "2026-02-30",
                "actions": [{"description": "x", "owner_id": 999999, "due_on": "2026-03-01"}],
            },
        )
    assert set(refused.value.errors) == {
        "risk_level",
        "police_team",
        "services_requested",
        "next_review_on",
        "actions.0.owner_id",
        "actions.0.due_on",
    }
    with pytest.raises(ValidationError) as refused:
        minutes.record_item(
            chair,
            meeting.id,
            case.id,
            {"close": "yes", "police_tier": "high", "police_team": "hants_met_team"},
        )
    assert {"police_tier", "exit_reason"} <= set(refused.value.errors)
    assert db.session.scalar(select(ItemMinute)) is None


def test_record_item_only_for_a_case_on_the_agenda_and_only_by_a_chair(world):
    chair, lead, police, meeting, case, other = world
    with pytest.raises(NotFound):
        minutes.record_item(chair, meeting.id, other.id, {"discussion": "x"})
    with pytest.raises(NotAllowed):
        minutes.record_item(lead, meeting.id, case.id, {"discussion": "x"})


def test_language_check_on_discussion_and_actions(world):
    chair, lead, police, meeting, case, other = world
    data = {
        "discussion": "Agreed a plan.",
        "actions": [
            {"description": "Stop her putting herself at risk", "owner_id": lead.id, "due_on": "2026-03-20"}
        ],
    }
    with pytest.raises(WordingFlagged) as flagged:
        minutes.record_item(chair, meeting.id, case.id, data)
    assert list(flagged.value.findings) == ["actions.0.description"]
    assert db.session.scalar(select(MeetingAction)) is None
    minutes.record_item(chair, meeting.id, case.id, data, save_anyway=True)
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "minutes.item_recorded"))
    assert '"saved_anyway": true' in row.detail


def test_decisions_cannot_change_once_applied(world):
    chair, lead, police, meeting, case, other = world
    minutes.record_item(chair, meeting.id, case.id, {"risk_level": "low"})
    minutes.apply_decisions(chair, meeting.id)
    with pytest.raises(ValidationError) as refused:
        minutes.record_item(chair, meeting.id, case.id, {"risk_level": "high"})
    assert "decisions" in refused.value.errors
    minutes.record_item(chair, meeting.id, case.id, {"discussion": "Added after."})
    minute = db.session.scalar(select(ItemMinute))
    assert (minute.discussion, minute.risk_level) == ("Added after.", "low")


# --- approving and reading


def test_approve_then_correct_makes_versions(world):
    chair, lead, police, meeting, case, other = world
    attendance.record(chair, meeting.id, {"user_id": lead.id, "status": "present"})
    minutes.record_item(chair, meeting.id, case.id, {"discussion": "First.", "risk_level": "high"})
    with pytest.raises(ValidationError) as refused:
        minutes.approve(chair, meeting.id)
    assert set(refused.value.errors) == {"minutes"}  # apply first
    minutes.apply_decisions(chair, meeting.id)
    v1 = minutes.approve(chair, meeting.id)
    assert v1.number == 1 and v1.correction_reason is None
    item = v1.content["items"][0]
    assert item["discussion"] == "First." and item["decisions"]["risk_level"] == "high"
    assert v1.content["attendance"]["people"][0]["status"] == "present"
    assert "quorum" in v1.content["attendance"]

    minutes.record_item(chair, meeting.id, case.id, {"discussion": "Corrected.", "risk_level": "high"})
    with pytest.raises(ValidationError) as refused:
        minutes.approve(chair, meeting.id)
    assert set(refused.value.errors) == {"correction_reason"}
    v2 = minutes.approve(chair, meeting.id, correction_reason="The discussion was mistyped")
    assert v2.number == 2 and v2.correction_reason == "The discussion was mistyped"
    db.session.expire_all()
    first = db.session.scalar(select(MinutesVersion).where(MinutesVersion.number == 1))
    assert first.content["items"][0]["discussion"] == "First."  # frozen
    assert [
        r.detail
        for r in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "minutes.approved"))
    ]


def test_reads_are_audited_with_the_meeting_as_reason(world):
    chair, lead, police, meeting, case, other = world
    minutes.approve(chair, meeting.id)
    read = minutes.read_minutes(lead, meeting.id)
    assert read.latest.number == 1 and read.draft is None
    assert minutes.read_minutes(chair, meeting.id, with_draft=True).draft["items"][0]["case_id"] == case.id
    with pytest.raises(NotAllowed):
        minutes.read_minutes(lead, meeting.id, with_draft=True)
    outsider = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    with pytest.raises(NotFound):
        minutes.read_minutes(outsider, meeting.id)
    rows = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "minutes.viewed").order_by(AuditEvent.seq)
    ).all()
    assert [r.actor_user_id for r in rows] == [lead.id, chair.id]
    assert all('"reason": "meeting"' in r.detail for r in rows)


def test_a_cancelled_meeting_takes_no_minutes(world):
    from mettrack.core.choices import MeetingStatus
    from mettrack.core.errors import Conflict

    chair, lead, police, meeting, case, other = world
    meeting.status = MeetingStatus.CANCELLED.value
    db.session.commit()
    with pytest.raises(Conflict):
        minutes.record_item(chair, meeting.id, case.id, {"discussion": "x"})
    with pytest.raises(Conflict):
        minutes.apply_decisions(chair, meeting.id)
