"""A subject access export: everything held about one child, as JSON and as a PDF
(docs/retention.md).

Who: retention.subject_access (the MET chair, who already sees every case). Audited as
subject_access.exported (the child's id and the format, never a name).

What is in it: the child's record, each of their cases, and every row of every table
that belongs to one of those cases, found from the schema's foreign keys, so a table
added later is included without a change here. What is left out, as third parties'
information: intelligence (its content, grading and sources: a link's existence is
listed, nothing of the item), other children (a peer link keeps its kind, never the other
case), the people who recorded or shared anything (every column pointing at a user or an
agency), issued agenda copies (they hold other children), and photographs and other
binary content (listed as held). Free text written by professionals is included as
written: the partnership's information governance lead reviews an export before it is
disclosed (docs/retention.md).
"""

from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from mettrack.cases.models import Case
from mettrack.children.models import Child
from mettrack.core import audit
from mettrack.core.clock import local, now
from mettrack.core.errors import NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, require
from mettrack.core.unit_of_work import transaction

FORMATS = ("json", "pdf")
TEMPLATE = "retention/subject_access_print.html"
# Columns that point at people other than the child, or at other children's records.
THIRD_PARTY_TABLES = {"users", "agencies", "intelligence_items", "persons_of_concern", "locations"}
# Tables whose rows are about someone else, or copies holding other children: only how
# many there are is listed.
COUNT_ONLY = {"intelligence_links", "case_subject_links", "agenda_items", "disruption_children"}
LEFT_OUT_COLUMNS = {"other_case_id", "version"}
# A peer link's note is about the other child.
LEFT_OUT_BY_TABLE = {"peer_links": {"note"}}


def _value(value):
    if isinstance(value, datetime):
        return local(value).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return "(held, not included: binary content)"
    return value


def _kept_columns(table) -> list:
    kept = []
    for column in table.columns:
        if column.name in LEFT_OUT_COLUMNS or column.name in LEFT_OUT_BY_TABLE.get(table.name, ()):
            continue
        if any(fk.column.table.name in THIRD_PARTY_TABLES for fk in column.foreign_keys):
            continue
        kept.append(column)
    return kept


def _rows(table, condition) -> list[dict]:
    columns = _kept_columns(table)
    result = db.session.execute(select(*columns).where(condition).order_by(*table.primary_key.columns))
    return [{c.name: _value(v) for c, v in zip(columns, row, strict=True)} for row in result]


def _case_tables() -> list:
    cases = Case.__table__
    found = []
    for table in db.metadata.sorted_tables:
        if table is cases or table.name in {"legal_holds", "retention_reviews"}:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is cases and fk.parent.name == "case_id":
                found.append(table)
                break
    return found


def export_of(child: Child) -> dict:
    """The export as a dict of plain values (no audit: export() audits)."""
    children, cases = Child.__table__, Case.__table__
    case_ids = list(db.session.scalars(select(Case.id).where(Case.child_id == child.id).order_by(Case.id)))
    held: dict[str, list[dict] | int] = {}
    for table in _case_tables():
        condition = table.c.case_id.in_(case_ids)
        if "other_case_id" in table.c:  # a link kept once for both children (peer links)
            condition = condition | table.c.other_case_id.in_(case_ids)
        if table.name in COUNT_ONLY:
            held[table.name] = len(db.session.execute(select(table.c.case_id).where(condition)).all())
        else:
            held[table.name] = _rows(table, condition)
    return {
        "exported_at": local(now()).isoformat(timespec="minutes"),
        "partnership": current_app.config.get("PARTNERSHIP_NAME", ""),
        "child": _rows(children, children.c.id == child.id)[0],
        "cases": _rows(cases, cases.c.id.in_(case_ids)),
        "records": {name: rows for name, rows in held.items() if rows},
        "left_out": [
            "Intelligence: its content, grading and sources (only how many links there are)",
            "Other children: a peer link's other case, and agenda copies",
            "The professionals who recorded or shared information (user and agency columns)",
            "Photographs and other binary content (listed as held)",
        ],
    }


@transaction
def export(user, child_id: int, fmt: str) -> dict:
    """Who: retention.subject_access. Everything held about the child, for a subject
    access request. Audited as subject_access.exported (child id and format)."""
    require(user, Perm.SUBJECT_ACCESS, "subject_access.exported")
    if fmt not in FORMATS:
        raise ValidationError({"format": "Choose json or pdf"})
    child = db.session.get(Child, child_id)
    if child is None:
        audit.record_now(
            "record.not_found", "child", child_id, detail={"action": "subject_access"}, actor=user
        )
        raise NotFound("child", child_id)
    data = export_of(child)
    audit.record(
        "subject_access.exported",
        "child",
        child.id,
        detail={"format": fmt, "cases": [c["id"] for c in data["cases"]]},
        actor=user,
    )
    return data


def print_html(data: dict) -> str:
    template = current_app.jinja_env.get_template(TEMPLATE)
    return template.render(data=data, marking="OFFICIAL-SENSITIVE")


def _fetch_nothing(url: str, *args, **kwargs):
    raise ValueError("a subject access PDF loads nothing from outside")


def render_pdf(data: dict) -> bytes:
    from weasyprint import HTML  # slow to import: only when a PDF is asked for

    return HTML(
        string=print_html(data), base_url=current_app.root_path, url_fetcher=_fetch_nothing
    ).write_pdf()
