"""The exploitation list's figures, counted by the database (GROUP BY): no case is loaded
into Python to be counted, and no name, case id or date of birth leaves this module.

"On the list in the period" (docs/statistics.md): a case with an exploitation type that
was open at any point in it: opened on or before its last day, and not closed, or closed
on or after its first day. Days are the partnership's (Europe/London): the period runs
from midnight London time on its first day to midnight after its last, in UTC.

Each child counts once per type (by the child's latest case on the list in the period,
should there be two) and once in the whole list, under the type "all": `_listed` is one
subquery of (type, child, case) rows, the per-type rows and the "all" rows together, so
every breakdown is one query giving each type's column and the total's.

Types, flags, places of harm, risk level and police tier are as the case records them
when the report is made; the state is the one the case was in at the end of the period
(its last recorded move by then).
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, literal, or_, select, union_all
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


def _on_list(start: datetime, end: datetime):
    return and_(Case.opened_at < end, or_(Case.closed_at.is_(None), Case.closed_at >= start))


def _typed(*conditions, of_cases: bool = True):
    """(type, child_id, case_id) rows for the cases meeting `conditions`: one row per type
    and child (the child's latest such case), and one "all" row per child."""
    tag = aliased(CaseTag)
    joined = and_(tag.case_id == Case.id, tag.kind == CaseTagKind.EXPLOITATION_TYPE.value)
    per_type = (
        select(
            tag.value.label("type"),
            Case.child_id.label("child_id"),
            func.max(Case.id).label("case_id"),
        )
        .join(tag, joined)
        .where(*conditions)
        .group_by(tag.value, Case.child_id)
    )
    whole = (
        select(
            literal(ALL).label("type"),
            Case.child_id.label("child_id"),
            func.max(Case.id).label("case_id"),
        )
        .where(*conditions, select(tag.case_id).where(joined).exists())
        .group_by(Case.child_id)
    )
    return union_all(per_type, whole).subquery("listed")


def _listed(period: Period):
    start, end = moments(period)
    return _typed(_on_list(start, end))


def _grouped(listed, key) -> Counts:
    """Children per (type, key): `key` an expression over Case and Child."""
    rows = (
        select(listed.c.type.label("type"), key.label("key"))
        .select_from(listed)
        .join(Case, Case.id == listed.c.case_id)
        .join(Child, Child.id == Case.child_id)
        .subquery("keyed")
    )
    result: Counts = {}
    for type_, value, count in db.session.execute(
        select(rows.c.type, rows.c.key, func.count()).group_by(rows.c.type, rows.c.key)
    ):
        result.setdefault(type_, {})[value if value is not None else NOT_RECORDED] = count
    return result


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


def totals(period: Period) -> dict[str, int]:
    """Children on the list per type, and under ALL each child once."""
    listed = _listed(period)
    return dict(
        db.session.execute(select(listed.c.type, func.count()).group_by(listed.c.type)).tuples().all()
    )


def in_more_than_one_type(period: Period) -> int:
    listed = _listed(period)
    per_child = (
        select(listed.c.child_id)
        .where(listed.c.type != ALL)
        .group_by(listed.c.child_id)
        .having(func.count() > 1)
        .subquery()
    )
    return db.session.scalar(select(func.count()).select_from(per_child)) or 0


def ages(period: Period) -> dict[str, Ages]:
    """The youngest and oldest child per type, in whole years at the end of the period."""
    listed = _listed(period)
    rows = db.session.execute(
        select(listed.c.type, func.min(Child.date_of_birth), func.max(Child.date_of_birth))
        .select_from(listed)
        .join(Child, Child.id == listed.c.child_id)
        .group_by(listed.c.type)
    )
    return {
        type_: Ages(
            rules.age_on(latest, period.end) if latest else None,
            rules.age_on(earliest, period.end) if earliest else None,
        )
        for type_, earliest, latest in rows
    }


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


def breakdowns(period: Period, only: tuple[str, ...] | None = None) -> dict[str, Counts]:
    """Children per type by gender, age band, ethnicity, risk level, police tier and state
    (`only`: just these of them), one query each."""
    listed = _listed(period)
    _start, end = moments(period)
    keys = {
        "gender": lambda: _merged(_grouped(listed, func.lower(func.trim(Child.gender))), rules.gender_key),
        "age": lambda: _grouped(listed, _age_band_key(period.end)),
        "ethnicity": lambda: _merged(_grouped(listed, func.trim(Child.ethnicity)), rules.text_key),
        "risk": lambda: _grouped(listed, Case.risk_level),
        "tier": lambda: _grouped(listed, Case.police_tier),
        "state": lambda: _grouped(listed, _state_at(end)),
    }
    return {name: count() for name, count in keys.items() if only is None or name in only}


def ethnicity_labels(period: Period) -> dict[str, str]:
    """Each ethnicity group's label: the spelling most children's records use."""
    listed = _listed(period)
    spelled = func.trim(Child.ethnicity)
    rows = db.session.execute(
        select(spelled, func.count())
        .select_from(listed)
        .join(Child, Child.id == listed.c.child_id)
        .where(listed.c.type == ALL, spelled.is_not(None), spelled != "")
        .group_by(spelled)
    )
    labels: dict[str, tuple[int, str]] = {}
    for text, count in rows:
        key = rules.text_key(text)
        if key not in labels or count > labels[key][0]:
            labels[key] = (count, " ".join(text.split()))
    return {key: label for key, (_n, label) in labels.items()}


def tags(period: Period, kind: CaseTagKind) -> Counts:
    """Children per type with each flag (or place of harm): a child may have several or none."""
    listed = _listed(period)
    tag = aliased(CaseTag)
    rows = db.session.execute(
        select(listed.c.type, tag.value, func.count())
        .select_from(listed)
        .join(tag, and_(tag.case_id == listed.c.case_id, tag.kind == kind.value))
        .group_by(listed.c.type, tag.value)
    )
    result: Counts = {}
    for type_, value, count in rows:
        result.setdefault(type_, {})[value] = count
    return result


def added(period: Period) -> dict[str, int]:
    """Children whose case on the list was opened in the period, per type."""
    start, end = moments(period)
    listed = _typed(Case.opened_at >= start, Case.opened_at < end)
    return dict(
        db.session.execute(select(listed.c.type, func.count()).group_by(listed.c.type)).tuples().all()
    )


def closed(period: Period) -> Counts:
    """Children whose case on the list was closed in the period, per type and exit reason."""
    start, end = moments(period)
    listed = _typed(Case.closed_at >= start, Case.closed_at < end)
    rows = (
        select(listed.c.type.label("type"), Case.closure_reason.label("reason"))
        .select_from(listed)
        .join(Case, Case.id == listed.c.case_id)
        .subquery()
    )
    result: Counts = {}
    for type_, reason, count in db.session.execute(
        select(rows.c.type, rows.c.reason, func.count()).group_by(rows.c.type, rows.c.reason)
    ):
        result.setdefault(type_, {})[reason or NOT_RECORDED] = count
    return result


def reference_labels(kind: ReferenceKind) -> dict[str, str]:
    rows = db.session.execute(
        select(ReferenceItem.code, ReferenceItem.label)
        .where(ReferenceItem.kind == kind.value)
        .order_by(ReferenceItem.sort_order, ReferenceItem.id)
    )
    return dict(rows.tuples().all())
