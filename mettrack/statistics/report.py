"""The quarterly exploitation-list report (docs/statistics.md): one use case that the
page, the CSV and PDF downloads, the API and the analyst's home call.

Who: the analyst and the MET chair (Perm.STATS_VIEW; anyone else 403, audited). It
returns plain data (counts, labels, the summary line), never a name, a case id or a
date of birth. A read: it writes one audit row (the period, the format, whether marked
for publication) and commits nothing else.

`publication`: every table's figures pass through small-number suppression. The types
table first (rules.suppress_types: each type, the children in more than one, all
children); its totals are then shown alike in every table's total row. Each table's rows
(all = the types, less the children in more than one) and, where the rows add up to the
column's total (gender, age, ethnicity, risk level, police tier, state, exit reasons),
its columns are protected together (rules.suppress_grid), so no hidden figure can be
worked out from the figures of its row or column; flags, places of harm, added and
closed and the trend have no total their rows add up to, so only their rows are
protected. For publication no ages are given for a type whose number is hidden.
Otherwise every figure is shown as it is.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from mettrack.core import audit, permissions
from mettrack.core.choices import (
    CaseFlag,
    CaseState,
    ExploitationType,
    HarmLocation,
    ReferenceKind,
    RiskLevel,
)
from mettrack.core.clock import now, today
from mettrack.core.errors import ValidationError
from mettrack.core.form_input import date_parts, date_value
from mettrack.core.permissions import Perm
from mettrack.core.unit_of_work import unit_of_work
from mettrack.statistics import queries, rules
from mettrack.statistics.queries import ALL
from mettrack.statistics.rules import NOT_RECORDED, Figure, Period, TypeSummary

ACTION = "statistics.report_viewed"
FORMATS = ("page", "csv", "pdf", "api", "home")
ALL_LABEL = "All children"
MORE_THAN_ONE = "more_than_one"  # the types table's row of the children in more than one type


@dataclass(frozen=True)
class Column:
    key: str  # an exploitation type's code, or "all"
    label: str  # CSE, CCE, All children


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Figure, ...]  # one per column


@dataclass(frozen=True)
class Table:
    key: str  # the table's id on the page, and the key of its chart (charts[key])
    title: str
    rows: tuple[Row, ...]
    note: str | None = None
    total: Row | None = None  # the column totals, for a table whose rows add up to them


@dataclass(frozen=True)
class TrendRow:
    key: str  # 2022-Q3
    label: str  # July - September 2022
    cells: tuple[Figure, ...]  # one per column: children on the list
    added: Figure
    closed: Figure
    chart_label: str = ""  # Jul - Sep, then 2022 on a second line: a chart's axis


@dataclass(frozen=True)
class Report:
    period: Period
    columns: tuple[Column, ...]
    summary: str
    publication: bool
    threshold: int
    made_at: datetime
    tables: tuple[Table, ...] = ()
    trend: tuple[TrendRow, ...] = ()
    ages: dict = field(default_factory=dict)  # column key -> (youngest, oldest)

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


def threshold() -> int:
    return int(current_app.config.get("STATS_SUPPRESSION_THRESHOLD", rules.DEFAULT_SUPPRESSION_THRESHOLD))


def trend_quarters() -> int:
    return rules.trend_quarters(current_app.config)


def columns() -> tuple[Column, ...]:
    return (*(Column(t.value, t.value.upper()) for t in ExploitationType), Column(ALL, ALL_LABEL))


class _Builder:
    def __init__(self, publication: bool, limit: int):
        self.publication = publication
        self.limit = limit
        self.columns = columns()

    def column_figures(self, counts: list[int], *, adds_up: bool) -> list[Figure]:
        if not self.publication:
            return [rules.shown(c) for c in counts]
        return rules.suppress(counts, self.limit, adds_up=adds_up)

    def one(self, count: int) -> Figure:
        return rules.suppress_one(count, self.limit) if self.publication else rules.shown(count)

    def table(
        self,
        key: str,
        title: str,
        counts: queries.Counts,
        order: list[tuple[str, str]],
        *,
        adds_up: bool,
        totals: dict[str, int] | None = None,
        total_figures: dict[str, Figure] | None = None,
        note: str | None = None,
    ) -> Table:
        """Rows in `order` ((key, label) pairs), suppressed together (rules.suppress_grid):
        each row (all = the types less the children in more than one) and, when the rows
        add up to the column totals, each column with its total. `total_figures`: the
        totals as published (the types table's), for the total row."""
        grid = [[counts.get(c.key, {}).get(k, 0) for c in self.columns] for k, _ in order]
        total = None
        if totals is not None:
            figures = total_figures or {}
            total = Row(
                "total",
                "Total",
                tuple(figures.get(c.key) or self.one(totals.get(c.key, 0)) for c in self.columns),
            )
        if self.publication:
            cells = rules.suppress_grid(
                grid, self.limit, columns_add_up=adds_up, totals=total.cells if total else None
            )
        else:
            cells = [[rules.shown(n) for n in row] for row in grid]
        rows = tuple(Row(k, label, tuple(cells[i])) for i, (k, label) in enumerate(order))
        return Table(key, title, rows, note, total)

    def line(self, counts: list[int]) -> tuple[Figure, ...]:
        """One row of figures with no total to add up to (added, closed, a trend's
        quarter): each type and all children, protected against each other."""
        if not self.publication:
            return tuple(rules.shown(n) for n in counts)
        return tuple(rules.suppress_grid([counts], self.limit, columns_add_up=False)[0])


def _with_others(known: list[tuple[str, str]], counts: queries.Counts, label_of, *, last=()) -> list:
    """The known keys in order, then any other key found (by the whole list's count),
    then `last` (not recorded) if found."""
    seen = {k for by_key in counts.values() for k in by_key}
    known_keys = {k for k, _ in known}
    tail_keys = {k for k, _ in last}
    others = sorted(
        (k for k in seen if k not in known_keys and k not in tail_keys),
        key=lambda k: (-counts.get(ALL, {}).get(k, 0), k),
    )
    return [*known, *((k, label_of(k)) for k in others), *((k, lbl) for k, lbl in last if k in seen)]


def _type_figures(b: _Builder, totals: dict[str, int], both: int) -> dict[str, Figure]:
    """Each type's total, the children in more than one type ("more_than_one") and all
    children, as published: decided once (rules.suppress_types) and shown alike in the
    types table, every table's total row and the summary."""
    type_keys = [c.key for c in b.columns if c.key != ALL]
    counts = [totals.get(k, 0) for k in type_keys]
    if b.publication:
        figures = rules.suppress_types(counts, both, totals.get(ALL, 0), b.limit)
    else:
        figures = [rules.shown(n) for n in (*counts, both, totals.get(ALL, 0))]
    return dict(zip([*type_keys, MORE_THAN_ONE, ALL], figures, strict=True))


def _types_table(b: _Builder, figures: dict[str, Figure]) -> Table:
    """The type totals are the figures every other table adds up to: one hidden here
    (small, or so that another cannot be worked out) is hidden in every table's total row
    alike, and each table hides a figure in its column too (rules.suppress_grid)."""
    type_keys = [c.key for c in b.columns if c.key != ALL]
    rows = [Row(k, ExploitationType(k).label, (figures[k],)) for k in type_keys]
    rows.append(Row(MORE_THAN_ONE, "In more than one type (counted in each)", (figures[MORE_THAN_ONE],)))
    total = Row("total", "Children on the list (each counted once)", (figures[ALL],))
    return Table(
        "types",
        "Children on the list by exploitation type",
        tuple(rows),
        "A child exploited in more than one way is counted once in each type and once in the total.",
        total,
    )


def _gender_table(b: _Builder, parts, totals: dict[str, int], type_figures: dict[str, Figure]) -> Table:
    not_recorded = [(NOT_RECORDED, rules.NOT_RECORDED_LABEL)]
    return b.table(
        "gender",
        "By gender",
        parts["gender"],
        _with_others(
            [("female", "Female"), ("male", "Male")],
            parts["gender"],
            rules.gender_label,
            last=not_recorded,
        ),
        adds_up=True,
        totals=totals,
        total_figures=type_figures,
    )


def _suppressed(figure: Figure | None) -> bool:
    return figure is not None and figure.count is None


def _published_ages(ages, type_figures: dict[str, Figure], publication: bool) -> dict:
    """Column key -> (youngest, oldest); for publication none for a type whose number is
    hidden (a small group's ages name its children), nor for all children when any type's
    is (they would give that type's ages back)."""
    any_hidden = any(_suppressed(f) for k, f in type_figures.items() if k != MORE_THAN_ONE)
    return {
        k: (None, None)
        if publication and (_suppressed(type_figures.get(k)) or (k == ALL and any_hidden))
        else (a.youngest, a.oldest)
        for k, a in ages.items()
    }


def _summary(
    b: _Builder, period: Period, totals, ages, genders: queries.Counts, gender: Table, type_figures
) -> str:
    """The summary line, its gender figures read from the gender table's cells (so the
    two hide the same ones); no ages for a type whose number is hidden."""
    summaries = []
    for index, column in enumerate(b.columns):
        if column.key == ALL:
            continue
        raw = genders.get(column.key, {})
        counted = [(row.key, row.cells[index]) for row in gender.rows if raw.get(row.key, 0)]
        age = ages.get(column.key, queries.Ages(None, None))
        hidden = b.publication and _suppressed(type_figures.get(column.key))
        summaries.append(
            TypeSummary(
                column.key,
                totals.get(column.key, 0),
                None if hidden else age.youngest,
                None if hidden else age.oldest,
                tuple((key, raw[key]) for key, _ in counted),
                type_figures[column.key].text if b.publication else None,
                tuple(cell.text for _, cell in counted) if b.publication else None,
            )
        )
    total = totals.get(ALL, 0)
    total_text = type_figures[ALL].text if b.publication else None
    return rules.summary_line(total, period.label, summaries, total_text)


def _trend(b: _Builder, period: Period, quarters: int, chosen_figures=None) -> tuple[TrendRow, ...]:
    """`chosen_figures`: (cells, added, closed) of the chosen quarter as its tables publish
    them, so that the trend's row for it shows the same figures hidden (and it is not
    counted again)."""
    anchor = period.trend_anchor
    chosen = [*rules.previous_quarters(anchor, quarters), anchor]

    def known(quarter) -> bool:
        return quarter == anchor and bool(period.quarter) and chosen_figures is not None

    def shown(quarter) -> Period:
        return period if quarter == anchor and period.quarter else quarter.period

    counted = [q for q in chosen if not known(q)]
    counts = dict(zip(counted, queries.trend([shown(q) for q in counted]), strict=True))
    rows = []
    for quarter in chosen:
        if known(quarter):
            cells, added, closed_figure = chosen_figures
        else:
            found = counts[quarter]
            cells = b.line([found.totals.get(c.key, 0) for c in b.columns])
            added = b.one(found.added)
            closed_figure = b.one(found.closed)
        rows.append(TrendRow(quarter.key, quarter.label, cells, added, closed_figure, quarter.chart_label))
    return tuple(rows)


def _tables(
    b: _Builder, counts: queries.PeriodCounts, type_figures: dict[str, Figure], gender: Table
) -> tuple[Table, ...]:
    totals, parts = counts.totals, counts.parts
    tier_labels = queries.reference_labels(ReferenceKind.POLICE_TIER)
    exit_labels = queries.reference_labels(ReferenceKind.EXIT_REASON)
    ethnicities = counts.ethnicity_labels
    not_recorded = [(NOT_RECORDED, rules.NOT_RECORDED_LABEL)]
    ages = rules.age_band_labels()
    age_order = [(band.key, band.label) for band in rules.AGE_BANDS]
    if any(NOT_RECORDED in by_key for by_key in parts["age"].values()):
        age_order.append((NOT_RECORDED, ages[NOT_RECORDED]))
    added = counts.added
    closed = parts["closed"]
    closed_totals = {k: sum(v.values()) for k, v in closed.items()}
    flags = parts["flags"]
    harm = parts["harm"]
    added_figures = b.line([added.get(c.key, 0) for c in b.columns])
    closed_figures = b.line([closed_totals.get(c.key, 0) for c in b.columns])
    closed_by_key = {c.key: f for c, f in zip(b.columns, closed_figures, strict=True)}
    return (
        _types_table(b, type_figures),
        gender,
        b.table(
            "age",
            "By age at the end of the period",
            parts["age"],
            age_order,
            adds_up=True,
            totals=totals,
            total_figures=type_figures,
        ),
        b.table(
            "ethnicity",
            "By ethnicity",
            parts["ethnicity"],
            _with_others([], parts["ethnicity"], lambda k: ethnicities.get(k, k), last=not_recorded),
            adds_up=True,
            totals=totals,
            total_figures=type_figures,
            note=(
                "As written on each child's record; spellings that differ only in capitals or "
                "spaces are counted together."
            ),
        ),
        b.table(
            "risk",
            "By risk level",
            parts["risk"],
            [(r.value, r.label) for r in reversed(RiskLevel)] + [(NOT_RECORDED, "Not rated")],
            adds_up=True,
            totals=totals,
            total_figures=type_figures,
            note="The risk level recorded on the case when the report was made.",
        ),
        b.table(
            "tier",
            "By police tier",
            parts["tier"],
            _with_others(
                list(tier_labels.items()), parts["tier"], lambda k: k, last=[(NOT_RECORDED, "No police tier")]
            ),
            adds_up=True,
            totals=totals,
            total_figures=type_figures,
            note="The police tier recorded on the case when the report was made.",
        ),
        b.table(
            "state",
            "By state at the end of the period",
            parts["state"],
            [(s.value, s.label) for s in CaseState],
            adds_up=True,
            totals=totals,
            total_figures=type_figures,
        ),
        b.table(
            "flags",
            "By flag",
            flags,
            [(f.value, f.label) for f in CaseFlag],
            adds_up=False,
            note="A child may have several flags or none, so these do not add up to the total.",
        ),
        b.table(
            "harm",
            "By place of harm",
            harm,
            [(h.value, h.label) for h in HarmLocation],
            adds_up=False,
            note="A child may have been harmed in several places, or none may be recorded.",
        ),
        Table(
            "added_closed",
            "Added to and closed on the list in the period",
            (
                Row("added", "Added (case opened in the period)", added_figures),
                Row("closed", "Closed in the period", closed_figures),
            ),
        ),
        b.table(
            "exit_reasons",
            "Closed in the period, by exit reason",
            closed,
            _with_others(list(exit_labels.items()), closed, lambda k: k, last=not_recorded),
            adds_up=True,
            totals=closed_totals,
            total_figures=closed_by_key,
        ),
    )


_YES = {"yes", "true", "on", "1"}
_NO = {"no", "false", "off", "0", ""}


def parse_period(quarter, start, end, on=None) -> Period:
    """The period asked for: `quarter` like 2022-Q3, or `start` and `end` dates (ISO
    strings, date objects or a date input's (day, month, year) parts), which win when
    either is given; neither: the last complete quarter. ValidationError names the
    field (quarter, from, to)."""
    errors: dict[str, str] = {}
    first = date_value(start, "from", rules.FIELD_LABELS["from"], errors)
    last = date_value(end, "to", rules.FIELD_LABELS["to"], errors)
    if errors:
        raise ValidationError(errors)
    period, errors = rules.choose_period(quarter, first, last, on or today())
    if errors:
        raise ValidationError(errors)
    return period


def period_asked(args: Mapping, on=None) -> Period:
    """The period a page's address asks for, as the period chooser (statistics/_period.html)
    sends it: `quarter`, or `from-day`, `from-month`, `from-year` and the same for `to`.
    ValidationError names the field, as parse_period."""
    return parse_period(args.get("quarter"), date_parts(args, "from"), date_parts(args, "to"), on)


def chooser(values: Mapping, period: Period | None, errors: Mapping) -> dict:
    """What the period chooser shows (statistics/_period.html): the quarters it offers
    (with the chosen one, should it be older), the one chosen, what was typed, and
    whether the dates are open."""
    chosen = str(values.get("quarter") or "").strip() or (
        period.quarter.key if period is not None and period.quarter else ""
    )
    choices = [(q.key, q.label) for q in rules.quarter_choices(today())]
    if chosen and chosen not in {key for key, _ in choices}:
        known = rules.parse_quarter(chosen)
        choices.append((chosen, known.label if known else chosen))
    return {
        "quarter_choices": choices,
        "chosen_quarter": chosen,
        "typed": values,
        "errors": errors,
        "dates_open": bool(errors.get("from") or errors.get("to") or values.get("from-day")),
    }


def parse_publication(value) -> bool:
    """'yes' (or true, on, 1): the figures are suppressed for publication."""
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValidationError({"publication": "For publication must be yes or no"})


def build_report(
    user,
    period: Period,
    *,
    publication: bool = False,
    output: str = "page",
    summary_only: bool = False,
    quarters: int | None = None,
) -> Report:
    """Who: the analyst and the MET chair (Perm.STATS_VIEW; NotAllowed, audited, otherwise).
    The report for `period`; `output` (page, csv, pdf, api, home) is named in the audit
    row. `summary_only`: the summary line alone (the analyst's home). `quarters`: the
    quarters before the chosen one in the trend (default STATS_TREND_QUARTERS)."""
    permissions.require(user, Perm.STATS_VIEW, ACTION)
    b = _Builder(publication, threshold())
    counts = queries.figures(period, ("gender",) if summary_only else None)
    totals, both, ages, parts = counts.totals, counts.in_more_than_one_type, counts.ages, counts.parts
    type_figures = _type_figures(b, totals, both)
    gender = _gender_table(b, parts, totals, type_figures)
    summary = _summary(b, period, totals, ages, parts["gender"], gender, type_figures)
    tables: tuple[Table, ...] = ()
    trend: tuple[TrendRow, ...] = ()
    if not summary_only:
        tables = _tables(b, counts, type_figures, gender)
        added_closed = next(t for t in tables if t.key == "added_closed")
        chosen = (
            tuple(type_figures[c.key] for c in b.columns),
            added_closed.rows[0].cells[-1],
            added_closed.rows[1].cells[-1],
        )
        trend = _trend(b, period, trend_quarters() if quarters is None else quarters, chosen)
    with unit_of_work():
        audit.record(
            ACTION,
            "statistics",
            detail={
                "period": period.key,
                "output": output,
                "publication": publication,
            },
            actor=user,
        )
    return Report(
        period=period,
        columns=b.columns,
        summary=summary,
        publication=publication,
        threshold=b.limit,
        made_at=now(),
        tables=tables,
        trend=trend,
        ages=_published_ages(ages, type_figures, publication),
    )


def current_summary(user) -> Report:
    """The analyst's home: the last complete quarter's summary line (audited as above)."""
    return build_report(user, rules.last_complete_quarter(today()).period, output="home", summary_only=True)
