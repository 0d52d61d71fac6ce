from datetime import date

import pytest

from mettrack.core.choices import ScreeningAnswer, ScreeningOutcome
from mettrack.screening.cserq4 import ScreeningAnswers, ScreeningInputError, age_on, screen

TODAY = date(2026, 5, 11)
SCREENED_ON = date(2026, 5, 1)
YES, NO, UNKNOWN = ScreeningAnswer.YES, ScreeningAnswer.NO, ScreeningAnswer.UNKNOWN
REFER, NO_REFERRAL = ScreeningOutcome.REFER, ScreeningOutcome.NO_REFERRAL


def answers(age=15, partner_age=None, missing=False, controlling=False, areas=False, **overrides):
    fields = dict(
        screened_on=SCREENED_ON,
        entered_age=age,
        partner_age=partner_age,
        went_missing=missing,
        controlling_relationship=controlling,
        frequents_exploitation_areas=areas,
    )
    return ScreeningAnswers(**(fields | overrides))


# (case, answers, q2 answer, yes questions, outcome)
SCREENINGS = [
    ("15 with a partner 4 years older", answers(15, 19), YES, (2,), REFER),
    ("17 with a partner 6 years older, nothing else", answers(17, 23), NO, (), NO_REFERRAL),
    ("17 with a partner 5 years older who went missing", answers(17, 22, missing=True), YES, (1, 2), REFER),
    ("16 with a partner 3 years older, controlling", answers(16, 19, controlling=True), NO, (3,), REFER),
    ("partner's age unknown, nothing else", answers(15, None), UNKNOWN, (), NO_REFERRAL),
    ("17 with a partner 7 years older, nothing else", answers(17, 24), YES, (2,), REFER),
    ("17 with a partner 4 years older, areas of concern", answers(17, 21, areas=True), YES, (2, 4), REFER),
    ("17 with a partner 4 years older, nothing else", answers(17, 21), NO, (), NO_REFERRAL),
    ("17 with a partner 6 years older, controlling", answers(17, 23, controlling=True), YES, (2, 3), REFER),
    ("16 with a partner 6 years older, nothing else", answers(16, 22), YES, (2,), REFER),
    ("18 with a partner 5 years older: the exception is for 17 only", answers(18, 23), YES, (2,), REFER),
    ("15 with a partner 3 years older", answers(15, 18), NO, (), NO_REFERRAL),
    ("15 with a younger partner", answers(15, 14), NO, (), NO_REFERRAL),
    ("15 with a partner of the same age", answers(15, 15), NO, (), NO_REFERRAL),
    ("partner unknown, went missing", answers(14, None, missing=True), UNKNOWN, (1,), REFER),
    ("every question yes", answers(13, 30, True, True, True), YES, (1, 2, 3, 4), REFER),
    ("nothing at all", answers(12, None), UNKNOWN, (), NO_REFERRAL),
]


@pytest.mark.parametrize(
    "given, q2, yes_questions, outcome",
    [case[1:] for case in SCREENINGS],
    ids=[case[0] for case in SCREENINGS],
)
def test_screening_outcome(given, q2, yes_questions, outcome):
    result = screen(given, today=TODAY)
    assert (result.q2_answer, result.yes_questions, result.outcome) == (q2, yes_questions, outcome)
    assert result.refer is (outcome is REFER)


@pytest.mark.parametrize(
    "date_of_birth, screened_on, expected_age",
    [
        (date(2010, 5, 2), date(2026, 5, 1), 15),  # the day before the 16th birthday
        (date(2010, 5, 1), date(2026, 5, 1), 16),  # the birthday itself
        (date(2010, 4, 30), date(2026, 5, 1), 16),  # the day after
        (date(2008, 2, 29), date(2025, 2, 28), 16),  # born on 29 February, no 29 February this year
        (date(2008, 2, 29), date(2025, 3, 1), 17),
        (date(2008, 2, 29), date(2024, 2, 29), 16),
        (date(2008, 2, 29), date(2024, 2, 28), 15),
        (date(2010, 12, 31), date(2026, 1, 1), 15),
        (date(2026, 5, 1), date(2026, 5, 1), 0),
    ],
)
def test_age_in_whole_years(date_of_birth, screened_on, expected_age):
    assert age_on(date_of_birth, screened_on) == expected_age


