"""CSERQ4, the Child Sexual Exploitation Risk Questionnaire: four yes/no questions.

1. Has the child stayed out overnight or longer without permission (gone missing)?
2. Is someone presenting as the child's partner 4 or more years older? For a 17-year-old
   with no other risk indicator, a difference of up to 6 years may be acceptable. METtrack
   reads "other risk indicator" as a yes to question 1, 3 or 4. A partner's age left blank
   is recorded as unknown and is not a yes.
3. Is the child in a controlling relationship?
4. Is the child seen in, or taken to, areas known for sexual exploitation?

A yes to one or more questions means a referral to Children's Services should be made.
The screening informs professional judgement and does not replace it: a practitioner can
still refer after a screening with no yes, by recording a professional override.

The explanation is written to read well if the child sat beside the practitioner: it
speaks of "someone 5 years older", never of an "older boyfriend" (see phrases.csv).
"""

from dataclasses import dataclass
from datetime import date

from mettrack.core.choices import ScreeningAnswer, ScreeningOutcome

# Question 2's thresholds, from the CSERQ4 guidance.
PARTNER_AGE_GAP_FOR_YES = 4
SEVENTEEN_YEAR_OLD_ACCEPTABLE_GAP = 6

# Ages the questionnaire is used for: children, and care leavers up to 25. An age outside
# this range is a typing mistake, not a screening.
YOUNGEST_AGE = 0
OLDEST_AGE = 25
# A partner's age above this is a typing mistake.
OLDEST_PARTNER_AGE = 120

QUESTIONS = {
    1: "Stayed out overnight or longer without permission (went missing)",
    2: f"Someone presenting as a partner is {PARTNER_AGE_GAP_FOR_YES} or more years older",
    3: "Controlled by a partner or another person (a controlling relationship)",
    4: "Seen in, or taken to, areas known for sexual exploitation",
}


