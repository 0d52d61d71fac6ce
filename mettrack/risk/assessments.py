"""Risk assessments: recording one for a case, and reading a case's assessments.

An assessment rates every active indicator of the catalogue (risk/catalogue.py)
none, low, medium or high, each present one marked current (last 3 months) or previous
(3 to 6 months ago) with a reason. The system's suggested level (risk/rules.py
suggest_level, with the partnership's rules from configuration and the child's age on
the assessment date) is stored beside the level the professional chooses and their
rationale: professional judgement decides. The chosen level sets the case's risk level
and its next review date (the review cadence, also configuration). Every assessment is
kept; the latest is the current one.

Who: recording needs risk.assess (the MET chair and lead professionals, docs/risk.md);
reading needs case.view; both only on a case within the user's need-to-know (NotFound
otherwise, audited). Every read and write is audited, naming records by id only.

`data` for recording is a mapping:
    {"ratings": {code: {"rating": ..., "period": ..., "reason": ...}, ...},
     "chosen_level": "low" | "medium" | "high", "rationale": "..."}
An active indicator left out of `ratings` is recorded as none. Errors name the field:
`ratings.<code>.rating`, `ratings.<code>.period`, `ratings.<code>.reason`,
`chosen_level`, `rationale`, `version`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from mettrack.cases import case_scope, get_for, locked_case, record_visible, review_overdue
from mettrack.cases.models import Case
from mettrack.core import audit
from mettrack.core.choices import CaseState, IndicatorPeriod, IndicatorRating, RiskLevel
from mettrack.core.clock import now, today
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_text, parse_version
from mettrack.core.permissions import Perm, can, deny_record, deny_role
from mettrack.core.unit_of_work import transaction
from mettrack.language import audit_detail, check_before_saving
from mettrack.risk import catalogue as risk_catalogue
from mettrack.risk import rules
from mettrack.risk.models import RiskAssessment, RiskIndicator, RiskRating
from mettrack.screening.cserq4 import age_on

MAX_REASON = 2000
MAX_RATIONALE = 5000
RATING_CHOICES = "none, low, medium or high"
CLOSED_CASE = "The case is closed: reopen it before recording a risk assessment"

# Setting name -> (dataclass, field): the suggestion rule and the review cadence.
SUGGESTION_SETTINGS = {
    "RISK_SUGGEST_MEDIUMS_FOR_HIGH": "mediums_for_high",
    "RISK_SUGGEST_NEVER_LOW_UNDER_AGE": "never_low_under_age",
    "RISK_SUGGEST_PREVIOUS_COUNTS_ONE_LOWER": "previous_counts_one_lower",
}
CADENCE_SETTINGS = {
    "RISK_REVIEW_WEEKS_HIGH": "high_weeks",
    "RISK_REVIEW_WEEKS_MEDIUM": "medium_weeks",
    "RISK_REVIEW_WEEKS_LOW": "low_weeks",
    "RISK_REVIEW_LONGEST_MONTHS": "longest_months",
}


# --- settings


def suggestion_rules(config: Mapping | None = None) -> rules.SuggestionRules:
    """The partnership's suggestion rule from configuration (defaults: risk/rules.py)."""
    config = current_app.config if config is None else config
    defaults = rules.DEFAULT_RULES
    values = {
        field: config.get(name, getattr(defaults, field)) for name, field in SUGGESTION_SETTINGS.items()
    }
    values["previous_counts_one_lower"] = bool(values["previous_counts_one_lower"])
    return rules.SuggestionRules(**values)


def review_cadence(config: Mapping | None = None) -> rules.ReviewCadence:
    """The review cadence by risk level from configuration (defaults: risk/rules.py)."""
    config = current_app.config if config is None else config
    defaults = rules.DEFAULT_CADENCE
    return rules.ReviewCadence(
        **{field: config.get(name, getattr(defaults, field)) for name, field in CADENCE_SETTINGS.items()}
    )


def check_settings(config: Mapping) -> None:
    """Raise RuntimeError naming the settings when the risk settings cannot be used (the
    app refuses to start rather than fail on the first assessment)."""
    for settings, build in ((SUGGESTION_SETTINGS, suggestion_rules), (CADENCE_SETTINGS, review_cadence)):
        try:
            build(config)
        except (TypeError, ValueError) as e:
            raise RuntimeError(f"Check the settings {', '.join(settings)} (docs/risk.md): {e}") from None


def child_age(case: Case, on: date) -> int | None:
    """The child's age on `on` from the recorded date of birth; None when not recorded."""
    born = case.child.date_of_birth
    return age_on(born, on) if born else None


# --- reading


