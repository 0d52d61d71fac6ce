"""Made-up risk assessments for the demo cases (called from services/demo.py).

Every case with a risk level gets an assessment made before it went to MET review (the
workflow's guard needs one), and the cases past the MET review a more recent one, so the
history shows. Ratings, reasons and rationales are invented; they describe what happens
to the child, never the child's choices (phrases.csv).
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from mettrack.clock import now, today
from mettrack.domain import risk as rules
from mettrack.domain.choices import CaseState, RiskLevel
from mettrack.extensions import db
from mettrack.models import Case, RiskAssessment, RiskIndicator, RiskRating, User
from mettrack.services import risk_assessments

# level -> (ratings as (code, rating, period, reason), rationale)
TEMPLATES: dict[RiskLevel, tuple[tuple[tuple[str, str, str, str], ...], str]] = {
    RiskLevel.HIGH: (
        (
            ("missing_from_home_or_care", "high", "current", "Reported missing four times in six weeks."),
            ("older_partner", "medium", "current", "An adult man in his twenties collects them from school."),
            ("unexplained_gifts_or_money", "medium", "current", "New phone and clothes nobody can explain."),
            ("secretive_technology", "low", "previous", "School noticed a second social media account."),
        ),
        "Repeated missing episodes with an older adult involved: significant risk of sexual "
        "exploitation. Agree with the suggestion.",
    ),
    RiskLevel.MEDIUM: (
        (
            ("staying_out_late", "medium", "current", "Out past midnight most weekends, carers worried."),
            ("changed_behaviour", "low", "current", "Withdrawn at home since the summer."),
            ("missing_education", "low", "previous", "Attendance fell to 70% last term."),
        ),
        "Concerns are growing but there is no sign yet of an adult controlling the child. "
        "Moderate risk; review sooner if missing episodes begin.",
    ),
    RiskLevel.LOW: (
        (("changed_behaviour", "low", "current", "Teachers report a brief change in mood, now settling."),),
        "Early signs only, and the family is engaging well with Early Help. Low risk.",
    ),
}
# A second medium case where judgement sets the level above the suggestion.
JUDGEMENT = (
    (
        ("places_of_concern", "low", "current", "Seen at a flat the police know as a place of concern."),
        ("exploited_peers", "low", "current", "Two friends are open to the MET group."),
    ),
    "The suggestion is low, but two friends are being exploited and the child has been seen at "
    "an address of concern: set at moderate so the MET group reviews the case.",
)


def _assessment(case: Case, assessor: User, level: RiskLevel, template, at: datetime) -> RiskAssessment:
    ratings_given, rationale = template
    indicators = {i.code: i for i in db.session.scalars(select(RiskIndicator).where(RiskIndicator.active))}
    given = {code: (rating, period, reason) for code, rating, period, reason in ratings_given}
    on = today(at)
    suggestion = rules.suggest_level(
        [(code, rating, period) for code, (rating, period, _) in given.items() if code in indicators],
        risk_assessments.child_age(case, on),
        risk_assessments.suggestion_rules(),
        labels={code: i.label for code, i in indicators.items()},
    )
    assessment = RiskAssessment(
        case_id=case.id,
        assessed_by_id=assessor.id,
        assessed_at=at,
        suggested_level=suggestion.level.value,
        chosen_level=level.value,
        rationale=rationale,
        next_review_on=rules.next_review_on(level, on, risk_assessments.review_cadence()),
    )
    assessment.ratings = [
        RiskRating(
            indicator_id=indicator.id,
            rating=given.get(code, ("none",))[0],
            period=given.get(code, (None, "current"))[1],
            reason=given.get(code, (None, None, None))[2],
        )
        for code, indicator in indicators.items()
    ]
    db.session.add(assessment)
    return assessment


def add_assessments(case: Case, n: int, lead: User, chair: User) -> None:
    """Who: services/demo.py while loading the demo. The demo case's assessments, which
    agree with its risk level; sets its next review date. Flushes; the caller commits."""
    if not case.risk_level:
        return
    db.session.flush()  # the case's id
    level = RiskLevel(case.risk_level)
    template = JUDGEMENT if level is RiskLevel.MEDIUM and n % 2 == 1 else TEMPLATES[level]
    latest = _assessment(case, lead, level, template, case.opened_at + timedelta(days=12))
    if case.state in (CaseState.POLICE_TIERED.value, CaseState.SERVICE_ASSIGNED.value):
        latest = _assessment(case, chair, level, template, now() - timedelta(days=10 + n))
    if case.state != CaseState.CLOSED.value:  # a closed case has no review due
        case.next_review_on = latest.next_review_on