@pytest.mark.parametrize(
    "screened_on, q2, outcome",
    [
        (date(2026, 4, 30), YES, REFER),  # the day before the 17th birthday: 16, and 6 years is a yes
        (date(2026, 5, 1), NO, NO_REFERRAL),  # 17 on the birthday: 5 years may be acceptable
        (date(2026, 5, 2), NO, NO_REFERRAL),
    ],
)
def test_age_from_date_of_birth_decides_the_17_year_old_exception(screened_on, q2, outcome):
    given = answers(age=None, partner_age=22, date_of_birth=date(2009, 5, 1), screened_on=screened_on)
    result = screen(given, today=TODAY)
    assert (result.q2_answer, result.outcome) == (q2, outcome)
    assert result.age_from_date_of_birth


def test_entered_age_is_used_when_date_of_birth_is_unknown():
    result = screen(answers(age=14, partner_age=18), today=TODAY)
    assert (result.child_age, result.age_from_date_of_birth, result.age_difference) == (14, False, 4)
    assert "entered" in result.explanation


def test_date_of_birth_wins_over_an_entered_age():
    result = screen(answers(age=17, date_of_birth=date(2012, 1, 1)), today=TODAY)
    assert result.child_age == 14 and result.age_from_date_of_birth


@pytest.mark.parametrize(
    "given, field",
    [
        (answers(age=None), "date_of_birth"),
        (answers(date_of_birth=date(2026, 6, 1), screened_on=date(2026, 5, 1)), "date_of_birth"),
        (answers(date_of_birth=date(2026, 5, 5), screened_on=date(2026, 5, 1)), "date_of_birth"),
        (answers(date_of_birth=date(1990, 1, 1)), "date_of_birth"),
        (answers(age=-1), "entered_age"),
        (answers(age=26), "entered_age"),
        (answers(partner_age=-1), "partner_age"),
        (answers(partner_age=121), "partner_age"),
        (answers(screened_on=date(2026, 5, 12)), "screened_on"),
    ],
    ids=[
        "neither date of birth nor age",
        "date of birth in the future",
        "date of birth after the screening date",
        "date of birth giving an age over 25",
        "negative age",
        "age over 25",
        "negative partner age",
        "absurd partner age",
        "screening date in the future",
    ],
)
def test_invalid_input_names_its_field(given, field):
    with pytest.raises(ScreeningInputError) as error:
        screen(given, today=TODAY)
    assert list(error.value.errors) == [field]
    assert isinstance(error.value, ValueError)


def test_every_invalid_field_is_reported_at_once():
    given = answers(age=30, partner_age=200, screened_on=date(2027, 1, 1))
    with pytest.raises(ScreeningInputError) as error:
        screen(given, today=TODAY)
    assert set(error.value.errors) == {"entered_age", "partner_age", "screened_on"}


@pytest.mark.parametrize("age, partner_age", [(0, 0), (25, 120)])
def test_the_edges_of_the_allowed_ages_are_accepted(age, partner_age):
    assert screen(answers(age=age, partner_age=partner_age), today=TODAY).child_age == age


@pytest.mark.parametrize(
    "given, expected_phrases",
    [
        (answers(15, 20), ["An adult 5 years older", "yes to question 2", "referral to Children's Services"]),
        (answers(13, 17), ["Someone 4 years older"]),
        (answers(17, 23), ["up to 6 years may be acceptable", "does not indicate a referral"]),
        (answers(15, None), ["recorded as unknown"]),
        (answers(15, 14), ["1 year younger"]),
        (answers(15, 21, missing=True, areas=True), ["questions 1, 2 and 4"]),
    ],
)
def test_explanation_in_plain_words(given, expected_phrases):
    explanation = screen(given, today=TODAY).explanation
    for phrase in expected_phrases:
        assert phrase in explanation


@pytest.mark.parametrize("given", [case[1] for case in SCREENINGS])
def test_explanation_never_blames_the_child(given):
    explanation = screen(given, today=TODAY).explanation.lower()
    for phrase in ("boyfriend", "girlfriend", "in a relationship with", "putting themselves", "consensual"):
        assert phrase not in explanation