@dataclass
class AssessmentView:
    assessment: RiskAssessment
    current: bool  # the latest assessment of its case
    case_version: int | None = None  # after recording: the case's new version

    @property
    def differs(self) -> bool:
        return self.assessment.chosen_level != self.assessment.suggested_level

    @property
    def ratings(self) -> list[RiskRating]:
        """Every rating in form order (group, then the catalogue's order)."""
        indicators = risk_catalogue.ordered(r.indicator for r in self.assessment.ratings)
        order = {indicator.id: n for n, indicator in enumerate(indicators)}
        return sorted(self.assessment.ratings, key=lambda r: order[r.indicator_id])

    @property
    def present(self) -> list[RiskRating]:
        """The ratings other than none."""
        return [r for r in self.ratings if r.rating != IndicatorRating.NONE.value]

    @property
    def intervention_required(self) -> bool:
        return bool(self.present)

    def grouped(self) -> list[tuple[risk_catalogue.GroupOfIndicators, list[RiskRating]]]:
        ratings = self.ratings
        groups = risk_catalogue.grouped([r.indicator for r in ratings])
        return [(g, [r for r in ratings if r.indicator.group == g.group.value]) for g in groups]


def _assessments_of(case_id: int, *, limit: int | None = None) -> list[RiskAssessment]:
    """Newest first (the first is the current one)."""
    return list(
        db.session.scalars(
            select(RiskAssessment)
            .where(RiskAssessment.case_id == case_id)
            .options(selectinload(RiskAssessment.ratings), selectinload(RiskAssessment.assessed_by))
            .order_by(RiskAssessment.assessed_at.desc(), RiskAssessment.id.desc())
            .limit(limit)
        )
    )


def _views(assessments: list[RiskAssessment]) -> list[AssessmentView]:
    return [AssessmentView(a, current=(n == 0)) for n, a in enumerate(assessments)]


@transaction
def history_for_case(user, case: Case) -> list[AssessmentView]:
    """Who: a page or API call that already read the case through cases.get_for. The
    case's assessments, newest first (the first is current). Audited with their ids."""
    # A coordinator off the team sees the case summary's risk level, not its assessments.
    if not can(user, Perm.CASE_VIEW) or not record_visible(case, user):
        raise deny_record("case", case.id, "risk_assessment.listed")
    views = _views(_assessments_of(case.id))
    audit.record(
        "risk_assessment.listed",
        "case",
        case.id,
        detail={"ids": [v.assessment.id for v in views]},
        actor=user,
    )
    return views


@transaction
def list_for(user, case_id: int) -> tuple[Case, list[AssessmentView]]:
    """Who: any role with case.view, on a case within need-to-know (NotFound otherwise).
    The case and its assessments, newest first."""
    case = get_for(user, case_id, action="risk_assessment.list")
    return case, history_for_case(user, case)


@transaction
def get_one(user, case_id: int, assessment_id: int) -> tuple[Case, AssessmentView]:
    """Who: any role with case.view. One assessment of a case within need-to-know; an
    assessment of another case, or outside need-to-know, is NotFound (audited)."""
    action = "risk_assessment.viewed"
    if not can(user, Perm.CASE_VIEW):
        raise deny_role("risk_assessment", assessment_id, action)
    assessment = db.session.scalar(
        select(RiskAssessment)
        .join(Case, Case.id == RiskAssessment.case_id)
        .where(RiskAssessment.id == assessment_id, RiskAssessment.case_id == case_id, case_scope(user))
    )
    if assessment is None:
        raise deny_record("risk_assessment", assessment_id, action)
    latest_id = db.session.scalar(
        select(RiskAssessment.id)
        .where(RiskAssessment.case_id == case_id)
        .order_by(RiskAssessment.assessed_at.desc(), RiskAssessment.id.desc())
        .limit(1)
    )
    case = db.session.get(Case, case_id)
    audit.record(action, "risk_assessment", assessment.id, detail={"case_id": case_id}, actor=user)
    return case, AssessmentView(assessment, current=assessment.id == latest_id)


@dataclass
class RiskSummary:
    """The case page's risk section: the current assessment and how many there are."""

    current: AssessmentView | None
    count: int
    overdue: bool  # domain.risk.review_overdue, as the case list shows it


def summary_of(case: Case) -> RiskSummary:
    """The case's risk summary, unaudited: for a caller that audits what it shows (the
    case page, mettrack/cases/page.py)."""
    # The page shows the newest assessment and how many there are: it reads no more.
    newest = _assessments_of(case.id, limit=1)
    count = db.session.scalar(select(func.count()).where(RiskAssessment.case_id == case.id))
    return RiskSummary(
        current=AssessmentView(newest[0], current=True) if newest else None,
        count=count,
        overdue=review_overdue(case),
    )


