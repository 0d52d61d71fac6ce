"""Made-up risk assessments for the demo cases (called from demo/load.py).

Every case with a risk level gets an assessment made before it went to MET review (the
workflow's guard needs one), and the cases past the MET review a more recent one, so the
history shows. Ratings, reasons and rationales are invented; they describe what happens
to the child, never the child's choices (phrases.csv).
"""

from datetime import datetime, timedelta

from mettrack.core.choices import CaseState, RiskLevel
from mettrack.demo import walk as demo_walk
from mettrack.risk import list_active
from mettrack.risk import record as risk_assessments_record

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


def _data(level: RiskLevel, template) -> dict:
    """The assessment as the risk form sends it: the template's ratings of indicators on offer."""
    ratings_given, rationale = template
    offered = {indicator.code for indicator in list_active()}
    return {
        "ratings": {
            code: {"rating": rating, "period": period, "reason": reason}
            for code, rating, period, reason in ratings_given
            if code in offered
        },
        "chosen_level": level.value,
        "rationale": rationale,
    }


def steps(demo, level: RiskLevel, state: CaseState, opened: datetime, start: datetime) -> list:
    """Who: demo/load.py while planning the demo. The demo case's assessments, which
    agree with its risk level: the lead's, before the case went to MET review, and for a
    case past the MET review a more recent one by the chair. Each is recorded through
    risk/assessments.record, which sets the case's level and next review."""
    template = JUDGEMENT if level is RiskLevel.MEDIUM and demo.n % 2 == 1 else TEMPLATES[level]

    def assess(by) -> None:
        risk_assessments_record(by, demo.case_id, _data(level, template), demo_walk.version_of(demo.case_id))

    planned = [(opened + timedelta(days=12), demo.n, 2, lambda: assess(demo.cast.lead))]
    if state in (CaseState.POLICE_TIERED, CaseState.SERVICE_ASSIGNED):
        planned.append((start - timedelta(days=10 + demo.n), demo.n, 50, lambda: assess(demo.cast.chair)))
    return planned
