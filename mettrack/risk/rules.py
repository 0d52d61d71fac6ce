"""The risk assessment toolkit: indicators, the suggested risk level, and the next review date.

Indicators are rated none, low, medium or high, and marked current (the last 3 months) or
previous (3 to 6 months ago), as the HIPS Child Exploitation Risk Assessment Framework
(CERAF) does. Any indicator present at any level means an intervention is required.

The professional sets the overall risk level; their judgement counts as much as any score.
`suggest_level` only gives the suggestion shown beside it. Its rules (`SuggestionRules`)
and the review cadence (`ReviewCadence`) are this partnership's defaults, chosen to be
changed in configuration: they are not national guidance.
"""

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from mettrack.core.choices import IndicatorGroup, IndicatorPeriod, IndicatorRating, RiskLevel


@dataclass(frozen=True)
class Indicator:
    code: str  # stable: stored with every rating, never renamed
    group: IndicatorGroup
    label: str


def _group(group: IndicatorGroup, *entries: tuple[str, str]) -> tuple[Indicator, ...]:
    return tuple(Indicator(code, group, label) for code, label in entries)


# The default catalogue that seeds the reference data. Labels describe what is happening
# to the child, never the child's choices (phrases.csv): "contact with older people who
# may exploit", not "associating with older people".
DEFAULT_INDICATORS: tuple[Indicator, ...] = (
    *_group(
        IndicatorGroup.MISSING,
        ("missing_from_home_or_care", "Going missing from home or care"),
        ("staying_out_late", "Staying out late or overnight without permission"),
        ("moved_around", "Being moved or taken to other towns or areas"),
        ("missing_unexplained_whereabouts", "Found far from home, or unable to say where they have been"),
    ),
    *_group(
        IndicatorGroup.RELATIONSHIPS,
        ("older_partner", "An older person presenting as a partner"),
        ("controlling_relationship", "Controlled by a partner or another person"),
        ("family_breakdown", "Conflict or breakdown in relationships at home or in care"),
        ("domestic_abuse_at_home", "Domestic abuse in the home"),
    ),
    *_group(
        IndicatorGroup.ASSOCIATIONS,
        ("older_or_antisocial_groups", "Contact with older people or groups who may exploit"),
        ("gang_links", "Links to a gang or organised crime group that may be exploiting them"),
        ("exploited_peers", "Friends or peers who are being exploited"),
        (
            "unknown_adults_contact",
            "Unknown adults contacting the child or collecting them, for example in cars",
        ),
        ("places_of_concern", "Taken to parties, hotels or addresses of concern"),
    ),
    *_group(
        IndicatorGroup.BEHAVIOUR,
        ("unexplained_gifts_or_money", "Unexplained gifts, money, clothes or phones"),
        ("petty_crime", "Low-level offending, such as shoplifting, that others may be directing"),
        ("carrying_drugs_money_weapons", "Found with drugs, large amounts of money or weapons"),
        ("changed_appearance", "Sudden change in appearance"),
        ("changed_behaviour", "Sudden change in behaviour or mood, such as becoming withdrawn or secretive"),
    ),
    *_group(
        IndicatorGroup.HEALTH,
        (
            "drug_or_alcohol_misuse",
            "Drug or alcohol misuse, including being given drugs or alcohol by others",
        ),
        ("unexplained_injuries", "Unexplained injuries"),
        (
            "sexual_health",
            "Sexual health concerns, such as infections, pregnancy or repeated emergency contraception",
        ),
        ("mental_health", "Mental health concerns"),
        ("self_harm", "Self-harm or thoughts of suicide"),
    ),
    *_group(
        IndicatorGroup.EDUCATION,
        ("missing_education", "Missing education: not attending, excluded or on a reduced timetable"),
        ("education_decline", "Sudden drop in engagement or achievement at school or college"),
    ),
    *_group(
        IndicatorGroup.ONLINE,
        ("secretive_technology", "Secretive use of phones, apps or the internet"),
        ("more_than_one_phone", "More than one phone or SIM card, or a phone they cannot explain"),
        ("contacted_online_by_strangers", "Contacted online by adults or people they do not know"),
        ("sexual_images", "Asked or pressured to send sexual images, or images of them shared"),
    ),
)


def indicators_by_group(
    catalogue: Iterable[Indicator] = DEFAULT_INDICATORS,
) -> dict[IndicatorGroup, tuple[Indicator, ...]]:
    """The catalogue grouped for a form, groups in IndicatorGroup's order, indicators in catalogue order."""
    catalogue = tuple(catalogue)
    grouped = {group: tuple(i for i in catalogue if i.group is group) for group in IndicatorGroup}
    return {group: indicators for group, indicators in grouped.items() if indicators}


class Rating(NamedTuple):
    """One indicator's rating; plain (code, rating, period) tuples of strings are accepted too."""

    code: str
    rating: IndicatorRating
    period: IndicatorPeriod


@dataclass(frozen=True)
class SuggestionRules:
    """How the suggestion is worked out. Partnership defaults, not national guidance.

    - any current high suggests high;
    - `mediums_for_high` (default 3) or more indicators at current medium suggest high;
    - any current medium suggests medium;
    - a child younger than `never_low_under_age` (default 13) with any indicator present, in
      either period, is suggested medium at least, never low;
    - a previous-period rating (3 to 6 months ago) counts one step lower than a current one
      when `previous_counts_one_lower` (default True): previous high as current medium,
      previous medium as current low, previous low as none;
    - otherwise low, including when no indicator is present.
    """

    mediums_for_high: int = 3
    never_low_under_age: int = 13
    previous_counts_one_lower: bool = True

    def __post_init__(self):
        if self.mediums_for_high < 1:
            raise ValueError("mediums_for_high must be 1 or more")


