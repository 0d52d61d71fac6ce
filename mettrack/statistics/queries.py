"""The exploitation list's figures, counted by the database (GROUP BY): no case is loaded
into Python to be counted, and no name, case id or date of birth leaves this module.

"On the list in the period" (docs/statistics.md): a case with an exploitation type that
was open at any point in it: opened on or before its last day, and not closed, or closed
on or after its first day. Days are the partnership's (Europe/London): the period runs
from midnight London time on its first day to midnight after its last, in UTC.

Each child counts once per type (by the child's latest case on the list in the period,
should there be two) and once in the whole list, under the type "all": `listed` is one
CTE of (type, child, case) rows, the per-type rows and the "all" rows together, so each
breakdown is a GROUP BY giving each type's column and the total's. The chosen period's
figures are one statement (`figures`: the cases on the list worked out once, not once per
table) and the trend's quarters one more (`trend`): at 100,000 cases the 35 statements
that worked the list out again for each table took seconds.

Types, flags, places of harm, risk level and police tier are as the case records them
when the report is made; the state is the one the case was in at the end of the period
(its last recorded move by then).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Date, String, and_, distinct, func, literal, or_, select, union_all
from sqlalchemy import case as sql_case
from sqlalchemy.orm import aliased

from mettrack.cases.models import Case, CaseEvent, CaseTag
from mettrack.children.models import Child
from mettrack.core.choices import CaseTagKind, ReferenceKind
from mettrack.core.extensions import db
from mettrack.reference.models import ReferenceItem
from mettrack.statistics import rules
from mettrack.statistics.rules import NOT_RECORDED, Period

ALL = "all"  # the type column's value for the whole list (each child once)

Counts = dict[str, dict[str, int]]  # type (or ALL) -> key -> children


def moments(period: Period) -> tuple[datetime, datetime]:
    """The period as UTC moments: [start, end), midnight London time to midnight."""
    return period.starts_at, period.ends_before


def _on_list(opened, closed, start: datetime, end: datetime):
    """Open at any point in [start, end): `opened` and `closed` are a case's moments."""
    return and_(opened < end, or_(closed.is_(None), closed >= start))


def _between(moment, start: datetime, end: datetime):
    return and_(moment >= start, moment < end)


def _merged(counts: Counts, key_of) -> Counts:
    """Groups of free text merged by `key_of` (sums of counts, never rows of cases)."""
    merged: Counts = {}
    for type_, by_key in counts.items():
        for value, count in by_key.items():
            key = key_of(None if value == NOT_RECORDED else value)
            merged.setdefault(type_, {})
            merged[type_][key] = merged[type_].get(key, 0) + count
    return merged


@dataclass(frozen=True)
class Ages:
    youngest: int | None
    oldest: int | None


@dataclass
class PeriodCounts:
    """Everything the report counts for one period (`figures`)."""

    totals: dict[str, int] = field(default_factory=dict)  # children per type, and under ALL
    in_more_than_one_type: int = 0
    ages: dict[str, Ages] = field(default_factory=dict)
    # "gender", "age", "ethnicity", "risk", "tier", "state", "flags", "harm", and "closed"
    # (by exit reason): children per type and key
    parts: dict[str, Counts] = field(default_factory=dict)
    ethnicity_labels: dict[str, str] = field(default_factory=dict)
    added: dict[str, int] = field(default_factory=dict)  # children whose case was opened in it


def _age_band_key(end: date):
    whens = [(Child.date_of_birth.is_(None), literal(NOT_RECORDED))]
    last = None
    for key, born_after in rules.band_limits(end):
        if born_after is None:
            last = literal(key)
        else:
            whens.append((Child.date_of_birth > born_after, literal(key)))
    return sql_case(*whens, else_=last)


