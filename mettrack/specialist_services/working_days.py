"""The working-day clock (pure: no Flask, no database). A request for a specialist service
is due an answer within N working days; working days are Monday to Friday, except the
bank holidays of England and Wales, which come from the `holidays` package (maintained
upstream, substitute days included), never from a hand-typed list.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays

# The partnership's default (config.py SERVICE_ANSWER_WORKING_DAYS): a working week. Up
# to 60 working days (about three months) may be set; more would leave a child waiting
# unnoticed for a whole term.
DEFAULT_ANSWER_WORKING_DAYS = 5
ANSWER_WORKING_DAYS_RANGE = (1, 60)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share their bank holidays; Scotland's and Northern Ireland's differ.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days after `start` (start itself is not counted: a request
    made on a Friday with 1 working day is due on Monday, or Tuesday after Easter Monday)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    while days:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days after `start` up to and including `end` (0 when end <= start):
    how long a request made on `start` has waited on `end`."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def answer_days_problem(value) -> str | None:
    """What is wrong with a SERVICE_ANSWER_WORKING_DAYS setting, or None: a whole number
    of working days from 1 to 60 (0 would make every request overdue the day it is made)."""
    low, high = ANSWER_WORKING_DAYS_RANGE
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return None
    return (
        f"SERVICE_ANSWER_WORKING_DAYS must be a whole number of working days from {low} to {high} "
        f"(docs/services-clock.md), not {value!r}"
    )
