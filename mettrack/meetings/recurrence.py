"""The dates of a series of MET meetings, and their local start turned into UTC: pure rules
(no Flask, no database), tested by tables in tests/meetings/test_schedule_recurrence.py.

Partnerships meet weekly, fortnightly, every four weeks, or monthly on a weekday ("the
second Tuesday", "the last Friday"): DESIGN.md, MET meeting. A monthly series names the
weekday (0 Monday .. 6 Sunday) and which one in the month: 1 to 4, or -1 for the last.
There is no "fifth": most months have only four of a weekday, so a fifth would skip
months without saying so; "last" is what people mean.

Meetings start at a wall-clock time in Europe/London. The UTC moment of 10:00 is 10:00Z in
winter and 09:00Z in summer, so each date is turned into UTC on its own, never by adding
weeks to the first UTC moment (which would move every summer meeting by an hour).
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from mettrack.core.choices import MeetingFrequency

STEP_DAYS = {
    MeetingFrequency.WEEKLY: 7,
    MeetingFrequency.FORTNIGHTLY: 14,
    MeetingFrequency.FOUR_WEEKLY: 28,
}
WEEKS_OF_MONTH = (1, 2, 3, 4, -1)
WEEK_OF_MONTH_LABELS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
WEEKDAY_LABELS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_COUNT = 12  # a series without an end date schedules the next 12 meetings
LONGEST_SERIES = timedelta(days=2 * 366)  # a longer series is a typing slip in the year
MOST_OCCURRENCES = 104  # weekly for two years


@dataclass(frozen=True)
class SeriesRule:
    frequency: str  # MeetingFrequency
    first_on: date
    weekday: int | None = None  # monthly only
    week_of_month: int | None = None  # monthly only: 1-4, or -1 for the last
    until_on: date | None = None


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    """The n-th `weekday` of the month (n = -1: the last), or None when the month has no
    such day (a fifth Monday in most months)."""
    days = [week[weekday] for week in calendar.monthcalendar(year, month) if week[weekday]]
    if n == -1:
        return date(year, month, days[-1])
    if 1 <= n <= len(days):
        return date(year, month, days[n - 1])
    return None


def _months_from(day: date):
    year, month = day.year, day.month
    while True:
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _monthly(rule: SeriesRule):
    for year, month in _months_from(rule.first_on):
        found = nth_weekday(year, month, rule.weekday, rule.week_of_month)
        if found is not None and found >= rule.first_on:
            yield found


def _stepped(rule: SeriesRule):
    step = timedelta(days=STEP_DAYS[MeetingFrequency(rule.frequency)])
    day = rule.first_on
    while True:
        yield day
        day += step


def dates(rule: SeriesRule, count: int | None = None) -> list[date]:
    """The meeting dates of a series, in order: from `first_on` (a monthly series: the first
    matching day on or after it) until `until_on` included, or `count` dates (DEFAULT_COUNT
    when there is neither), and never more than MOST_OCCURRENCES."""
    if count is None and rule.until_on is None:
        count = DEFAULT_COUNT
    limit = min(count if count is not None else MOST_OCCURRENCES, MOST_OCCURRENCES)
    source = _monthly(rule) if rule.frequency == MeetingFrequency.MONTHLY_WEEKDAY else _stepped(rule)
    found: list[date] = []
    for day in source:
        if len(found) >= limit or (rule.until_on is not None and day > rule.until_on):
            break
        found.append(day)
    return found


def starts_at(day: date, local_start: time, zone: tzinfo) -> datetime:
    """The aware UTC moment of `local_start` on `day` in `zone`.

    On the day the clocks go back, a time in the repeated hour is its first occurrence
    (British Summer Time, fold=0). On the day they go forward, a time in the skipped
    hour (01:00-01:59 in London) does not exist; it is read with the offset before the
    change, so 01:30 becomes 02:30 BST: the meeting is never put before the time asked."""
    wall = datetime.combine(day, local_start.replace(tzinfo=None, fold=0), tzinfo=zone)
    return wall.astimezone(UTC)


def describe(rule: SeriesRule) -> str:
    """How a series repeats, in words: "Every two weeks", "Monthly on the last Friday"."""
    frequency = MeetingFrequency(rule.frequency)
    if frequency != MeetingFrequency.MONTHLY_WEEKDAY:
        return frequency.label
    which = WEEK_OF_MONTH_LABELS.get(rule.week_of_month, "?")
    weekday = WEEKDAY_LABELS[rule.weekday] if rule.weekday in range(7) else "?"
    return f"Monthly on the {which} {weekday}"


def validate(rule: SeriesRule) -> dict[str, str]:
    """What is wrong with a series rule, by field: {} when it is sound."""
    errors: dict[str, str] = {}
    if rule.frequency not in MeetingFrequency.values():
        errors["frequency"] = "Select how often the meetings repeat"
        return errors
    if rule.frequency == MeetingFrequency.MONTHLY_WEEKDAY:
        if rule.weekday not in range(7):
            errors["weekday"] = "Select the weekday the monthly meeting is on"
        if rule.week_of_month == 5:
            errors["week_of_month"] = (
                "Most months have no fifth weekday: select the last one instead, or the first to fourth"
            )
        elif rule.week_of_month not in WEEKS_OF_MONTH:
            errors["week_of_month"] = "Select which one in the month: the first to fourth, or the last"
    if rule.until_on is not None:
        if rule.until_on < rule.first_on:
            errors["until_on"] = "The last date must be on or after the first date"
        elif rule.until_on - rule.first_on > LONGEST_SERIES:
            errors["until_on"] = "A series can run for up to 2 years: schedule the next one later"
    if not errors and not dates(rule, count=1):
        errors["until_on"] = "No meeting falls between the first and last dates"
    return errors


@dataclass(frozen=True)
class CalendarDay:
    day: date
    in_month: bool


def month_weeks(year: int, month: int) -> list[list[CalendarDay]]:
    """The weeks (Monday first) a month's calendar shows, with the neighbouring months'
    days that fill its first and last weeks."""
    return [
        [CalendarDay(day, day.month == month) for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]


def month_bounds(year: int, month: int, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC moments a month starts and ends in `zone` (end exclusive)."""
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + 1, 1, 1, tzinfo=zone) if month == 12 else datetime(year, month + 1, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)