DEFAULT_RULES = SuggestionRules()


@dataclass(frozen=True)
class RiskSuggestion:
    level: RiskLevel
    reasons: tuple[str, ...]
    intervention_required: bool


def _ratings(ratings: Iterable[Rating | tuple[str, str, str]]) -> list[Rating]:
    return [
        Rating(code, IndicatorRating(rating), IndicatorPeriod(period)) for code, rating, period in ratings
    ]


def intervention_required(ratings: Iterable[Rating | tuple[str, str, str]]) -> bool:
    """Any indicator present, at any level and in either period, means an intervention is required."""
    return any(r.rating is not IndicatorRating.NONE for r in _ratings(ratings))


def suggest_level(
    ratings: Iterable[Rating | tuple[str, str, str]],
    child_age: int | None,
    rules: SuggestionRules = DEFAULT_RULES,
    *,
    labels: Mapping[str, str] | None = None,
) -> RiskSuggestion:
    """The system's suggested risk level with the reasons for it, shown beside the professional's level.

    `child_age` is None when not known (the under-13 rule then does not apply). `labels`
    maps indicator codes to the labels used in the reasons (default: the default catalogue).
    An indicator rated more than once counts once, at its highest effective rating.
    """
    ratings = _ratings(ratings)
    labels = labels if labels is not None else {i.code: i.label for i in DEFAULT_INDICATORS}

    effective: dict[str, IndicatorRating] = {}
    for rating in ratings:
        counted = _counted_rating(rating, rules)
        if rating.code not in effective or counted.rank > effective[rating.code].rank:
            effective[rating.code] = counted

    def named(level: IndicatorRating) -> list[str]:
        return [labels.get(code, code) for code, counted in effective.items() if counted is level]

    highs, mediums = named(IndicatorRating.HIGH), named(IndicatorRating.MEDIUM)
    present = intervention_required(ratings)
    previous_note = (
        " (previous-period ratings count one step lower)" if rules.previous_counts_one_lower else ""
    )

    if highs:
        level, reasons = RiskLevel.HIGH, [f"Rated high{previous_note}: {'; '.join(highs)}."]
    elif len(mediums) >= rules.mediums_for_high:
        level = RiskLevel.HIGH
        reasons = [
            f"{len(mediums)} indicators rated medium{previous_note}, and {rules.mediums_for_high} or more "
            f"suggest high: {'; '.join(mediums)}."
        ]
    elif mediums:
        level, reasons = RiskLevel.MEDIUM, [f"Rated medium{previous_note}: {'; '.join(mediums)}."]
    elif present and child_age is not None and child_age < rules.never_low_under_age:
        level = RiskLevel.MEDIUM
        reasons = [
            f"The child is {child_age}: a child under {rules.never_low_under_age} with any indicator "
            "present is suggested medium at least."
        ]
    elif present:
        level, reasons = RiskLevel.LOW, ["Indicators are present, rated low only."]
    else:
        level, reasons = RiskLevel.LOW, ["No indicator is present."]
    return RiskSuggestion(level=level, reasons=tuple(reasons), intervention_required=present)


def _counted_rating(rating: Rating, rules: SuggestionRules) -> IndicatorRating:
    if rating.period is IndicatorPeriod.PREVIOUS and rules.previous_counts_one_lower:
        return tuple(IndicatorRating)[max(rating.rating.rank - 1, 0)]
    return rating.rating


@dataclass(frozen=True)
class ReviewCadence:
    """Weeks from an assessment to the next MET review, by risk level. Partnership defaults,
    not national guidance.

    High risk is reviewed at every MET meeting; `high_weeks` (default 4) is the fallback
    date when no meeting is sooner. Medium defaults to 8 weeks, low to 12. Whatever is
    configured, no review is set more than `longest_months` (3) calendar months ahead.
    """

    high_weeks: int = 4
    medium_weeks: int = 8
    low_weeks: int = 12
    longest_months: int = 3

    def __post_init__(self):
        if not 0 < self.high_weeks <= self.medium_weeks <= self.low_weeks:
            raise ValueError("review weeks must be positive, and no longer for a higher risk level")
        if not 0 < self.longest_months <= 3:
            raise ValueError("longest_months must be between 1 and 3")

    def weeks_for(self, level: RiskLevel | str) -> int:
        return {
            RiskLevel.HIGH: self.high_weeks,
            RiskLevel.MEDIUM: self.medium_weeks,
            RiskLevel.LOW: self.low_weeks,
        }[RiskLevel(level)]


DEFAULT_CADENCE = ReviewCadence()


def next_review_on(
    level: RiskLevel | str, assessed_on: date, cadence: ReviewCadence = DEFAULT_CADENCE
) -> date:
    """The date the next MET review falls due after an assessment at this risk level."""
    by_weeks = assessed_on + timedelta(weeks=cadence.weeks_for(level))
    return min(by_weeks, _add_months(assessed_on, cadence.longest_months))


def review_overdue(next_review_on: date | None, *, case_open: bool, today: date) -> bool:
    """The case's next MET review date has passed: an open case due before `today` (the
    date in the UK, where the meeting sits). A review due today is due, not yet overdue;
    a closed case, or one with no review date, is never overdue.

    cases/queries.py `review_overdue_condition` is this rule in SQL, for filtering the
    case list; tests/services/test_alert_rules_agree.py holds the two together."""
    return case_open and next_review_on is not None and next_review_on < today


def _add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day (31 January + 1 month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