# --- working out and recording


@dataclass(frozen=True)
class RatingInput:
    indicator: RiskIndicator
    rating: IndicatorRating
    period: IndicatorPeriod
    reason: str | None


@dataclass(frozen=True)
class Parsed:
    ratings: list[RatingInput]
    chosen_level: RiskLevel | None
    rationale: str | None


def _choice(value, enum):
    if isinstance(value, str) and value.strip().lower() in {e.value for e in enum}:
        return enum(value.strip().lower())
    return None


def _valid_code(code) -> bool:
    if not isinstance(code, str) or len(code) > risk_catalogue.MAX_CODE:
        return False
    return bool(risk_catalogue.CODE_RE.match(code))


def _parse_ratings(data: Mapping, indicators: list[RiskIndicator], errors: dict) -> list[RatingInput]:
    given = data.get("ratings")
    if given is None:
        given = {}
    if not isinstance(given, Mapping):
        errors["ratings"] = "Send the ratings as an object keyed by indicator code"
        return []
    offered = {i.code for i in indicators}
    for code in given:
        if code not in offered:
            if _valid_code(code):
                errors[f"ratings.{code}"] = "There is no indicator with this code on offer"
            else:
                errors["ratings"] = "Each key of ratings must be the code of an indicator on offer"
    parsed = []
    for indicator in indicators:
        name = f"ratings.{indicator.code}"
        entry = given.get(indicator.code)
        if entry is None:
            entry = {"rating": IndicatorRating.NONE.value}
        if not isinstance(entry, Mapping):
            errors[name] = "Send the rating as an object with rating, period and reason"
            continue
        rating = _choice(entry.get("rating"), IndicatorRating)
        if rating is None:
            errors[f"{name}.rating"] = f"Rate “{indicator.label}”: {RATING_CHOICES}"
            continue
        period_given = entry.get("period")
        period = _choice(period_given, IndicatorPeriod)
        present = rating is not IndicatorRating.NONE
        if period is None and (present or period_given not in (None, "")):
            errors[f"{name}.period"] = (
                f"Say when “{indicator.label}” was seen: current (last 3 months) "
                "or previous (3 to 6 months ago)"
            )
        reason = entry.get("reason")
        reason = reason.strip() or None if isinstance(reason, str) else reason
        if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_REASON):
            errors[f"{name}.reason"] = (
                f"The reason for “{indicator.label}” must be text of {MAX_REASON} characters or fewer"
            )
            reason = None
        elif present and reason is None:
            errors[f"{name}.reason"] = f"Give the reason for rating “{indicator.label}” {rating.value}"
        parsed.append(RatingInput(indicator, rating, period or IndicatorPeriod.CURRENT, reason))
    return parsed


def _suggest(case: Case, ratings: list[RatingInput], on: date) -> rules.RiskSuggestion:
    return rules.suggest_level(
        [rules.Rating(r.indicator.code, r.rating, r.period) for r in ratings],
        child_age(case, on),
        suggestion_rules(),
        labels={r.indicator.code: r.indicator.label for r in ratings},
    )


def _parse(data: Mapping, indicators: list[RiskIndicator], errors: dict) -> Parsed:
    if not isinstance(data, Mapping):
        errors["request"] = "Send the assessment as an object"
        return Parsed([], None, None)
    ratings = _parse_ratings(data, indicators, errors)
    chosen = data.get("chosen_level")
    level = _choice(chosen, RiskLevel)
    if level is None:
        errors["chosen_level"] = "Choose the overall risk level: low, medium or high"
    rationale = parse_text(
        data, "rationale", "Your rationale", errors, max_length=MAX_RATIONALE, required=True
    )
    return Parsed(ratings, level, rationale)


@dataclass(frozen=True)
class Preview:
    suggestion: rules.RiskSuggestion | None  # None while a rating has an error
    chosen_level: RiskLevel | None
    errors: dict  # the ratings' errors only: the preview does not need a level or rationale
    child_age: int | None

    @property
    def differs(self) -> bool:
        return bool(self.suggestion and self.chosen_level and self.chosen_level is not self.suggestion.level)


