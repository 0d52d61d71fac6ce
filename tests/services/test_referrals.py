"""Recording the outcome of a referral after the referral (cases/referral.py): who may,
on which cases, the case's version, the language check, the timeline and the audit row."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from mettrack.cases import referral as referrals
from mettrack.cases import transitions
from mettrack.cases.models import Case, CaseEvent
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import Conflict, NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import NotFound
from mettrack.language.check import WordingFlagged
from tests import factories
from tests.wording_scenarios import FLAGGED, PHRASE, seed_lists

NOW = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
OUTCOME = {"mash_reference": "MASH/2026/0042", "referral_outcome": "Strategy discussion; single assessment."}


@pytest.fixture(autouse=True)
def _clock_and_lists(app_ctx):
    seed_lists()
    set_now(NOW)


def _referred(lead=None, *, state=CaseState.REFERRED, members=(), **fields) -> Case:
    case = factories.case(lead=lead, members=members, state=state, exploitation_types=("cse",))
    case.referred_at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    for name, value in fields.items():
        setattr(case, name, value)
    db.session.commit()
    return case


def _snapshot(case_id: int) -> tuple:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    events = db.session.scalar(select(func.count()).where(CaseEvent.case_id == case_id))
    return (
        case.version,
        case.mash_reference,
        case.referral_outcome,
        case.referral_outcome_recorded_at,
        case.referral_outcome_recorded_by_id,
        events,
    )


def _audit(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
    )


def test_the_lead_records_the_outcome_with_who_and_when_on_the_case_and_its_timeline():
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = _referred(lead, mash_reference="MASH/2026/0042")
    read = case.version

    saved = referrals.record_outcome(lead, case.id, OUTCOME, read)

    assert (saved.mash_reference, saved.referral_outcome) == (
        OUTCOME["mash_reference"],
        OUTCOME["referral_outcome"],
    )
    assert (saved.referral_outcome_recorded_at, saved.referral_outcome_recorded_by_id) == (NOW, lead.id)
    assert saved.version == read + 1
    assert saved.state == CaseState.REFERRED  # not a move
    event = saved.events[-1]
    assert (event.action, event.from_state, event.to_state, event.actor_id) == (
        "referral.outcome_recorded",
        "referred",
        "referred",
        lead.id,
    )
    assert event.reason == (
        "Outcome of the referral (MASH reference MASH/2026/0042): Strategy discussion; single assessment."
    )
    [row] = _audit("case.referral_recorded")
    assert (row.actor_user_id, row.record_id) == (lead.id, str(case.id))
    assert json.loads(row.detail) == {"changed": ["referral_outcome"]}  # names, never values


def test_the_chair_records_it_on_a_case_past_met_review():
    chair = factories.user(roles=[Role.MET_CHAIR])
    case = _referred(state=CaseState.SERVICE_ASSIGNED)

    saved = referrals.record_outcome(chair, case.id, OUTCOME, case.version)

    assert saved.referral_outcome_recorded_by_id == chair.id


def test_correcting_only_the_mash_reference_keeps_who_recorded_the_outcome():
    lead, other = factories.user(roles=[Role.LEAD_PROFESSIONAL]), factories.user(roles=[Role.MET_CHAIR])
    case = _referred(lead)
    first = referrals.record_outcome(lead, case.id, OUTCOME, case.version)

    second = referrals.record_outcome(
        other, case.id, {**OUTCOME, "mash_reference": "MASH/2026/0043"}, first.version
    )

    assert second.mash_reference == "MASH/2026/0043"
    assert (second.referral_outcome_recorded_by_id, second.referral_outcome_recorded_at) == (lead.id, NOW)
    assert json.loads(_audit("case.referral_recorded")[-1].detail) == {"changed": ["mash_reference"]}


def test_saving_the_same_values_changes_nothing_but_is_audited():
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = _referred(lead, **OUTCOME)
    before = _snapshot(case.id)

    referrals.record_outcome(lead, case.id, OUTCOME, case.version)

    assert _snapshot(case.id) == before
    assert json.loads(_audit("case.referral_recorded")[-1].detail) == {"changed": []}


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"referral_outcome": "Assessment"}, "mash_reference", "Enter the MASH reference"),
        (
            {"mash_reference": "  ", "referral_outcome": "Assessment"},
            "mash_reference",
            "Enter the MASH reference",
        ),
        (
            {"mash_reference": "M" * 61, "referral_outcome": "Assessment"},
            "mash_reference",
            "60 characters or fewer",
        ),
        ({"mash_reference": 42, "referral_outcome": "Assessment"}, "mash_reference", "must be text"),
        ({"mash_reference": "M1"}, "referral_outcome", "Enter the outcome of the referral"),
        (
            {"mash_reference": "M1", "referral_outcome": "x" * 2001},
            "referral_outcome",
            "2000 characters or fewer",
        ),
    ],
)
def test_bad_fields_are_named_and_nothing_changes(data, field, words):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = _referred(lead)
    before = _snapshot(case.id)

    with pytest.raises(ValidationError) as refused:
        referrals.record_outcome(lead, case.id, data, case.version)

    assert words in refused.value.errors[field]
    assert _snapshot(case.id) == before


@pytest.mark.parametrize(
    ("state", "referred", "words"),
    [
        (CaseState.SCREENED, False, "has not been referred to Children's Services: refer it first"),
        (CaseState.CLOSED, True, "This case is closed"),
    ],
)
def test_a_case_not_referred_or_closed_is_refused_naming_the_case(state, referred, words):
    chair = factories.user(roles=[Role.MET_CHAIR])
    case = factories.case(state=state)
    if referred:
        case.referred_at = NOW
        db.session.commit()
    before = _snapshot(case.id)

    with pytest.raises(ValidationError) as refused:
        referrals.record_outcome(chair, case.id, OUTCOME, case.version)

    assert words in refused.value.errors["case"]
    assert _snapshot(case.id) == before


def test_a_reopened_case_takes_the_new_referrals_reference_and_outcome():
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = factories.case(lead=lead, state=CaseState.CLOSED, exploitation_types=("cce",))
    case.child.address, case.child.date_of_birth = "1 Nowhere Lane", datetime(2011, 5, 1).date()
    db.session.commit()
    reopened = transitions.apply(
        lead, case.id, "reopen", {"reason": "Seen with unknown adults again."}, case.version
    )

    saved = referrals.record_outcome(lead, case.id, OUTCOME, reopened.version)

    assert saved.mash_reference == OUTCOME["mash_reference"]


def test_a_stale_version_is_a_conflict_and_nothing_changes():
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = _referred(lead)
    stale = case.version
    case.risk_level = "high"  # someone else's save
    db.session.commit()
    before = _snapshot(case.id)

    with pytest.raises(Conflict):
        referrals.record_outcome(lead, case.id, OUTCOME, stale)

    assert _snapshot(case.id) == before


@pytest.mark.parametrize("version", [None, "", "abc", 0, True])
def test_a_bad_version_is_named(version):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = _referred(lead)

    with pytest.raises(ValidationError) as refused:
        referrals.record_outcome(lead, case.id, OUTCOME, version)

    assert "version" in refused.value.errors


@pytest.mark.parametrize("role", [Role.PARTNER, Role.COORDINATOR, Role.ANALYST, Role.ADMIN])
def test_other_roles_are_refused_and_audited(role):
    user = factories.user(roles=[role])
    # Only a role with access to cases can join a team (case_team.add_member).
    case = _referred(members=[user] if role in (Role.PARTNER, Role.COORDINATOR) else [])
    before = _snapshot(case.id)

    with pytest.raises(NotAllowed):
        referrals.record_outcome(user, case.id, OUTCOME, case.version)

    assert _snapshot(case.id) == before
    [row] = _audit("permission.denied")
    assert (row.actor_user_id, row.outcome) == (user.id, "denied")


def test_a_case_outside_need_to_know_is_not_found_and_audited():
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = _referred()  # not on its team

    with pytest.raises(NotFound):
        referrals.record_outcome(lead, case.id, OUTCOME, case.version)

    [row] = _audit("case.referral_recorded.denied")
    assert row.record_id == str(case.id)


def test_a_lead_professional_on_the_team_who_does_not_lead_may_record_it_as_they_may_refer():
    lead, member = (
        factories.user(roles=[Role.LEAD_PROFESSIONAL]),
        factories.user(roles=[Role.LEAD_PROFESSIONAL]),
    )
    case = _referred(lead, members=[member])

    saved = referrals.record_outcome(member, case.id, OUTCOME, case.version)

    assert saved.referral_outcome_recorded_by_id == member.id


def test_flagged_wording_is_not_saved_until_confirmed_and_the_audit_row_names_the_phrase():
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = _referred(lead)
    before = _snapshot(case.id)
    data = {"mash_reference": "M1", "referral_outcome": FLAGGED}

    with pytest.raises(WordingFlagged) as flagged:
        referrals.record_outcome(lead, case.id, data, case.version)

    assert list(flagged.value.findings) == ["referral_outcome"]
    assert _snapshot(case.id) == before

    saved = referrals.record_outcome(lead, case.id, data, case.version, save_anyway=True)

    assert saved.referral_outcome == FLAGGED
    detail = json.loads(_audit("case.referral_recorded")[-1].detail)
    assert detail["saved_anyway"] is True
    assert detail["language_flagged"] == {"referral_outcome": [PHRASE]}


def test_an_outcome_saved_before_is_not_flagged_again_when_only_the_reference_changes():
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = _referred(lead, mash_reference="M1", referral_outcome=FLAGGED)

    saved = referrals.record_outcome(
        lead, case.id, {"mash_reference": "M2", "referral_outcome": FLAGGED}, case.version
    )

    assert saved.mash_reference == "M2"


def test_an_outcome_given_at_referral_records_who_and_when():
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = factories.case(lead=lead, exploitation_types=("cse",))
    case.child.address, case.child.date_of_birth = "1 Nowhere Lane", datetime(2011, 5, 1).date()
    db.session.commit()

    moved = transitions.apply(
        lead,
        case.id,
        "refer",
        {"mash_reference": "M1", "referral_outcome": "Assessment", "override_reason": "Worried about adults"},
        case.version,
    )

    assert (moved.referral_outcome_recorded_by_id, moved.referral_outcome_recorded_at) == (lead.id, NOW)


def test_may_record_follows_the_role_and_the_case():
    lead, partner = factories.user(roles=[Role.LEAD_PROFESSIONAL]), factories.user(roles=[Role.PARTNER])
    referred = _referred(lead, members=[partner])
    screened = factories.case(lead=lead)

    assert referrals.may_record(lead, referred)
    assert not referrals.may_record(partner, referred)
    assert not referrals.may_record(lead, screened)
