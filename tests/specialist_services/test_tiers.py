"""The police tier record (specialist_services/tiers.py): the MET chair sets the tier in
MET review (the workflow's move) and changes it once tiered (a change in the history);
a meeting's decision names the meeting; every refusal saves nothing."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from mettrack.cases.models import Case, CaseEvent
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseEventKind, CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import Conflict, NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.language import WordingFlagged
from mettrack.language import seed_defaults as seed_phrases
from mettrack.reference import seed_defaults
from mettrack.specialist_services import tiers
from mettrack.specialist_services.models import PoliceTierRecord
from tests import factories
from tests.meetings import factories as meeting_factories

NOW = datetime(2026, 3, 10, 9, tzinfo=UTC)
CHANGE = {
    "police_tier": "medium",
    "police_team": "npt_north",
    "officer": "PC 1234 Example",
    "from_date": "2026-03-10",
    "note": "Risk has come down since the last meeting.",
}


@pytest.fixture
def world(app_ctx):
    set_now(NOW)
    seed_defaults()
    seed_phrases()
    db.session.commit()
    chair = factories.user(roles=[Role.MET_CHAIR])
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    return {
        "chair": chair,
        "lead": lead,
        "review": factories.case(lead=lead, state=CaseState.MET_REVIEW),
        "tiered": factories.case(lead=lead, state=CaseState.POLICE_TIERED),
    }


def _records(case_id: int) -> list[PoliceTierRecord]:
    return list(
        db.session.scalars(
            select(PoliceTierRecord).where(PoliceTierRecord.case_id == case_id).order_by(PoliceTierRecord.id)
        )
    )


def _audited(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEvent.action == action))


def _last_event(case_id: int) -> CaseEvent:
    return db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id.desc()).limit(1)
    )


def _version(case_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Case, case_id).version


def test_in_met_review_setting_the_tier_is_the_move_with_the_officer(world):
    case = world["review"]
    data = CHANGE | {"police_tier": "high", "police_team": "hants_met_team", "from_date": "2026-03-09"}
    done = tiers.set_tier(world["chair"], case.id, data, case.version)

    assert done.moved and done.case.state == CaseState.POLICE_TIERED
    (record,) = _records(case.id)
    assert (record.tier_code, record.team_code) == ("high", "hants_met_team")
    assert record.officer == "PC 1234 Example"
    assert (record.source, record.from_date, record.note) == ("move", date(2026, 3, 9), CHANGE["note"])
    last = _last_event(case.id)
    assert last.action == "set_police_tier"
    assert _audited("case.transition") >= 1 and _audited("police_tier.recorded") == 1


def test_once_tiered_a_change_is_recorded_without_a_move(world):
    case = world["tiered"]
    before, version = _records(case.id), case.version
    done = tiers.set_tier(world["chair"], case.id, CHANGE, version)

    assert not done.moved
    db.session.expire_all()
    saved = db.session.get(Case, case.id)
    # The case list filters on the case's own tier and team: they change with it.
    assert saved.state == CaseState.POLICE_TIERED
    assert (saved.police_tier, saved.police_team) == ("medium", "npt_north")
    assert saved.version > version
    records = _records(case.id)
    assert len(records) == len(before) + 1
    assert (records[-1].source, records[-1].set_by_id) == ("chair", world["chair"].id)
    event = _last_event(case.id)
    assert event.action == CaseEventKind.POLICE_TIER_RECORDED
    assert event.from_state == event.to_state == CaseState.POLICE_TIERED
    assert "Neighbourhood Policing Team (North)" in event.reason and "10 March 2026" in event.reason

    history = tiers.history_of(saved)
    assert [e.record.id for e in history] == [r.id for r in reversed(records)]  # newest first
    assert history[0].source_label == "Set by the MET chair" and history[0].set_by_name == world["chair"].name


def test_the_audit_row_names_ids_and_codes_never_the_officer(world):
    case = world["tiered"]
    tiers.set_tier(world["chair"], case.id, CHANGE, case.version)
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "police_tier.recorded"))
    assert "Example" not in (row.detail or "") and "medium" in row.detail


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"police_tier": "nonsense"}, "police_tier"),
        ({"police_team": "hants_met_team"}, "police_team"),  # a team of the other tier
        ({"from_date": "2026-03-11"}, "from_date"),  # tomorrow
        ({"from_date": ""}, "from_date"),
        ({"from_date": "2026-02-31"}, "from_date"),
        ({"officer": "x" * 201}, "officer"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_a_bad_field_is_named_and_nothing_is_saved(world, change, field):
    case = world["tiered"]
    before, version = len(_records(case.id)), case.version
    with pytest.raises(ValidationError) as refused:
        tiers.set_tier(world["chair"], case.id, CHANGE | change, version)
    assert field in refused.value.errors
    assert len(_records(case.id)) == before and _version(case.id) == version


def test_a_change_cannot_start_before_the_tier_it_replaces(world):
    case = world["tiered"]
    tiers.set_tier(world["chair"], case.id, CHANGE, case.version)
    with pytest.raises(ValidationError) as refused:
        tiers.set_tier(world["chair"], case.id, CHANGE | {"from_date": "2026-03-09"}, _version(case.id))
    assert "10 March 2026" in refused.value.errors["from_date"]


def test_only_the_chair_sets_the_tier_and_a_stale_version_is_a_conflict(world):
    case = world["tiered"]
    version = case.version
    with pytest.raises(NotAllowed):
        tiers.set_tier(world["lead"], case.id, CHANGE, version)
    with pytest.raises(Conflict):
        tiers.set_tier(world["chair"], case.id, CHANGE, version - 1)
    assert _version(case.id) == version


def test_a_closed_case_or_one_not_yet_reviewed_takes_no_tier(world):
    closed = factories.case(lead=world["lead"], state=CaseState.CLOSED)
    referred = factories.case(lead=world["lead"], state=CaseState.REFERRED)
    for case in (closed, referred):
        with pytest.raises(ValidationError) as refused:
            tiers.set_tier(world["chair"], case.id, CHANGE, case.version)
        assert "state" in refused.value.errors


def test_wording_that_blames_the_child_stops_the_note_until_saved_anyway(world):
    case = world["tiered"]
    data = CHANGE | {"note": "She keeps putting herself at risk."}
    version = case.version
    with pytest.raises(WordingFlagged):
        tiers.set_tier(world["chair"], case.id, data, version)
    assert _version(case.id) == version
    tiers.set_tier(world["chair"], case.id, data, version, save_anyway=True)
    assert _records(case.id)[-1].note == data["note"]


def test_the_case_team_reads_the_record_and_others_get_404(world):
    found = tiers.tier_for(world["lead"], world["tiered"].id)
    assert found.current is not None and found.current.record.tier_code == world["tiered"].police_tier
    assert not found.may_set
    assert tiers.tier_for(world["chair"], world["tiered"].id).may_set
    outsider = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    with pytest.raises(NotFound):
        tiers.tier_for(outsider, world["tiered"].id)
    assert _audited("police_tier.viewed") == 2


def test_a_meeting_decision_on_a_tiered_case_records_a_change_naming_the_meeting(world):
    case = world["tiered"]
    tiers.set_tier(world["chair"], case.id, CHANGE, case.version)  # officer on npt_north
    meeting = meeting_factories.meeting(chair=world["chair"])
    record = tiers.record_for_meeting(
        world["chair"],
        case.id,
        "medium",
        "npt_north",
        meeting_id=meeting.id,
        on=date(2026, 3, 10),
        occasion="MET meeting on 10 March 2026",
    )
    db.session.commit()
    assert (record.source, record.meeting_id, record.from_date) == ("meeting", meeting.id, date(2026, 3, 10))
    assert record.officer == "PC 1234 Example"  # the same holding team keeps its officer
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == CaseState.POLICE_TIERED
    event = _last_event(case.id)
    assert event.reason.startswith("MET meeting on 10 March 2026: Police tier")

    moved = tiers.record_for_meeting(
        world["chair"],
        case.id,
        "high",
        "high_harm_team",
        meeting_id=meeting.id,
        on=date(2026, 3, 10),
        occasion="MET meeting on 10 March 2026",
    )
    assert moved.officer is None  # a new holding team: its officer is not known yet


def test_the_set_police_tier_move_takes_the_officer_in_charge(world):
    from mettrack.cases import MoveRefused, apply

    case = world["review"]
    fields = {"police_tier": "high", "police_team": "hants_met_team"}
    with pytest.raises(MoveRefused) as refused:
        apply(world["chair"], case.id, "set_police_tier", fields | {"officer": "x" * 201}, case.version)
    assert "officer" in refused.value.errors
    apply(world["chair"], case.id, "set_police_tier", fields | {"officer": "PC 1 Example"}, case.version)
    (record,) = _records(case.id)
    assert (record.officer, record.source, record.from_date) == ("PC 1 Example", "move", date(2026, 3, 10))
