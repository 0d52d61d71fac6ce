"""The case list as a CSV file: every row the list page shows the user for its filters
and sort, all pages at once (docs/cases.md, "Downloading the list").

The rows are the list's (queries.ordered_ids: the same scope, filters and order), and
each row shows what the list's viewer may see of the case (cases/projection.py): a
coordinator's summary of an open case off their team leaves out what only the whole
record shows (date of birth, flags, places of harm, missing-episode alerts, exit
reason), and its Access column says "Summary only".

The export is one audit row, `case.exported`, naming the query (never a searched name)
and every id exported, in the file's order. The detail is a JSON text column with no
size limit on either database; an id takes about 7 characters, so a list of 10,000
cases is a row of about 70 kB, which the audit search and `flask audit verify` read as
any other. Naming them all is the point: the log must say which children's details left
the system, not how many.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mettrack.cases import queries
from mettrack.cases.models import Case
from mettrack.cases.projection import View, project
from mettrack.cases.scopes import full_record_ids
from mettrack.core import audit
from mettrack.core.choices import CaseFlag, CaseState, CaseTagKind, HarmLocation, ReferenceKind, RiskLevel
from mettrack.core.clock import local, now, today
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm
from mettrack.core.unit_of_work import transaction
from mettrack.reference.models import ReferenceItem

HEADER = (
    "Case number",
    "Child's name",
    "Date of birth",
    "Age",
    "State",
    "Risk level",
    "Police tier",
    "Exploitation types",
    "Flags",
    "Where harm happens",
    "Lead professional",
    "Next review",
    "Review overdue",
    "Needs attention",
    "Opened",
    "Closed",
    "Exit reason",
    "Access",
)
WHOLE, SUMMARY = "Whole record", "Summary only"
CHUNK = 500  # cases loaded per query: an IN list every database takes


@dataclass(frozen=True)
class CaseExport:
    filename: str  # a date, never a name
    header: tuple[str, ...]
    rows: list[tuple]
    ids: list[int]


def _labels(kind: ReferenceKind) -> dict[str, str]:
    return dict(
        db.session.execute(
            select(ReferenceItem.code, ReferenceItem.label).where(ReferenceItem.kind == kind.value)
        ).all()
    )


def _date(moment: datetime | None):
    return local(moment).date() if moment else None


def _needs_attention(alerts: queries.CaseAlerts, whole: bool) -> str:
    shown = [
        label
        for flag, label in (
            (alerts.missing_now, "Missing now"),
            (alerts.rhi_overdue, "Return Home Interview overdue"),
            (alerts.repeat_missing, "Repeatedly missing"),
        )
        if whole and flag
    ]
    if alerts.review_overdue:
        shown.append("Review overdue")
    return "; ".join(shown)


def _row(case: Case, whole: bool, alerts: queries.CaseAlerts, labels: dict) -> tuple:
    seen = project(case, View.WHOLE if whole else View.SUMMARY)
    tiers, exits = labels["tier"], labels["exit"]
    flags = CaseFlag.labels()
    places = HarmLocation.labels()
    return (
        case.id,
        seen.child.name,
        seen.child.date_of_birth,
        seen.child.age,
        CaseState.labels().get(case.state, case.state),
        RiskLevel.labels().get(case.risk_level, case.risk_level) if case.risk_level else "",
        tiers.get(case.police_tier, case.police_tier) if case.police_tier else "",
        ", ".join(t.upper() for t in queries.tags_of(case, CaseTagKind.EXPLOITATION_TYPE)),
        "; ".join(flags.get(f, f) for f in seen.flags) if whole else "",
        "; ".join(places.get(p, p) for p in seen.harm_locations) if whole else "",
        case.lead_professional.name if case.lead_professional else "",
        case.next_review_on,
        alerts.review_overdue,
        _needs_attention(alerts, whole),
        _date(case.opened_at),
        _date(case.closed_at),
        exits.get(seen.closure_reason, seen.closure_reason) if seen.closure_reason else "",
        WHOLE if whole else SUMMARY,
    )


@transaction
def export_for(user, filters: queries.CaseFilters | None = None) -> CaseExport:
    """Who: any role with case.list (403, audited, otherwise). Every case the case list
    shows the user for `filters` (scope, filters, name search and sort as the list), as
    CSV rows. Writes one audit row, case.exported, naming the query and every id."""
    queries.require(user, Perm.CASE_LIST, "case.exported")
    filters = filters or queries.CaseFilters()
    at = now()
    ids = queries.ordered_ids(user, filters, at)
    full = full_record_ids(user, ids) if ids else set()
    labels = {"tier": _labels(ReferenceKind.POLICE_TIER), "exit": _labels(ReferenceKind.EXIT_REASON)}
    rows: list[tuple] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        loaded = {
            c.id: c
            for c in db.session.scalars(
                select(Case).where(Case.id.in_(chunk)).options(selectinload(Case.lead_professional))
            )
        }
        cases = [loaded[i] for i in chunk if i in loaded]
        alerts = queries.alerts_for(cases, at)
        rows.extend(_row(c, c.id in full, alerts[c.id], labels) for c in cases)
    summary_ids = [i for i in ids if i not in full]
    audit.record(
        "case.exported",
        "case",
        detail={
            "query": filters.audit_query(),
            "format": "csv",
            "count": len(ids),
            "ids": ids,
            **({"summary_ids": summary_ids} if summary_ids else {}),
        },
        actor=user,
    )
    return CaseExport(f"cases-{today(at).isoformat()}.csv", HEADER, rows, ids)
