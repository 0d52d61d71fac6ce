"""The working-day clock (specialist_services/working_days.py), as a table of real
calendar cases: weekends, Easter, substitute bank holidays, the May holidays, a start on
a day off, and none at all. Every date below was checked against the GOV.UK bank holiday
list for England and Wales."""

from datetime import date, timedelta

import pytest

from config import Config
from mettrack import create_app
from mettrack.specialist_services import working_days
from mettrack.specialist_services.working_days import (
    DEFAULT_ANSWER_WORKING_DAYS,
    add_working_days,
    answer_days_problem,
    is_working_day,
    working_days_between,
)

D = date

# (why, start, working days, due on)
ADD = [
    ("0 days: the day itself", D(2026, 12, 4), 0, D(2026, 12, 4)),
    ("0 days from a Saturday: still the day itself", D(2026, 12, 5), 0, D(2026, 12, 5)),
    ("a Monday, 1 day", D(2026, 11, 30), 1, D(2026, 12, 1)),
    ("a Monday, 4 days: the same week", D(2026, 11, 30), 4, D(2026, 12, 4)),
    ("a Friday, 1 day: over the weekend", D(2026, 12, 4), 1, D(2026, 12, 7)),
    ("a Wednesday, 5 days: over one weekend", D(2026, 12, 2), 5, D(2026, 12, 9)),
    ("a Monday, 10 days: over two weekends", D(2026, 11, 2), 10, D(2026, 11, 16)),
    ("a Saturday, 1 day: Monday", D(2026, 12, 5), 1, D(2026, 12, 7)),
    ("a Sunday, 5 days: the Friday", D(2026, 12, 6), 5, D(2026, 12, 11)),
    # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
    ("the Thursday before Easter, 1 day", D(2026, 4, 2), 1, D(2026, 4, 7)),
    ("the Wednesday before Easter, 5 days", D(2026, 4, 1), 5, D(2026, 4, 10)),
    ("Good Friday itself, 1 day", D(2026, 4, 3), 1, D(2026, 4, 7)),
    ("Easter Monday itself, 1 day", D(2026, 4, 6), 1, D(2026, 4, 7)),
    # Easter 2027 falls in March: Good Friday 26 March, Easter Monday 29 March.
    ("the Thursday before Easter 2027, 5 days", D(2027, 3, 25), 5, D(2027, 4, 5)),
    # Christmas 2026: Friday 25, Boxing Day Saturday 26, its substitute Monday 28 December.
    ("Christmas Eve 2026, 1 day: over Christmas and the substitute day", D(2026, 12, 24), 1, D(2026, 12, 29)),
    ("Wednesday 23 December 2026, 5 days: over Christmas and New Year", D(2026, 12, 23), 5, D(2027, 1, 4)),
    # Christmas 2021: both days at a weekend, substitutes Monday 27 and Tuesday 28.
    ("Christmas Eve 2021, 1 day: two substitute days", D(2021, 12, 24), 1, D(2021, 12, 29)),
    # Christmas 2022: Christmas on a Sunday, Boxing Day Monday 26, substitute Tuesday 27.
    ("Friday 23 December 2022, 1 day", D(2022, 12, 23), 1, D(2022, 12, 28)),
    # New Year's Day 2022 on a Saturday: substitute Monday 3 January.
    ("Friday 31 December 2021, 1 day: over the new year's substitute", D(2021, 12, 31), 1, D(2022, 1, 4)),
    # Early May bank holiday (first Monday) and spring bank holiday (last Monday).
    ("Friday 1 May 2026, 1 day: over the early May holiday", D(2026, 5, 1), 1, D(2026, 5, 5)),
    ("Friday 22 May 2026, 1 day: over the spring holiday", D(2026, 5, 22), 1, D(2026, 5, 26)),
    ("Thursday 28 April 2027, 5 days: over 3 May", D(2027, 4, 28), 5, D(2027, 5, 6)),
    # 2022's spring holiday moved to Thursday 2 June, with the Jubilee on Friday 3 June.
    ("Wednesday 1 June 2022, 1 day: over the Jubilee weekend", D(2022, 6, 1), 1, D(2022, 6, 6)),
    # Summer bank holiday (last Monday of August).
    ("Friday 28 August 2026, 1 day", D(2026, 8, 28), 1, D(2026, 9, 1)),
]


@pytest.mark.parametrize(("why", "start", "days", "due"), ADD, ids=[row[0] for row in ADD])
def test_add_working_days(why, start, days, due):
    assert add_working_days(start, days) == due


@pytest.mark.parametrize(("why", "start", "days", "due"), ADD, ids=[row[0] for row in ADD])
def test_the_waiting_count_reads_the_due_date_back(why, start, days, due):
    # The two functions agree: a request made on `start` has waited `days` on its due date.
    assert working_days_between(start, due) == days