def preview(user, case_id: int, data: Mapping) -> tuple[Case, Preview]:
    """Who: risk.assess, on a case within need-to-know. The system's suggestion for these
    ratings, without saving anything (the form's "Check the suggestion"). The case read
    is audited."""
    if not can(user, Perm.RISK_ASSESS):
        raise deny_role("case", case_id, "risk_assessment.preview")
    case = get_for(user, case_id, action="risk_assessment.preview")
    errors: dict[str, str] = {}
    parsed = _parse(data, risk_catalogue.list_active(), errors)
    rating_errors = {k: v for k, v in errors.items() if k.startswith("ratings") or k == "request"}
    on = today()
    suggestion = None if rating_errors else _suggest(case, parsed.ratings, on)
    return case, Preview(suggestion, parsed.chosen_level, rating_errors, child_age(case, on))


def _rationale_message(level: RiskLevel | None, suggestion: rules.RiskSuggestion | None) -> str:
    if level is not None and suggestion is not None and level is not suggestion.level:
        return (
            f"Explain why you chose {level.label.lower()} when the system suggests "
            f"{suggestion.level.label.lower()}: your judgement decides, and the rationale records why"
        )
    return "Explain why you chose this risk level"


def _texts(parsed: Parsed) -> tuple[dict[str, str | None], dict[str, str]]:
    """The assessment's free text for the language check, named as the form names it."""
    texts = {f"ratings.{r.indicator.code}.reason": r.reason for r in parsed.ratings}
    labels = {f"ratings.{r.indicator.code}.reason": f"Reason: {r.indicator.label}" for r in parsed.ratings}
    return texts | {"rationale": parsed.rationale}, labels | {"rationale": "Your rationale"}


@transaction
def record(
    user, case_id: int, data: Mapping, expected_version, *, save_anyway: bool = False
) -> AssessmentView:
    """Who: risk.assess (MET chair, lead professional), on an open case within their
    need-to-know (NotFound otherwise, audited). `expected_version` is the case version
    the user's page or script read.

    Stores the assessment with every active indicator's rating, the system's suggested
    level beside the chosen level and rationale, and the next review date from the
    chosen level; sets the case's risk level and next review date; audits
    risk_assessment.recorded. Raises Conflict when the case changed since
    `expected_version`, ValidationError naming each bad field, WordingFlagged when the
    language check flags the rationale or a reason and `save_anyway` is false; in each
    case nothing is saved. Saved anyway, the audit row names the list entries flagged."""
    if not can(user, Perm.RISK_ASSESS):
        raise deny_role("case", case_id, "risk_assessment.recorded")
    version = parse_version(expected_version)

    case = locked_case(case_id, case_scope(user), "risk_assessment.recorded")
    if case.version != version:
        raise Conflict(f"case {case_id} is at version {case.version}, not {version}")
    if case.state == CaseState.CLOSED.value:
        raise ValidationError({"case": CLOSED_CASE})

    indicators = risk_catalogue.list_active()
    errors: dict[str, str] = {}
    parsed = _parse(data, indicators, errors)
    if not indicators:
        errors["ratings"] = "There are no risk indicators on offer: ask an administrator to set them up"
    on = today()
    rating_errors = any(k.startswith("ratings") or k == "request" for k in errors)
    suggestion = None if rating_errors else _suggest(case, parsed.ratings, on)
    if "rationale" in errors and parsed.rationale is None and errors["rationale"].startswith("Enter"):
        errors["rationale"] = _rationale_message(parsed.chosen_level, suggestion)
    if errors:
        raise ValidationError(errors)
    texts, labels = _texts(parsed)
    flagged = check_before_saving(texts, save_anyway=save_anyway, labels=labels)

    level = parsed.chosen_level
    assessment = RiskAssessment(
        case_id=case.id,
        assessed_by_id=user.id,
        assessed_at=now(),
        suggested_level=suggestion.level.value,
        chosen_level=level.value,
        rationale=parsed.rationale,
        next_review_on=rules.next_review_on(level, on, review_cadence()),
    )
    assessment.ratings = [
        RiskRating(
            indicator_id=r.indicator.id,
            indicator=r.indicator,
            rating=r.rating.value,
            period=r.period.value,
            reason=r.reason,
        )
        for r in parsed.ratings
    ]
    db.session.add(assessment)
    case.risk_level = level.value
    case.next_review_on = assessment.next_review_on
    try:
        db.session.flush()
        audit.record(
            "risk_assessment.recorded",
            "risk_assessment",
            assessment.id,
            detail={
                "case_id": case.id,
                "suggested_level": assessment.suggested_level,
                "chosen_level": assessment.chosen_level,
                "next_review_on": assessment.next_review_on.isoformat(),
                **audit_detail(flagged),
            },
            actor=user,
        )
    except StaleDataError:
        raise Conflict(f"case {case_id} changed while the assessment was being saved") from None
    return AssessmentView(assessment, current=True, case_version=case.version)
