"""The quarterly exploitation-list report's rules: plain functions over plain values, no
Flask and no database (docs/statistics.md).

- Periods: a calendar quarter ("2022-Q3" is July - September 2022, the months the
  partnership names in its report) or any range of days, both ends included, in the
  partnership's calendar (Europe/London): a period runs from midnight London time on its
  first day to midnight after its last (`starts_at`, `ends_before`, in UTC). The trend is
  the quarters before the chosen one. The same periods, chooser and messages serve the
  exploitation-list report and the operational figures.
- Ages are whole years at the END of the period (a child who turns 18 in the quarter is
  18 in it). In SQL an age band is a range of dates of birth: `band_limits` gives the
  dates, so the database never does date arithmetic (which SQLite and PostgreSQL spell
  differently).
- Small numbers: a figure from 1 to threshold - 1 is shown as "fewer than 5" in anything
  marked for publication, and, so that it cannot be worked out from the figures beside
  it, a line (row or column) with exactly one hidden figure has its smallest other figure
  hidden as well, until no line has one alone (secondary suppression: suppress_types,
  suppress_grid). Zero is
  shown as 0: it names no child, and a reader who sees "fewer than 5" then knows the
  figure is from 1 to 4, never 0.
- The one-line summary, in the partnership's own form.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from mettrack.core.clock import LONDON, MONTHS

DEFAULT_SUPPRESSION_THRESHOLD = 5
DEFAULT_TREND_QUARTERS = 4  # the quarters before the chosen one in the trend
MAX_TREND_QUARTERS = 20
EARLIEST_YEAR = 2000  # before any partnership kept a list in METtrack: a typing slip
LONGEST_PERIOD_DAYS = 366 * 5


def setting_problems(config) -> list[str]:
    """What is wrong with the statistics settings (config.validate names each)."""
    problems = []
    for name, default, low, high in (
        ("STATS_SUPPRESSION_THRESHOLD", DEFAULT_SUPPRESSION_THRESHOLD, 1, 100),
        ("STATS_TREND_QUARTERS", DEFAULT_TREND_QUARTERS, 0, MAX_TREND_QUARTERS),
    ):
        value = config.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            problems.append(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return problems


_QUARTER = re.compile(r"(\d{4})-?Q([1-4])", re.ASCII | re.IGNORECASE)


# --- quarters and periods -----------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1: January - March ... 4: October - December

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    @property
    def label(self) -> str:
        """July - September 2022"""
        return f"{MONTHS[3 * self.number - 3]} - {MONTHS[3 * self.number - 1]} {self.year}"

    @property
    def short_label(self) -> str:
        """Jul - Sep 2022: for a table's rows and a chart's axis."""
        return f"{MONTHS[3 * self.number - 3][:3]} - {MONTHS[3 * self.number - 1][:3]} {self.year}"

    @property
    def chart_label(self) -> str:
        """Short enough for a chart's axis, on two lines: "Jul - Sep" over "2022"."""
        return self.short_label.replace(f" {self.year}", f"\n{self.year}")

    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def period(self) -> "Period":
        return Period(self.start, self.end, self)


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def parse_quarter(text: str) -> Quarter | None:
    """'2022-Q3' (or '2022Q3', 'q' in either case); None for anything else."""
    match = _QUARTER.fullmatch((text or "").strip())
    return Quarter(int(match.group(1)), int(match.group(2))) if match else None


def previous_quarters(quarter: Quarter, count: int) -> list[Quarter]:
    """The `count` quarters before `quarter`, oldest first."""
    found = []
    q = quarter
    for _ in range(count):
        q = q.previous()
        found.append(q)
    return found[::-1]


def quarters_before(period: "Period", count: int) -> list[Quarter]:
    """The `count` whole quarters before the quarter in which `period` starts, oldest
    first: they never overlap the period, whether it is a quarter or a range."""
    return previous_quarters(quarter_of(period.start), count)


def trend_quarters(config) -> int:
    """How many quarters before the chosen period a trend shows (STATS_TREND_QUARTERS)."""
    return int(config.get("STATS_TREND_QUARTERS", DEFAULT_TREND_QUARTERS))