# (day, working?)
DAYS = [
    (D(2026, 12, 4), True),  # a Friday
    (D(2026, 12, 5), False),  # Saturday
    (D(2026, 12, 6), False),  # Sunday
    (D(2026, 4, 3), False),  # Good Friday
    (D(2026, 4, 6), False),  # Easter Monday
    (D(2026, 12, 25), False),
    (D(2026, 12, 28), False),  # Boxing Day's substitute
    (D(2026, 12, 29), True),
    (D(2021, 12, 27), False),  # Christmas Day's substitute
    (D(2021, 12, 28), False),  # Boxing Day's substitute
    (D(2022, 12, 27), False),  # Christmas Day's substitute
    (D(2022, 12, 28), True),
    (D(2026, 5, 4), False),  # early May
    (D(2026, 5, 25), False),  # spring
    (D(2026, 1, 1), False),
    (D(2027, 1, 1), False),
    (D(2026, 3, 17), True),  # St Patrick's Day: Northern Ireland's, not England's
    (D(2026, 11, 30), True),  # St Andrew's Day: Scotland's
    (D(2026, 8, 3), True),  # Scotland's summer holiday, not England's
]


@pytest.mark.parametrize(("day", "working"), DAYS, ids=[f"{d:%a %d %b %Y}" for d, _ in DAYS])
def test_is_working_day(day, working):
    assert is_working_day(day) is working


# (why, start, end, working days waited)
BETWEEN = [
    ("the same day", D(2026, 12, 4), D(2026, 12, 4), 0),
    ("an end before the start counts nothing", D(2026, 12, 9), D(2026, 12, 2), 0),
    ("Friday to Saturday", D(2026, 12, 4), D(2026, 12, 5), 0),
    ("Friday to Monday", D(2026, 12, 4), D(2026, 12, 7), 1),
    ("Saturday to Sunday", D(2026, 12, 5), D(2026, 12, 6), 0),
    ("Saturday to Monday", D(2026, 12, 5), D(2026, 12, 7), 1),
    ("a whole week", D(2026, 11, 30), D(2026, 12, 7), 5),
    ("Thursday to Tuesday over Easter", D(2026, 4, 2), D(2026, 4, 7), 1),
    ("Christmas Eve to New Year's Eve 2026", D(2026, 12, 24), D(2026, 12, 31), 3),
    ("across a year's end", D(2026, 12, 31), D(2027, 1, 4), 1),
    ("a calendar year: 2026 has 8 weekday bank holidays", D(2025, 12, 31), D(2026, 12, 31), 261 - 8),
]


@pytest.mark.parametrize(("why", "start", "end", "count"), BETWEEN, ids=[row[0] for row in BETWEEN])
def test_working_days_between(why, start, end, count):
    assert working_days_between(start, end) == count


def test_the_count_and_the_addition_are_inverses_every_day_of_two_years():
    # Each start in 2026 and 2027 (weekends, holidays and year ends included), for every
    # setting a partnership may choose.
    day = D(2026, 1, 1)
    while day < D(2028, 1, 1):
        for days in (1, 2, 5, 10, 60):
            due = add_working_days(day, days)
            assert working_days_between(day, due) == days, (day, days)
            assert is_working_day(due), (day, days)
            # The due day is the first with that count: the day before has one fewer.
            assert working_days_between(day, due - timedelta(days=1)) == days - 1, (day, days)
        day += timedelta(days=1)


def test_a_negative_number_of_days_is_refused():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(D(2026, 12, 4), -1)


def test_the_holidays_are_england_and_wales_from_the_package():
    assert working_days._bank_holidays(2026) >= {D(2026, 4, 3), D(2026, 4, 6), D(2026, 12, 28)}


# --- the setting ---------------------------------------------------------------------


def test_the_setting_defaults_to_the_domain_default():
    assert DEFAULT_ANSWER_WORKING_DAYS == 5
    assert Config.SERVICE_ANSWER_WORKING_DAYS == DEFAULT_ANSWER_WORKING_DAYS


@pytest.mark.parametrize("value", [1, 5, 60])
def test_a_usable_setting(value):
    assert answer_days_problem(value) is None


@pytest.mark.parametrize("value", [0, -1, 61, "five", "", None, 2.5, True])
def test_an_unusable_setting_names_itself(value):
    problem = answer_days_problem(value)
    assert problem and "SERVICE_ANSWER_WORKING_DAYS" in problem and "1 to 60" in problem


@pytest.mark.parametrize("value", [0, 61, "five"])
def test_the_app_will_not_start_with_an_unusable_setting(value):
    with pytest.raises(RuntimeError, match="SERVICE_ANSWER_WORKING_DAYS"):
        create_app({"SERVICE_ANSWER_WORKING_DAYS": value})


def test_an_environment_value_that_is_not_a_number_reaches_the_check(monkeypatch):
    import runpy
    from pathlib import Path

    monkeypatch.setenv("SERVICE_ANSWER_WORKING_DAYS", "five")
    config = runpy.run_path(str(Path(__file__).resolve().parents[2] / "config.py"))["Config"]
    assert answer_days_problem(config.SERVICE_ANSWER_WORKING_DAYS)
    monkeypatch.setenv("SERVICE_ANSWER_WORKING_DAYS", " 7 ")
    config = runpy.run_path(str(Path(__file__).resolve().parents[2] / "config.py"))["Config"]
    assert config.SERVICE_ANSWER_WORKING_DAYS == 7
