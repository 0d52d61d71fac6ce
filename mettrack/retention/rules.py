"""Retention rules: when a record is due for review (pure: no Flask, no database).

There is no single national retention period for the records a MET keeps: the partnership
decides, and its settings say (config.py, docs/retention.md). A record due for review is
offered to an administrator for deletion; nothing is deleted by a rule alone.
"""

from collections.abc import Iterator, Mapping
from datetime import date
from enum import StrEnum
from typing import Any


class CaseRule(StrEnum):
    AGE = "age"  # the child's birthday at RETENTION_CASE_AGE
    YEARS_AFTER_CLOSURE = "years_after_closure"  # RETENTION_CASE_YEARS after the case closed


# What an audit row and the review list say about the rule applied (no personal data).
RULE_WORDS = {
    "age": "The child's birthday at the set age",
    "years_after_closure": "A set number of years after the case closed",
    "years_after_closure_no_birth_date": "A set number of years after closure (no date of birth held)",
    "years_after_last_link": "A set number of years after the item was last linked",
}


def add_years(day: date, years: int) -> date:
    """`day` moved on `years` years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def case_review(
    *, closed_on: date | None, date_of_birth: date | None, rule: str, age: int, years: int
) -> tuple[date, str] | None:
    """When a case is due for review, and the rule applied; None while the case is open.

    Under the age rule a case is kept at least until the child's birthday at `age`, and
    never reviewed before it closed; with no date of birth held the years rule applies."""
    if closed_on is None:
        return None
    if CaseRule(rule) is CaseRule.AGE:
        if date_of_birth is None:
            return add_years(closed_on, years), "years_after_closure_no_birth_date"
        return max(add_years(date_of_birth, age), closed_on), "age"
    return add_years(closed_on, years), "years_after_closure"


def intelligence_review(*, last_linked_on: date, years: int) -> tuple[date, str]:
    """When an intelligence item is due for review: `years` after it was last linked to a
    case or subject (or submitted, when it never was)."""
    return add_years(last_linked_on, years), "years_after_last_link"


def is_due(review_on: date, today: date) -> bool:
    return review_on <= today


def _whole(value, name: str, low: int, high: int) -> tuple[int | None, str | None]:
    try:
        number = int(str(value).strip())
    except ValueError:
        return None, f"{name} must be a whole number from {low} to {high} (it is {value!r})"
    if not low <= number <= high:
        return None, f"{name} must be a whole number from {low} to {high} (it is {number})"
    return number, None


def settings(config: Mapping[str, Any]) -> dict:
    """The retention settings as numbers (checked at start-up by setting_problems)."""
    return {
        "rule": str(config.get("RETENTION_CASE_RULE", "age")).strip(),
        "age": int(str(config.get("RETENTION_CASE_AGE", 25)).strip()),
        "years": int(str(config.get("RETENTION_CASE_YEARS", 6)).strip()),
        "intelligence_years": int(str(config.get("RETENTION_INTELLIGENCE_YEARS", 6)).strip()),
    }


def setting_problems(config: Mapping[str, Any]) -> Iterator[str]:
    rule = str(config.get("RETENTION_CASE_RULE", "age")).strip()
    if rule not in {r.value for r in CaseRule}:
        yield f"RETENTION_CASE_RULE must be age or years_after_closure (it is {rule!r})"
    for name, default, low, high in (
        ("RETENTION_CASE_AGE", 25, 18, 100),
        ("RETENTION_CASE_YEARS", 6, 1, 100),
        ("RETENTION_INTELLIGENCE_YEARS", 6, 1, 100),
    ):
        _, problem = _whole(config.get(name, default), name, low, high)
        if problem:
            yield problem