def last_complete_quarter(today: date) -> Quarter:
    """The report a board asks for: the last quarter that has ended."""
    return quarter_of(today).previous()


def _day_label(day: date, *, short: bool = False) -> str:
    month = MONTHS[day.month - 1]
    return f"{day.day} {month[:3] if short else month} {day.year}"


def london_midnight(day: date) -> datetime:
    """The first moment of `day` in the partnership's calendar, in UTC."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included
    quarter: Quarter | None = None

    @property
    def label(self) -> str:
        if self.quarter is not None:
            return self.quarter.label
        if self.start == self.end:
            return _day_label(self.start)
        return f"{_day_label(self.start)} - {_day_label(self.end)}"

    @property
    def short_label(self) -> str:
        """Jul - Sep 2022, or a range's 1 Aug 2022 - 31 Aug 2022: for a table's rows."""
        if self.quarter is not None:
            return self.quarter.short_label
        if self.start == self.end:
            return _day_label(self.start, short=True)
        return f"{_day_label(self.start, short=True)} - {_day_label(self.end, short=True)}"

    @property
    def chart_label(self) -> str:
        """Short enough for a chart's axis, on two lines: "Jul - Sep\\n2022", or a range's
        "1 Aug 2022 -\\n31 Aug 2022"."""
        if self.quarter is not None:
            return self.quarter.chart_label
        return self.short_label.replace(" - ", " -\n", 1)

    @property
    def key(self) -> str:
        """For file names and the audit row: no personal data, only dates."""
        return self.quarter.key if self.quarter else f"{self.start.isoformat()}_to_{self.end.isoformat()}"

    @property
    def query(self) -> dict[str, str]:
        """The period as the chooser's query parameters (a page's address: dates only)."""
        if self.quarter is not None:
            return {"quarter": self.quarter.key}
        return {
            f"{name}-{part}": str(getattr(day, part))
            for name, day in (("from", self.start), ("to", self.end))
            for part in ("day", "month", "year")
        }

    @property
    def starts_at(self) -> datetime:
        """The first moment of the period, in UTC (midnight in London)."""
        return london_midnight(self.start)

    @property
    def ends_before(self) -> datetime:
        """The first moment after the period, in UTC: a moment counts when it is before it."""
        return london_midnight(self.end + timedelta(days=1))

    @property
    def trend_anchor(self) -> Quarter:
        """The quarter the trend counts back from: the chosen quarter, or the one the range ends in."""
        return self.quarter or quarter_of(self.end)


FIELD_LABELS = {
    "quarter": "Quarter",
    "from": "Start of the period",
    "to": "End of the period",
}


def choose_period(
    quarter: str | None, start: date | None, end: date | None, today: date
) -> tuple[Period | None, dict[str, str]]:
    """The period a page or the API asks for: a date range when either end is given
    (both are then needed), else the quarter (default: the last complete one).
    Returns (period, {field: message}); the dates arrive parsed (core/form_input.py
    names a date that is not one)."""
    errors: dict[str, str] = {}
    if start is not None or end is not None:
        if start is None:
            errors["from"] = "Enter the start of the period, or leave both dates blank to choose a quarter"
        if end is None:
            errors["to"] = "Enter the end of the period, or leave both dates blank to choose a quarter"
        if errors:
            return None, errors
        if start.year < EARLIEST_YEAR:
            errors["from"] = f"Start of the period must be in {EARLIEST_YEAR} or later"
        if end > today:
            errors["to"] = "End of the period must be today or in the past"
        elif end < start:
            errors["to"] = "End of the period must be the same as or after the start"
        elif (end - start).days > LONGEST_PERIOD_DAYS:
            errors["to"] = "The period can be at most 5 years long"
        return (None, errors) if errors else (Period(start, end), {})
    if quarter is None or not str(quarter).strip():
        return last_complete_quarter(today).period, {}
    chosen = parse_quarter(str(quarter))
    if chosen is None:
        return None, {"quarter": "Quarter must be written like 2022-Q3 (Q1 is January - March)"}
    if chosen.year < EARLIEST_YEAR:
        return None, {"quarter": f"Quarter must be in {EARLIEST_YEAR} or later"}
    if chosen.start > today:
        return None, {"quarter": "Quarter must have started: it cannot be in the future"}
    return chosen.period, {}


def quarter_choices(today: date, count: int = 12) -> list[Quarter]:
    """The quarters a page offers, newest first (the current, unfinished one included)."""
    q = quarter_of(today)
    found = [q]
    for _ in range(count - 1):
        q = q.previous()
        found.append(q)
    return found


# --- ages ---------------------------------------------------------------------------------


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years on `day`. A child born on 29 February is a year older on 1 March in a
    common year (as UK law counts it)."""
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def born_on_or_before(day: date, years: int) -> date:
    """The latest date of birth of someone at least `years` old on `day`."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February, in a common year
        return date(day.year - years, 2, 28)


@dataclass(frozen=True)
class AgeBand:
    key: str
    label: str
    youngest: int  # years, included
    oldest: int | None  # years, included; None: no upper limit


AGE_BANDS = (
    AgeBand("under_10", "Under 10", 0, 9),
    AgeBand("10_12", "10 to 12", 10, 12),
    AgeBand("13_15", "13 to 15", 13, 15),
    AgeBand("16_17", "16 to 17", 16, 17),
    AgeBand("18_plus", "18 and over", 18, None),
)
NOT_RECORDED = "not_recorded"
NOT_RECORDED_LABEL = "Not recorded"


def age_band(age: int | None) -> str:
    if age is None:
        return NOT_RECORDED
    for band in AGE_BANDS:
        if band.oldest is None or age <= band.oldest:
            return band.key
    return AGE_BANDS[-1].key


def band_limits(end: date) -> list[tuple[str, date | None]]:
    """Each band, youngest first, with the date of birth a child must be born AFTER to
    be in it or a younger band (None for the last): a child is in the first band whose
    date it is born after. What the SQL CASE reads."""
    limits = []
    for band in AGE_BANDS:
        after = born_on_or_before(end, band.oldest + 1) if band.oldest is not None else None
        limits.append((band.key, after))
    return limits


def age_band_labels() -> dict[str, str]:
    return {band.key: band.label for band in AGE_BANDS} | {NOT_RECORDED: NOT_RECORDED_LABEL}


# --- gender and ethnicity (free text on the child's record) ------------------------------

_GENDERS = {
    "female": ("female", "f", "girl", "woman"),
    "male": ("male", "m", "boy", "man"),
}
GENDER_LABELS = {"female": "Female", "male": "Male", NOT_RECORDED: NOT_RECORDED_LABEL}


def gender_key(value: str | None) -> str:
    """The group a recorded gender counts in: female, male, not recorded, or the words
    as written (lower case), for any other gender a record gives."""
    text = " ".join((value or "").split()).lower()
    if not text:
        return NOT_RECORDED
    for key, spellings in _GENDERS.items():
        if text in spellings:
            return key
    return text


def gender_label(key: str) -> str:
    return GENDER_LABELS.get(key, key[:1].upper() + key[1:])


def text_key(value: str | None) -> str:
    """Ethnicity and other free text, grouped regardless of case and spacing."""
    text = " ".join((value or "").split())
    return text.casefold() if text else NOT_RECORDED


# --- small-number suppression -------------------------------------------------------------

PRIMARY = "fewer_than_threshold"
SECONDARY = "secondary"
SUPPRESSED = "suppressed"  # what a figure hidden by secondary suppression shows


@dataclass(frozen=True)
class Figure:
    """A count as published: `count` None when suppressed, `text` what is shown."""

    count: int | None
    text: str
    suppressed: str | None = None  # PRIMARY, SECONDARY or None

    def __str__(self) -> str:
        return self.text


def fewer_than(threshold: int) -> str:
    return f"fewer than {threshold}"


def shown(count: int) -> Figure:
    return Figure(count, str(count))


def suppress_one(count: int, threshold: int) -> Figure:
    """A figure standing alone (no total it adds up to): hidden if from 1 to threshold - 1."""
    if 0 < count < threshold:
        return Figure(None, fewer_than(threshold), PRIMARY)
    return shown(count)


def suppress(counts: Sequence[int], threshold: int, *, adds_up: bool = True) -> list[Figure]:
    """Publishable figures for one table's counts, in the same order.

    Primary: every count from 1 to threshold - 1 is "fewer than N". Secondary, for a
    table whose counts add up to a total shown elsewhere (`adds_up`): if exactly one
    count is hidden, the smallest other non-zero count is hidden as well ("suppressed"),
    the first of equals, so the hidden one cannot be worked out as the total less the
    rest. Zeros stay 0 and are never chosen: hiding a 0 protects nothing once zeros are
    always shown. Counts that do not add up to a total (flags, places of harm: a child
    may have several or none) need primary suppression only (`adds_up=False`)."""
    if threshold <= 1:
        return [shown(c) for c in counts]
    hidden = [0 < c < threshold for c in counts]
    if adds_up and sum(hidden) == 1:
        candidates = [(c, i) for i, c in enumerate(counts) if c > 0 and not hidden[i]]
        if candidates:
            _, index = min(candidates)
            figures = [suppress_one(c, threshold) for c in counts]
            figures[index] = Figure(None, SUPPRESSED, SECONDARY)
            return figures
    return [suppress_one(c, threshold) for c in counts]


def _secondary() -> Figure:
    return Figure(None, SUPPRESSED, SECONDARY)


def _protect(line: list, figures: dict, counts: dict, fixed_hidden: int = 0, protectable=None) -> bool:
    """One line of cells tied by a sum (a row, or a column with its total): if exactly one
    is hidden (`fixed_hidden` counts a hidden total that is not in `line`), hide the
    smallest other non-zero figure shown (the first of equals), preferring one whose own
    column can then be protected in turn (`protectable`). True if it hid one."""
    hidden = fixed_hidden + sum(figures[cell].count is None for cell in line)
    if hidden != 1:
        return False
    candidates = [
        (not (protectable is None or protectable(cell)), counts[cell], n, cell)
        for n, cell in enumerate(line)
        if counts[cell] > 0 and figures[cell].count is not None
    ]
    if not candidates:
        return False
    figures[min(candidates)[-1]] = _secondary()
    return True


def suppress_grid(
    counts: Sequence[Sequence[int]],
    threshold: int,
    *,
    columns_add_up: bool = True,
    totals: Sequence[Figure] | None = None,
) -> list[list[Figure]]:
    """Publishable figures for a table's rows (one count per column: each type, then all
    children), in the same order.

    Primary: every count from 1 to threshold - 1 is "fewer than N". Secondary, so that no
    hidden figure can be worked out from the figures shown beside it: in each ROW (all =
    each type added up, less the children in more than one) and, for a table whose rows add
    up to its column totals (`columns_add_up`), in each COLUMN (with its total, `totals`:
    one figure per column, which counts as hidden if it is), when exactly one figure is
    hidden the smallest other non-zero figure of that line is hidden as well
    ("suppressed"); then the lines are checked again, until none has exactly one hidden.
    Zeros stay 0 and are never chosen. A total is never hidden here (the type totals
    are decided once, in the types table: suppress_types)."""
    if threshold <= 1:
        return [[shown(c) for c in row] for row in counts]
    grid = {(r, c): count for r, row in enumerate(counts) for c, count in enumerate(row)}
    figures = {cell: suppress_one(count, threshold) for cell, count in grid.items()}
    rows = [[(r, c) for c in range(len(row))] for r, row in enumerate(counts)]
    width = max((len(row) for row in counts), default=0)
    columns = [[(r, c) for r in range(len(counts)) if (r, c) in grid] for c in range(width)]

    def total_hidden(c: int) -> int:
        return int(totals is not None and c < len(totals) and totals[c].count is None)

    def protectable(cell: tuple[int, int]) -> bool:
        """Hiding `cell` leaves its column with two hidden, or one more to hide."""
        if not columns_add_up:
            return True
        others = [o for o in columns[cell[1]] if o != cell]
        return bool(total_hidden(cell[1]) or any(figures[o].count is None or grid[o] > 0 for o in others))

    changed = True
    while changed:
        changed = False
        for row in rows:
            changed |= _protect(row, figures, grid, protectable=protectable)
        if columns_add_up:
            for c, column in enumerate(columns):
                changed |= _protect(column, figures, grid, total_hidden(c))
    return [[figures[cell] for cell in row] for row in rows]


def suppress_types(type_counts: Sequence[int], both: int, total: int, threshold: int) -> list[Figure]:
    """The types table: each type's children, those in more than one type, and all
    children (all = the types added up, less those in more than one), in that order.
    Primary suppression, then, if exactly one of them is hidden, one more: the figure of
    the children in more than one type if it is not 0 (no other table adds up to it), else
    the smallest other type total. A type total hidden here is hidden in every table's
    total row, and each table then hides a figure in that column (suppress_grid)."""
    counts = [*type_counts, both, total]
    if threshold <= 1:
        return [shown(c) for c in counts]
    figures = [suppress_one(c, threshold) for c in counts]
    if sum(f.count is None for f in figures) == 1:
        more = len(type_counts)
        if both > 0 and figures[more].count is not None:
            figures[more] = _secondary()
        else:
            line = {i: figures[i] for i in range(len(counts))}
            _protect(list(range(len(counts))), line, dict(enumerate(counts)))
            figures = [line[i] for i in range(len(counts))]
    return figures


# --- the one-line summary -----------------------------------------------------------------


@dataclass(frozen=True)
class TypeSummary:
    code: str  # cse, cce
    count: int
    youngest: int | None
    oldest: int | None
    genders: tuple[tuple[str, int], ...]  # (gender key, children)
    count_text: str | None = None  # what to print for the count (a suppressed figure), default the number
    gender_texts: tuple[str, ...] | None = None  # the same, for each gender


def _ages(youngest: int | None, oldest: int | None) -> str | None:
    if youngest is None or oldest is None:
        return None
    return f"aged {youngest}" if youngest == oldest else f"aged {youngest}-{oldest}"


def _gender_words(key: str) -> str:
    return "gender not recorded" if key == NOT_RECORDED else gender_label(key).lower()


def type_phrase(summary: TypeSummary) -> str:
    """'135 CCE (aged 10-18; 122 male, 13 female)': genders largest first."""
    texts = summary.gender_texts or tuple(str(n) for _, n in summary.genders)
    genders = sorted(zip(summary.genders, texts, strict=True), key=lambda pair: (-pair[0][1], pair[0][0]))
    parts = [_ages(summary.youngest, summary.oldest)]
    gender_part = ", ".join(
        f"{_gender_words(key)} {text}" if text == SUPPRESSED else f"{text} {_gender_words(key)}"
        for (key, n), text in genders
        if n
    )
    parts.append(gender_part or None)
    inside = "; ".join(p for p in parts if p)
    count = summary.count_text or str(summary.count)
    head = f"{summary.code.upper()} {count}" if count == SUPPRESSED else f"{count} {summary.code.upper()}"
    return head + (f" ({inside})" if inside else "")


def summary_line(
    total: int, period_label: str, types: Iterable[TypeSummary], total_text: str | None = None
) -> str:
    """'195 children on the exploitation list July - September 2022: 135 CCE (aged 10-18;
    122 male, 13 female), 60 CSE (aged 10-18; 56 female, 4 male)': types largest first,
    a type with no child left out."""
    if total == 0:
        return f"No children on the exploitation list {period_label}"
    noun = "child" if total == 1 and not total_text else "children"
    listed = sorted((t for t in types if t.count), key=lambda t: (-t.count, t.code))
    head = f"{total_text or total} {noun} on the exploitation list {period_label}"
    return head + (": " + ", ".join(type_phrase(t) for t in listed) if listed else "")
