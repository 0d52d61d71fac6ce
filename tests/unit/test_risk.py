from datetime import date

import pytest

from mettrack.core.choices import IndicatorGroup, RiskLevel
from mettrack.risk.rules import (
    DEFAULT_INDICATORS,
    Rating,
    ReviewCadence,
    SuggestionRules,
    indicators_by_group,
    intervention_required,
    next_review_on,
    suggest_level,
)

LOW, MEDIUM, HIGH = RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH


def now(code, rating):
    return (code, rating, "current")


def before(code, rating):
    return (code, rating, "previous")


# --- the default catalogue


def test_indicator_codes_are_unique():
    codes = [indicator.code for indicator in DEFAULT_INDICATORS]
    assert len(codes) == len(set(codes))


def test_every_group_has_indicators_in_order():
    assert list(indicators_by_group()) == list(IndicatorGroup)


@pytest.mark.parametrize(
    "code",
    [
        "missing_from_home_or_care",
        "older_partner",
        "controlling_relationship",
        "unexplained_gifts_or_money",
        "secretive_technology",
        "drug_or_alcohol_misuse",
        "gang_links",
        "older_or_antisocial_groups",
        "moved_around",
        "petty_crime",
        "unexplained_injuries",
        "changed_appearance",
        "sexual_health",
        "mental_health",
        "self_harm",
        "missing_education",
    ],
)
def test_the_catalogue_holds_the_toolkit_indicators(code):
    assert code in {indicator.code for indicator in DEFAULT_INDICATORS}


# Drawn from /work/shared/phrases.csv, the published guidance on language in child exploitation.
BLAMING_PHRASES = [
    "putting themselves",
    "prostitut",
    "sexual activity with",
    "sexually active",
    "promiscuous",
    "multiple sexual partners",
    "boyfriend",
    "girlfriend",
    "in a relationship with",
    "associating with",
    "contacting adults",
    "involved in",
    "recruit",
    "keeps going missing",
    "lifestyle",
    "making choices",
    "consensual",
    "streetwise",
    "money mule",
]


@pytest.mark.parametrize("phrase", BLAMING_PHRASES)
def test_indicator_labels_do_not_blame_the_child(phrase):
    for indicator in DEFAULT_INDICATORS:
        assert phrase not in indicator.label.lower(), indicator.code


# --- the suggested level

# (case, ratings, child's age, suggested level)
SUGGESTIONS = [
    ("nothing rated", [], 15, LOW),
    ("everything rated none", [now("self_harm", "none"), before("petty_crime", "none")], 15, LOW),
    ("one current low", [now("changed_appearance", "low")], 15, LOW),
    ("one current medium", [now("older_partner", "medium")], 15, MEDIUM),
    ("one current high", [now("missing_from_home_or_care", "high")], 15, HIGH),
    (
        "two current mediums",
        [now("older_partner", "medium"), now("self_harm", "medium"), now("petty_crime", "low")],
        15,
        MEDIUM,
    ),
    (
        "three current mediums",
        [now("older_partner", "medium"), now("self_harm", "medium"), now("petty_crime", "medium")],
        15,
        HIGH,
    ),
    ("previous high counts as medium", [before("missing_from_home_or_care", "high")], 15, MEDIUM),
    ("previous medium counts as low", [before("older_partner", "medium")], 15, LOW),
    (
        "a previous high makes the third medium",
        [now("older_partner", "medium"), now("self_harm", "medium"), before("petty_crime", "high")],
        15,
        HIGH,
    ),
    (
        "three previous mediums stay low",
        [before("older_partner", "medium"), before("self_harm", "medium"), before("petty_crime", "medium")],
        15,
        LOW,
    ),
    (
        "the same indicator rated twice counts once",
        [now("older_partner", "medium"), before("older_partner", "high"), now("self_harm", "medium")],
        15,
        MEDIUM,
    ),
    ("a child of 12 with one current low", [now("changed_appearance", "low")], 12, MEDIUM),
    ("a child of 12 with one previous low", [before("changed_appearance", "low")], 12, MEDIUM),
    ("a child of 13 with one current low", [now("changed_appearance", "low")], 13, LOW),
    ("a child of 12 with nothing present", [now("changed_appearance", "none")], 12, LOW),
    ("a child of 12 with a current high", [now("sexual_health", "high")], 12, HIGH),
    ("age unknown with one current low", [now("changed_appearance", "low")], None, LOW),
]


@pytest.mark.parametrize(
    "ratings, child_age, level", [case[1:] for case in SUGGESTIONS], ids=[case[0] for case in SUGGESTIONS]
)
def test_suggested_level(ratings, child_age, level):
    assert suggest_level(ratings, child_age).level is level


