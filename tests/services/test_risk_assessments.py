"""Risk assessments through the service: the suggestion stored beside the chosen level,
the next review date, the case updated, history kept, and bad input changing nothing."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from mettrack.cases import transitions
from mettrack.cases.models import Case, CaseEvent, CaseTeamMember
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseAction, CaseEventKind, CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import Conflict, NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.risk import assessments as risk_assessments
from mettrack.risk import catalogue as risk_catalogue
from mettrack.risk.models import RiskAssessment, RiskRating
from tests import factories

NOW = datetime(2026, 5, 10, 12, tzinfo=UTC)  # a Sunday; 13:00 in London
TODAY = date(2026, 5, 10)


@pytest.fixture
def lead(app_ctx):
    set_now(NOW)
    risk_catalogue.seed_defaults()
    db.session.commit()
    return factories.user(roles=[Role.LEAD_PROFESSIONAL])


def _case(lead, age=15, state=CaseState.REFERRED, **child) -> Case:
    born = date(TODAY.year - age, 1, 15) if age is not None else None
    return factories.case(
        lead=lead,
        state=state,
        child_obj=factories.child(date_of_birth=born, address="1 Test Lane", **child),
        exploitation_types=("cse",),  # a referred case has one (cases/workflow.py)
    )


@pytest.fixture
def case(lead):
    return _case(lead)


def rated(code, rating, period="current", reason="Seen by the school this month."):
    return {code: {"rating": rating, "period": period, "reason": reason}}


def data(*ratings, level="medium", rationale="Moderate risk, agreed with the team."):
    merged = {}
    for r in ratings:
        merged.update(r)
    return {"ratings": merged, "chosen_level": level, "rationale": rationale}


def _count(model=RiskAssessment) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _audit(action) -> list[tuple]:
    rows = db.session.execute(
        select(AuditEvent.record_type, AuditEvent.record_id, AuditEvent.outcome)
        .where(AuditEvent.action == action)
        .order_by(AuditEvent.seq)
    )
    return [tuple(r) for r in rows]


def test_suggestion_is_stored_beside_the_chosen_level_and_rationale(lead, case):
    view = risk_assessments.record(
        lead,
        case.id,
        data(
            rated("older_partner", "high"), level="medium", rationale="Partner has moved away; school agrees."
        ),
        case.version,
    )
    a = view.assessment
    assert (a.suggested_level, a.chosen_level) == ("high", "medium")
    assert a.rationale == "Partner has moved away; school agrees."
    assert view.differs and view.intervention_required and view.current
    # Every active indicator is recorded, the rated one with its period and reason.
    assert len(a.ratings) == len(risk_catalogue.list_active())
    rating = next(r for r in a.ratings if r.indicator.code == "older_partner")
    assert (rating.rating, rating.period, rating.reason) == (
        "high",
        "current",
        "Seen by the school this month.",
    )
    assert _audit("risk_assessment.recorded") == [("risk_assessment", str(a.id), "ok")]


@pytest.mark.parametrize(
    ("level", "review_on"),
    [
        ("high", date(2026, 6, 7)),  # 4 weeks (and every MET meeting)
        ("medium", date(2026, 7, 5)),  # 8 weeks
        ("low", date(2026, 8, 2)),  # 12 weeks
    ],
)
def test_next_review_follows_the_chosen_level_and_the_case_is_updated(lead, case, level, review_on):
    version = case.version
    view = risk_assessments.record(lead, case.id, data(level=level), version)
    db.session.refresh(case)
    assert view.assessment.next_review_on == review_on
    assert (case.risk_level, case.next_review_on) == (level, review_on)
    assert case.version == version + 1 == view.case_version


def test_review_cadence_is_configuration_capped_at_three_months(app, lead, case, monkeypatch):
    monkeypatch.setitem(app.config, "RISK_REVIEW_WEEKS_LOW", 20)
    view = risk_assessments.record(lead, case.id, data(level="low"), case.version)
    assert view.assessment.next_review_on == date(2026, 8, 10)  # 3 calendar months, not 20 weeks


def test_every_assessment_is_kept_and_the_latest_is_current(lead, case):
    first = risk_assessments.record(lead, case.id, data(level="medium"), case.version).assessment.id
    set_now(datetime(2026, 5, 20, 12, tzinfo=UTC))
    db.session.refresh(case)
    second = risk_assessments.record(
        lead, case.id, data(rated("gang_links", "high"), level="high"), case.version
    ).assessment.id
    _case, views = risk_assessments.list_for(lead, case.id)
    assert [(v.assessment.id, v.current) for v in views] == [(second, True), (first, False)]
    db.session.refresh(case)
    assert case.risk_level == "high"
    _case, old = risk_assessments.get_one(lead, case.id, first)
    assert not old.current and old.assessment.chosen_level == "medium"
    assert ("case", str(case.id), "ok") in _audit("risk_assessment.listed")
    assert _audit("risk_assessment.viewed") == [("risk_assessment", str(first), "ok")]


def test_a_stale_version_is_a_conflict_and_nothing_is_saved(lead, case):
    with pytest.raises(Conflict):
        risk_assessments.record(lead, case.id, data(), case.version + 1)
    db.session.refresh(case)
    assert _count() == 0 and _count(RiskRating) == 0
    assert case.risk_level is None and case.next_review_on is None


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (data(rated("older_partner", "medium", reason="")), "ratings.older_partner.reason"),
        (data(rated("older_partner", "low", period="")), "ratings.older_partner.period"),
        (data(rated("older_partner", "low", period="last year")), "ratings.older_partner.period"),
        (data(rated("older_partner", "severe")), "ratings.older_partner.rating"),
        (data({"older_partner": {"period": "current"}}), "ratings.older_partner.rating"),
        (data({"older_partner": "high"}), "ratings.older_partner"),
        (data(rated("older_partner", "low", reason="x" * 2001)), "ratings.older_partner.reason"),
        (data(rated("not_an_indicator", "low")), "ratings.not_an_indicator"),
        (data(rated("Not A Code!", "low")), "ratings"),
        ({"ratings": ["high"], "chosen_level": "high", "rationale": "Because."}, "ratings"),
        (data(level=""), "chosen_level"),
        (data(level="severe"), "chosen_level"),
        (data(rationale=""), "rationale"),
        (data(rationale="   "), "rationale"),
        (data(rationale="x" * 5001), "rationale"),
        (data(rationale=7), "rationale"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(lead, case, given, field):
    version = case.version
    with pytest.raises(ValidationError) as e:
        risk_assessments.record(lead, case.id, given, version)
    assert field in e.value.errors, e.value.errors
    db.session.refresh(case)
    assert _count() == 0 and case.risk_level is None and case.version == version
    assert _audit("risk_assessment.recorded") == []


@pytest.mark.parametrize("version", [None, "", "two", 1.5])
def test_a_missing_or_bad_version_is_named(lead, case, version):
    with pytest.raises(ValidationError) as e:
        risk_assessments.record(lead, case.id, data(), version)
    assert "version" in e.value.errors
    assert _count() == 0


def test_the_rationale_prompt_is_stronger_when_the_level_differs(lead, case):
    with pytest.raises(ValidationError) as e:
        risk_assessments.record(
            lead, case.id, data(rated("older_partner", "high"), level="low", rationale=""), case.version
        )
    assert "when the system suggests high" in e.value.errors["rationale"]
    with pytest.raises(ValidationError) as e:
        risk_assessments.record(
            lead, case.id, data(rated("older_partner", "high"), level="high", rationale=""), case.version
        )
    assert e.value.errors["rationale"] == "Explain why you chose this risk level"


def test_a_child_under_13_is_never_suggested_low(lead):
    young = _case(lead, age=12)
    view = risk_assessments.record(
        lead, young.id, data(rated("changed_appearance", "low"), level="medium"), young.version
    )
    assert view.assessment.suggested_level == "medium"
    older = _case(lead, age=13)
    view = risk_assessments.record(
        lead, older.id, data(rated("changed_appearance", "low"), level="low"), older.version
    )
    assert view.assessment.suggested_level == "low"


def test_the_age_rule_follows_configuration(app, lead, monkeypatch):
    monkeypatch.setitem(app.config, "RISK_SUGGEST_NEVER_LOW_UNDER_AGE", 10)
    young = _case(lead, age=12)
    view = risk_assessments.record(
        lead, young.id, data(rated("changed_appearance", "low"), level="low"), young.version
    )
    assert view.assessment.suggested_level == "low"


def test_an_unknown_date_of_birth_leaves_the_age_rule_out(lead):
    # Only a case not yet referred may lack the date of birth (a referral needs it).
    unknown = _case(lead, age=None, state=CaseState.SCREENED)
    view = risk_assessments.record(
        lead, unknown.id, data(rated("changed_appearance", "low"), level="low"), unknown.version
    )
    assert view.assessment.suggested_level == "low"


def test_previous_ratings_count_one_step_lower_unless_configured(app, lead, monkeypatch):
    first = _case(lead)
    view = risk_assessments.record(
        lead, first.id, data(rated("gang_links", "high", "previous")), first.version
    )
    assert view.assessment.suggested_level == "medium"
    monkeypatch.setitem(app.config, "RISK_SUGGEST_PREVIOUS_COUNTS_ONE_LOWER", False)
    second = _case(lead)
    view = risk_assessments.record(
        lead, second.id, data(rated("gang_links", "high", "previous")), second.version
    )
    assert view.assessment.suggested_level == "high"


def test_preview_suggests_without_saving(lead, case):
    _case_read, preview = risk_assessments.preview(
        lead, case.id, {**data(rated("older_partner", "high")), "chosen_level": "low"}
    )
    assert preview.suggestion.level == "high" and preview.differs and not preview.errors
    assert _count() == 0


def test_a_deactivated_indicator_is_not_offered_but_stays_on_old_assessments(lead, case):
    admin = factories.user(roles=[Role.ADMIN])
    old = risk_assessments.record(
        lead, case.id, data(rated("older_partner", "low"), level="low"), case.version
    )
    indicator = next(i for i in risk_catalogue.list_active() if i.code == "older_partner")
    risk_catalogue.set_active(admin, indicator.id, False)
    db.session.refresh(case)
    with pytest.raises(ValidationError) as e:
        risk_assessments.record(lead, case.id, data(rated("older_partner", "low")), case.version)
    assert "ratings.older_partner" in e.value.errors
    new = risk_assessments.record(lead, case.id, data(), case.version)
    assert "older_partner" not in {r.indicator.code for r in new.assessment.ratings}
    _case_read, view = risk_assessments.get_one(lead, case.id, old.assessment.id)
    assert "older_partner" in {r.indicator.code for r in view.present}


def test_a_role_that_may_not_assess_is_refused_and_audited(lead, case):
    partner = factories.user(roles=[Role.PARTNER])
    case.team.append(CaseTeamMember(user=partner, team_role="member"))
    db.session.commit()
    with pytest.raises(NotAllowed):  # 403, DESIGN.md: the role is refused, not the record
        risk_assessments.record(partner, case.id, data(), case.version)
    assert _audit("risk_assessment.recorded.denied") == [("case", str(case.id), "denied")]
    assert _count() == 0


def test_a_case_outside_need_to_know_is_not_found_and_audited(lead):
    other_lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    hidden = _case(other_lead)
    with pytest.raises(NotFound):
        risk_assessments.record(lead, hidden.id, data(), hidden.version)
    with pytest.raises(NotFound):
        risk_assessments.list_for(lead, hidden.id)
    assert ("case", str(hidden.id), "denied") in _audit("risk_assessment.recorded.denied")
    assert _count() == 0


def test_an_assessment_of_another_case_is_not_found(lead, case):
    other = _case(lead)
    recorded = risk_assessments.record(lead, other.id, data(), case.version)
    with pytest.raises(NotFound):
        risk_assessments.get_one(lead, case.id, recorded.assessment.id)
    assert _audit("risk_assessment.viewed.denied") == [
        ("risk_assessment", str(recorded.assessment.id), "denied")
    ]


def test_a_closed_case_is_refused(lead):
    chair = factories.user(roles=[Role.MET_CHAIR])
    closed = _case(lead, state=CaseState.CLOSED)
    with pytest.raises(ValidationError) as e:
        risk_assessments.record(chair, closed.id, data(), closed.version)
    assert "reopen" in e.value.errors["case"]


def test_after_an_assessment_the_case_can_be_sent_to_met_review(lead, case):
    with pytest.raises(transitions.MoveRefused) as refused:
        transitions.apply(lead, case.id, CaseAction.SEND_TO_MET_REVIEW, {}, case.version)
    assert "risk assessment" in " ".join(refused.value.reasons)
    view = risk_assessments.record(lead, case.id, data(level="high"), case.version)
    moved = transitions.apply(lead, case.id, CaseAction.SEND_TO_MET_REVIEW, {}, view.case_version)
    assert moved.state == CaseState.MET_REVIEW.value


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("RISK_SUGGEST_MEDIUMS_FOR_HIGH", 0),
        ("RISK_REVIEW_WEEKS_HIGH", 10),  # longer than medium
        ("RISK_REVIEW_LONGEST_MONTHS", 4),
    ],
)
def test_unusable_settings_are_refused_naming_the_settings(app, setting, value):
    config = {**app.config, setting: value}
    with pytest.raises(RuntimeError) as e:
        risk_assessments.check_settings(config)
    assert setting in str(e.value)
    risk_assessments.check_settings(app.config)  # the defaults are fine


def test_the_demo_cases_at_met_review_or_later_have_assessments(app_ctx):
    from mettrack.demo.load import load_demo
    from tests.demo_data import load_demo_snapshot

    load_demo_snapshot()
    load_demo()  # adds nothing the second time
    assert len(risk_catalogue.list_active()) == len(risk_catalogue.list_all()) > 0
    reviewed = {CaseState.MET_REVIEW, CaseState.POLICE_TIERED, CaseState.SERVICE_ASSIGNED}
    cases = db.session.scalars(select(Case)).all()
    assert {c.state for c in cases} >= {s.value for s in reviewed}
    for case in cases:
        latest = db.session.scalar(
            select(RiskAssessment)
            .where(RiskAssessment.case_id == case.id)
            .order_by(RiskAssessment.assessed_at.desc())
            .limit(1)
        )
        if case.state in reviewed or case.risk_level:
            assert latest is not None and latest.chosen_level == case.risk_level, case.id
        # The next review is the latest assessment's, unless a MET meeting decided one since.
        met_decided = latest is not None and db.session.scalar(
            select(func.count()).where(
                CaseEvent.case_id == case.id,
                CaseEvent.action == CaseEventKind.MET_DECISION.value,
                CaseEvent.occurred_at > latest.assessed_at,
            )
        )
        if case.is_open and latest is not None and not met_decided:
            assert case.next_review_on == latest.next_review_on