def _state_at(end: datetime):
    """The state the case was in at `end`: its last move before then (else its state now)."""
    then = (
        select(CaseEvent.to_state)
        .where(CaseEvent.case_id == Case.id, CaseEvent.occurred_at < end)
        .order_by(CaseEvent.occurred_at.desc(), CaseEvent.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    return func.coalesce(then, Case.state)


BREAKDOWNS = ("gender", "age", "ethnicity", "risk", "tier", "state")
PARTS = (*BREAKDOWNS, "flags", "harm", "added", "closed")
_TAG_KINDS = {"flags": CaseTagKind.FLAG, "harm": CaseTagKind.HARM_LOCATION}
_PART_OF_KIND = {kind.value: name for name, kind in _TAG_KINDS.items()}


def _keys(period: Period, wanted) -> dict:
    """The breakdowns' keys: expressions over Case and Child."""
    keys = {
        "gender": lambda: func.lower(func.trim(Child.gender)),
        "age": lambda: _age_band_key(period.end),
        "ethnicity": lambda: func.trim(Child.ethnicity),
        "risk": lambda: Case.risk_level,
        "tier": lambda: Case.police_tier,
        "state": lambda: _state_at(period.ends_before),
    }
    return {name: key() for name, key in keys.items() if name in wanted}


def _latest(typed, condition, name: str):
    """(type, child_id, case_id) rows of `typed`'s rows meeting `condition`: one per type
    and child (the child's latest such case), and one "all" row per child (the latest of
    them, so the rows of each type give it)."""
    per_type = (
        select(typed.c.type, typed.c.child_id, func.max(typed.c.case_id).label("case_id"))
        .where(condition)
        .group_by(typed.c.type, typed.c.child_id)
        .cte(f"{name}_by_type")
    )
    latest = func.max(per_type.c.case_id)
    whole = select(literal(ALL), per_type.c.child_id, latest).group_by(per_type.c.child_id)
    return per_type, union_all(select(per_type), whole).cte(name)


def figures(period: Period, only: tuple[str, ...] | None = None) -> PeriodCounts:
    """The period's totals, children in more than one type, ages and each of PARTS
    (`only`: just these of them), in one statement. The cases with an exploitation type
    are read once (the CTE `typed`), the cases on the list worked out once from them
    (`listed`, with each child's keys in `keyed`), and every table's counts are GROUP BYs
    over these, told apart by their first column."""
    wanted = PARTS if only is None else only
    start, end = moments(period)
    tag = aliased(CaseTag)
    joined = and_(tag.case_id == Case.id, tag.kind == CaseTagKind.EXPLOITATION_TYPE.value)
    read = [_on_list(Case.opened_at, Case.closed_at, start, end)]
    if "added" in wanted:
        read.append(_between(Case.opened_at, start, end))
    if "closed" in wanted:
        read.append(_between(Case.closed_at, start, end))
    typed = (
        select(
            tag.value.label("type"),
            Case.id.label("case_id"),
            Case.child_id.label("child_id"),
            Case.opened_at.label("opened_at"),
            Case.closed_at.label("closed_at"),
        )
        .join(tag, joined)
        .where(or_(*read))
        .cte("typed")
    )
    opened, closed_at = typed.c.opened_at, typed.c.closed_at
    per_type, listed = _latest(typed, _on_list(opened, closed_at, start, end), "listed")
    keys = _keys(period, wanted)
    # Each case's keys once, not once per row of `listed` (a child in two types has three
    # rows: the state is a look-up per case). PostgreSQL would fold a CTE read once into
    # `keyed`, and work the keys out for every row there.
    case_keys = (
        select(
            Case.id.label("case_id"),
            Child.date_of_birth.label("born"),
            *(k.label(n) for n, k in keys.items()),
        )
        .join(Child, Child.id == Case.child_id)
        .where(Case.id.in_(select(listed.c.case_id)))
        .cte("case_keys")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    keyed = (
        select(listed.c.type, listed.c.child_id, *case_keys.c)
        .join(case_keys, case_keys.c.case_id == listed.c.case_id)
        .cte("keyed")
    )

    def no_key():
        return literal(None, String)

    def counted(name, type_, key, *, source, group_by=(), count=None):
        no_dates = (literal(None, Date).label("earliest"), literal(None, Date).label("latest"))
        count = func.count() if count is None else count
        return (
            select(literal(name).label("part"), type_, key.label("key"), count, *no_dates)
            .select_from(source)
            .group_by(*group_by)
        )

    more_than_one = (
        select(per_type.c.child_id)
        .group_by(per_type.c.child_id)
        .having(func.count() > 1)
        .subquery("more_than_one")
    )
    branches = [
        select(
            literal("totals").label("part"),
            keyed.c.type.label("type"),
            no_key().label("key"),
            func.count().label("children"),
            func.min(keyed.c.born).label("earliest"),
            func.max(keyed.c.born).label("latest"),
        ).group_by(keyed.c.type),
        counted("more_than_one", literal(ALL), no_key(), source=more_than_one),
    ]
    for name in BREAKDOWNS:
        if name in wanted:
            key = keyed.c[name]
            branches.append(counted(name, keyed.c.type, key, source=keyed, group_by=(keyed.c.type, key)))
    kinds = [kind.value for name, kind in _TAG_KINDS.items() if name in wanted]
    if kinds:
        tag = aliased(CaseTag)
        tagged = keyed.join(tag, and_(tag.case_id == keyed.c.case_id, tag.kind.in_(kinds)))
        branches.append(
            select(tag.kind, keyed.c.type, tag.value, func.count(), literal(None, Date), literal(None, Date))
            .select_from(tagged)
            .group_by(tag.kind, keyed.c.type, tag.value)
        )
    if "added" in wanted:
        opened_in = _between(opened, start, end)
        children = func.count(distinct(typed.c.child_id))
        branches += [
            counted(
                "added", typed.c.type, no_key(), source=typed, group_by=(typed.c.type,), count=children
            ).where(opened_in),
            counted("added", literal(ALL), no_key(), source=typed, count=children).where(opened_in),
        ]
    if "closed" in wanted:
        _closed_by_type, closed = _latest(typed, _between(closed_at, start, end), "closed")
        joined = closed.join(Case, Case.id == closed.c.case_id)
        reason = Case.closure_reason
        branches.append(
            counted("closed", closed.c.type, reason, source=joined, group_by=(closed.c.type, reason))
        )

    result = PeriodCounts()
    raw: dict[str, Counts] = {name: {} for name in wanted if name != "added"}
    spellings: dict[str, int] = {}
    for part, type_, key, count, earliest, latest in db.session.execute(union_all(*branches)):
        part = _PART_OF_KIND.get(part, part)
        if part == "totals":
            result.totals[type_] = count
            result.ages[type_] = Ages(
                rules.age_on(latest, period.end) if latest else None,
                rules.age_on(earliest, period.end) if earliest else None,
            )
        elif part == "more_than_one":
            result.in_more_than_one_type = count
        elif part == "closed":
            raw[part].setdefault(type_, {})[key or NOT_RECORDED] = count
        elif part == "added":
            result.added[type_] = count
        elif part in _TAG_KINDS:
            raw[part].setdefault(type_, {})[key] = count
        else:
            raw[part].setdefault(type_, {})[key if key is not None else NOT_RECORDED] = count
            if part == "ethnicity" and type_ == ALL and key:
                spellings[key] = count
    if "gender" in raw:
        raw["gender"] = _merged(raw["gender"], rules.gender_key)
    if "ethnicity" in raw:
        raw["ethnicity"] = _merged(raw["ethnicity"], rules.text_key)
        result.ethnicity_labels = _labels(spellings)
    result.parts = raw
    return result


def _labels(spellings: dict[str, int]) -> dict[str, str]:
    """Each ethnicity group's label: the spelling most children's records use."""
    labels: dict[str, tuple[int, str]] = {}
    for text, count in spellings.items():
        key = rules.text_key(text)
        if key not in labels or count > labels[key][0]:
            labels[key] = (count, " ".join(text.split()))
    return {key: label for key, (_n, label) in labels.items()}


@dataclass(frozen=True)
class TrendCounts:
    totals: dict[str, int]  # children on the list per type, and under ALL
    added: int  # children whose case on the list was opened in the period
    closed: int  # children whose case on the list was closed in it


def trend(periods: list[Period]) -> list[TrendCounts]:
    """The trend's figures of each period, in one statement: one pass over the cases with
    an exploitation type, each period's children counted (each once) by a CASE of its own."""
    if not periods:
        return []

    def tests(opened, closed):  # on the list, added, closed: per period
        return [
            (_on_list(opened, closed, start, end), _between(opened, start, end), _between(closed, start, end))
            for start, end in map(moments, periods)
        ]

    tag = aliased(CaseTag)
    joined = and_(tag.case_id == Case.id, tag.kind == CaseTagKind.EXPLOITATION_TYPE.value)
    typed = (
        select(tag.value.label("type"), Case.child_id, Case.opened_at, Case.closed_at)
        .join(tag, joined)
        .where(or_(*(test for by_period in tests(Case.opened_at, Case.closed_at) for test in by_period)))
        .cte("typed")
    )

    def children(condition):
        return func.count(distinct(sql_case((condition, typed.c.child_id))))

    by_period = tests(typed.c.opened_at, typed.c.closed_at)
    on_list = [children(listed) for listed, _added, _closed in by_period]
    ends = [children(test) for _listed, *both in by_period for test in both]  # added, closed
    unused = [literal(0).label(f"unused_{i}") for i in range(len(ends))]
    per_type = select(typed.c.type, *on_list, *unused).group_by(typed.c.type)
    whole = select(literal(ALL), *on_list, *ends)
    n = len(periods)
    totals: list[dict[str, int]] = [{} for _ in periods]
    added_closed = [0] * (2 * n)
    for type_, *counts in db.session.execute(union_all(per_type, whole)):
        for i in range(n):
            totals[i][type_] = counts[i]
        if type_ == ALL:
            added_closed = counts[n:]
    return [TrendCounts(totals[i], added_closed[2 * i], added_closed[2 * i + 1]) for i in range(n)]


def reference_labels(kind: ReferenceKind) -> dict[str, str]:
    rows = db.session.execute(
        select(ReferenceItem.code, ReferenceItem.label)
        .where(ReferenceItem.kind == kind.value)
        .order_by(ReferenceItem.sort_order, ReferenceItem.id)
    )
    return dict(rows.tuples().all())
