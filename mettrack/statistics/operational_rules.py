"""The board's operational figures: pure rules over plain values (no Flask, no database).

What a period is (a calendar quarter, or any range of days in the partnership's time
zone), which periods make the trend (the quarters before it), how the page's period
chooser is read, and how a share and a number of days are written. The SQL that counts
(operational.py) takes its boundaries from here, so a quarter means the same on the page,
in the CSV and in the tests.

Definitions (docs/statistics-operations.md says them to the reader):
- A Return Home Interview is "offered within 72 hours" when its offer is recorded no
  later than 72 hours after the child's return (missing/rules.py RHI_DUE_WITHIN, from the
  statutory guidance of 2014); exactly 72 hours is within. Episodes count in the period
  their return falls in.
- A review is "held on time" when the case was reviewed at a MET meeting (its decisions
  applied) on or before the next review date a meeting set; reviews count in the period
  their due date falls in.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from mettrack.core.clock import LONDON
from mettrack.core.form_input import date_parts, date_value

TREND_QUARTERS = 4  # the quarters before the chosen period shown as the trend
CHOOSER_QUARTERS = 12  # how many quarters the chooser lists, the current one first
MAX_RANGE_DAYS = 366 * 2  # a longer range is a typing slip, not a board report
QUARTER_MONTHS = {1: "Jan - Mar", 2: "Apr - Jun", 3: "Jul - Sep", 4: "Oct - Dec"}


@dataclass(frozen=True)
class Period:
    """Calendar days `first` to `last`, both included, in the partnership's time zone."""

    first: date
    last: date
    label: str

    @property
    def starts_at(self) -> datetime:
        """The first moment of the period, in UTC (midnight in London)."""
        return _london_midnight(self.first)

    @property
    def ends_before(self) -> datetime:
        """The first moment after the period, in UTC: a moment counts when it is before it."""
        return _london_midnight(self.last + timedelta(days=1))

    @property
    def chart_label(self) -> str:
        """Short enough for a chart's axis, on two lines: "Jul - Sep" over "2026"."""
        if quarter_of(self.first) == self:
            return self.label.replace(" 20", "\n20", 1)
        return f"{self.first:%-d %b %Y} -\n{self.last:%-d %b %Y}"

    @property
    def key(self) -> str:
        return f"{self.first.isoformat()}_{self.last.isoformat()}"


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def quarter(year: int, number: int) -> Period:
    first = date(year, 3 * number - 2, 1)
    after = date(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1)
    return Period(first, after - timedelta(days=1), f"{QUARTER_MONTHS[number]} {year}")


def quarter_of(day: date) -> Period:
    return quarter(day.year, (day.month - 1) // 3 + 1)


def previous_quarter(period: Period) -> Period:
    return quarter_of(period.first.replace(day=1) - timedelta(days=1))


def previous_quarters(period: Period, count: int = TREND_QUARTERS) -> list[Period]:
    """The `count` whole quarters before the quarter in which `period` starts, oldest
    first: they never overlap the period, whether it is a quarter or a range."""
    quarters = []
    current = quarter_of(period.first)
    for _ in range(count):
        current = previous_quarter(current)
        quarters.append(current)
    return quarters[::-1]


def trend_of(period: Period, count: int = TREND_QUARTERS) -> list[Period]:
    """The periods a report shows, oldest first, the chosen one last."""
    return [*previous_quarters(period, count), period]


def chooser_quarters(today: date, count: int = CHOOSER_QUARTERS) -> list[Period]:
    """The quarters the chooser offers: the current one first, then the ones before."""
    quarters = [quarter_of(today)]
    while len(quarters) < count:
        quarters.append(previous_quarter(quarters[-1]))
    return quarters


def default_period(today: date) -> Period:
    """The last whole quarter: what a board report is usually about."""
    return previous_quarter(quarter_of(today))


def range_label(first: date, last: date) -> str:
    return f"{first:%-d %B %Y} to {last:%-d %B %Y}"


def parse_period(form: Mapping, today: date) -> tuple[Period, dict]:
    """Read the chooser: `quarter` ("2026-3": year and quarter), or `from` and `to` as
    GOV.UK date inputs (`from-day` ...) with `range` set. Returns the period (the default
    one when there are errors) and {field: message}."""
    errors: dict[str, str] = {}
    if form.get("range"):
        first = date_value(date_parts(form, "from"), "from", "The start date", errors, required=True)
        last = date_value(date_parts(form, "to"), "to", "The end date", errors, required=True)
        if first and last:
            if last < first:
                errors["to"] = "The end date must be the same as or after the start date"
            elif (last - first).days >= MAX_RANGE_DAYS:
                errors["to"] = "The period must be at most 2 years long"
            elif first > today:
                errors["from"] = "The start date must be today or in the past"
        if not errors:
            return Period(first, last, range_label(first, last)), errors
        return default_period(today), errors
    chosen = (form.get("quarter") or "").strip()
    if not chosen:
        return default_period(today), errors
    offered = {f"{q.first.year}-{(q.first.month - 1) // 3 + 1}": q for q in chooser_quarters(today)}
    if chosen not in offered:
        errors["quarter"] = "Choose a quarter from the list"
        return default_period(today), errors
    return offered[chosen], errors


def quarter_value(period: Period) -> str:
    """The chooser's value of a quarter ("2026-3"); "" for a range."""
    if quarter_of(period.first) == period:
        return f"{period.first.year}-{(period.first.month - 1) // 3 + 1}"
    return ""


def share(part: int | None, whole: int | None) -> float | None:
    """`part` as a percentage of `whole`; None when there is nothing to share."""
    if not whole or part is None:
        return None
    return 100.0 * part / whole


def share_text(part: int | None, whole: int | None) -> str:
    value = share(part, whole)
    return "no figures" if value is None else f"{value:.0f}% ({part} of {whole})"


def days_text(days: float | None) -> str:
    if days is None:
        return "no figures"
    return (
        f"{days:.0f} day{'s' if round(days) != 1 else ''}" if float(days).is_integer() else f"{days:.1f} days"
    )