class ScreeningInputError(ValueError):
    """The answers cannot be screened; `errors` maps each field name to a message for the form."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class ScreeningAnswers:
    """What the practitioner entered.

    `entered_age` is used only when `date_of_birth` is not known. `partner_age` is None
    when the other person's age is not known.
    """

    screened_on: date
    date_of_birth: date | None = None
    entered_age: int | None = None
    went_missing: bool = False
    partner_age: int | None = None
    controlling_relationship: bool = False
    frequents_exploitation_areas: bool = False


@dataclass(frozen=True)
class ScreeningResult:
    child_age: int
    age_from_date_of_birth: bool
    q2_answer: ScreeningAnswer
    age_difference: int | None  # the other person's age minus the child's; None when unknown
    yes_questions: tuple[int, ...]
    outcome: ScreeningOutcome
    explanation: str

    @property
    def refer(self) -> bool:
        return self.outcome is ScreeningOutcome.REFER


def age_on(date_of_birth: date, on: date) -> int:
    """Age in whole years on a day.

    A child born on 29 February turns a year older on 1 March in a year with no 29
    February (the anniversary of a 29 February birth falls after 28 February).
    """
    birthday_not_yet_reached = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - birthday_not_yet_reached


def screen(answers: ScreeningAnswers, *, today: date) -> ScreeningResult:
    """Apply CSERQ4 to the answers; `today` is the local date, used to reject future dates.

    Raises ScreeningInputError naming each field that cannot be used.
    """
    child_age = _validated_child_age(answers, today)
    other_yes = [
        number
        for number, yes in (
            (1, answers.went_missing),
            (3, answers.controlling_relationship),
            (4, answers.frequents_exploitation_areas),
        )
        if yes
    ]
    q2_answer, age_difference, q2_sentence = _question_2(child_age, answers.partner_age, bool(other_yes))
    yes_questions = tuple(sorted(other_yes + ([2] if q2_answer is ScreeningAnswer.YES else [])))
    outcome = ScreeningOutcome.REFER if yes_questions else ScreeningOutcome.NO_REFERRAL

    if answers.date_of_birth is not None:
        age_sentence = f"The child was {child_age} on the screening date, from their date of birth."
    else:
        age_sentence = f"The child's age was entered as {child_age}, as their date of birth is not known."
    return ScreeningResult(
        child_age=child_age,
        age_from_date_of_birth=answers.date_of_birth is not None,
        q2_answer=q2_answer,
        age_difference=age_difference,
        yes_questions=yes_questions,
        outcome=outcome,
        explanation=" ".join([age_sentence, q2_sentence, _outcome_sentence(yes_questions)]),
    )


def _question_2(
    child_age: int, partner_age: int | None, other_yes: bool
) -> tuple[ScreeningAnswer, int | None, str]:
    if partner_age is None:
        return (
            ScreeningAnswer.UNKNOWN,
            None,
            "The age of anyone presenting as a partner was not given, so question 2 is recorded as "
            "unknown and is not counted as a yes; find out their age if you can.",
        )
    difference = partner_age - child_age
    if difference < PARTNER_AGE_GAP_FOR_YES:
        return ScreeningAnswer.NO, difference, f"{_someone(partner_age, difference)}: question 2 is no."
    if child_age == 17 and not other_yes and difference <= SEVENTEEN_YEAR_OLD_ACCEPTABLE_GAP:
        return (
            ScreeningAnswer.NO,
            difference,
            f"{_someone(partner_age, difference)}. For a 17-year-old with no other risk indicator "
            f"(no yes to question 1, 3 or 4), a difference of up to {SEVENTEEN_YEAR_OLD_ACCEPTABLE_GAP} "
            "years may be acceptable, so question 2 is no. Use your judgement: any other concern "
            "can still lead to a referral.",
        )
    return (
        ScreeningAnswer.YES,
        difference,
        f"{_someone(partner_age, difference)}: a difference of {PARTNER_AGE_GAP_FOR_YES} years or more "
        "is a yes to question 2.",
    )


def _someone(partner_age: int, difference: int) -> str:
    person = "An adult" if partner_age >= 18 else "Someone"
    if difference == 0:
        return f"{person} of the same age as the child was recorded"
    years = f"{abs(difference)} year{'s' if abs(difference) != 1 else ''}"
    return f"{person} {years} {'older' if difference > 0 else 'younger'} than the child was recorded"


def _outcome_sentence(yes_questions: tuple[int, ...]) -> str:
    if not yes_questions:
        return (
            "No question was answered yes, so the screening does not indicate a referral. If you are "
            "still worried about the child, you can refer and record why."
        )
    numbers = [str(number) for number in yes_questions]
    listed = numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"
    plural = "s" if len(numbers) > 1 else ""
    return f"Yes to question{plural} {listed}: a referral to Children's Services (MASH) should be made."


def _validated_child_age(answers: ScreeningAnswers, today: date) -> int:
    errors: dict[str, str] = {}
    if answers.screened_on > today:
        errors["screened_on"] = "The screening date must be today or in the past"

    child_age = None
    if answers.date_of_birth is not None:
        if answers.date_of_birth > today:
            errors["date_of_birth"] = "Date of birth must be today or in the past"
        elif answers.date_of_birth > answers.screened_on:
            errors["date_of_birth"] = "Date of birth must be before the screening date"
        else:
            child_age = age_on(answers.date_of_birth, answers.screened_on)
            if child_age > OLDEST_AGE:
                errors["date_of_birth"] = (
                    f"Date of birth gives an age of {child_age}; "
                    f"CSERQ4 is for ages {YOUNGEST_AGE} to {OLDEST_AGE}"
                )
    elif answers.entered_age is None:
        errors["date_of_birth"] = "Enter the child's date of birth or, if it is not known, their age"
    elif not YOUNGEST_AGE <= answers.entered_age <= OLDEST_AGE:
        errors["entered_age"] = f"Age must be between {YOUNGEST_AGE} and {OLDEST_AGE}"
    else:
        child_age = answers.entered_age

    if answers.partner_age is not None and not 0 <= answers.partner_age <= OLDEST_PARTNER_AGE:
        errors["partner_age"] = (
            f"Partner's age must be between 0 and {OLDEST_PARTNER_AGE}, or left blank if not known"
        )

    if errors:
        raise ScreeningInputError(errors)
    assert child_age is not None
    return child_age