@pytest.mark.parametrize(
    "rules, ratings, child_age, level",
    [
        (SuggestionRules(mediums_for_high=2), [now("a", "medium"), now("b", "medium")], 15, HIGH),
        (SuggestionRules(mediums_for_high=4), [now(c, "medium") for c in "abc"], 15, MEDIUM),
        (SuggestionRules(never_low_under_age=14), [now("a", "low")], 13, MEDIUM),
        (SuggestionRules(previous_counts_one_lower=False), [before("a", "high")], 15, HIGH),
    ],
)
def test_rules_are_configurable(rules, ratings, child_age, level):
    assert suggest_level(ratings, child_age, rules).level is level


@pytest.mark.parametrize(
    "ratings, child_age, expected_phrases",
    [
        ([now("missing_from_home_or_care", "high")], 15, ["Rated high", "Going missing from home or care"]),
        (
            [now(c, "medium") for c in ("self_harm", "mental_health", "petty_crime")],
            15,
            ["3 indicators", "3 or more"],
        ),
        (
            [before("older_partner", "medium"), now("self_harm", "medium")],
            15,
            ["Self-harm", "one step lower"],
        ),
        ([now("changed_appearance", "low")], 11, ["The child is 11", "under 13"]),
        ([now("changed_appearance", "low")], 15, ["rated low only"]),
        ([], 15, ["No indicator is present"]),
        ([now("local_code", "medium")], 15, ["local_code"]),
    ],
)
def test_suggestion_gives_its_reasons(ratings, child_age, expected_phrases):
    reasons = " ".join(suggest_level(ratings, child_age).reasons)
    for phrase in expected_phrases:
        assert phrase in reasons


def test_reasons_use_the_labels_given():
    suggestion = suggest_level([now("x1", "high")], 15, labels={"x1": "A local indicator"})
    assert "A local indicator" in suggestion.reasons[0]


def test_ratings_may_be_enum_records():
    assert suggest_level([Rating("a", "high", "current")], 15).level is HIGH


@pytest.mark.parametrize(
    "bad_rating", [("a", "severe", "current"), ("a", "high", "last_year")], ids=["rating", "period"]
)
def test_unknown_rating_or_period_is_refused(bad_rating):
    with pytest.raises(ValueError):
        suggest_level([bad_rating], 15)


def test_mediums_for_high_must_be_at_least_one():
    with pytest.raises(ValueError):
        SuggestionRules(mediums_for_high=0)


# --- intervention required


@pytest.mark.parametrize(
    "ratings, required",
    [
        ([], False),
        ([now("a", "none"), before("b", "none")], False),
        ([before("a", "low")], True),
        ([now("a", "low")], True),
        ([now("a", "none"), now("b", "high")], True),
    ],
)
def test_intervention_required_when_any_indicator_is_present(ratings, required):
    assert intervention_required(ratings) is required
    assert suggest_level(ratings, 15).intervention_required is required


# --- the next review date


@pytest.mark.parametrize(
    "level, assessed_on, review_on",
    [
        (HIGH, date(2026, 5, 1), date(2026, 5, 29)),
        (MEDIUM, date(2026, 5, 1), date(2026, 6, 26)),
        (LOW, date(2026, 5, 1), date(2026, 7, 24)),
        ("low", date(2026, 12, 15), date(2027, 3, 9)),
    ],
)
def test_next_review_follows_the_risk_level(level, assessed_on, review_on):
    assert next_review_on(level, assessed_on) == review_on


@pytest.mark.parametrize(
    "assessed_on, review_on",
    [
        (date(2026, 5, 1), date(2026, 8, 1)),
        (date(2025, 11, 30), date(2026, 2, 28)),  # no 30 February: the month's last day
        (date(2023, 11, 30), date(2024, 2, 29)),
        (date(2026, 10, 31), date(2027, 1, 31)),
    ],
)
def test_next_review_is_never_more_than_three_months_ahead(assessed_on, review_on):
    cadence = ReviewCadence(low_weeks=20)
    assert next_review_on(LOW, assessed_on, cadence) == review_on


def test_cadence_is_configurable():
    assert next_review_on(HIGH, date(2026, 5, 1), ReviewCadence(high_weeks=2)) == date(2026, 5, 15)


@pytest.mark.parametrize(
    "settings",
    [
        {"high_weeks": 0},
        {"high_weeks": 10, "medium_weeks": 8},
        {"medium_weeks": 14, "low_weeks": 12},
        {"longest_months": 4},
        {"longest_months": 0},
    ],
)
def test_cadence_refuses_settings_that_review_higher_risk_less_often(settings):
    with pytest.raises(ValueError):
        ReviewCadence(**settings)
