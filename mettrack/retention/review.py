"""The review list, legal holds and confirmed deletion (docs/retention.md).

Who: the review list and deletion need retention.review (administrators, who see ids,
dates and rules, never a child's name); a legal hold retention.legal_hold (an
administrator or the MET chair). Every change is audited with ids and the rule applied,
never a name or a hold's reason.

Deletion is of a closed case due for review and not on hold, with every row that depends
on it, found from the schema's foreign keys (so a table added later is not missed), and
the child's record when no other case is theirs. A case with meeting history (an agenda
item, a lead's update, a closure proposal, minutes or an action) is refused: issued agenda
versions keep frozen copies of the case, and redacting them is not built yet.
"""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import Table, delete, func, select

from mettrack.cases.models import Case
from mettrack.children.models import Child
from mettrack.core import audit
from mettrack.core.clock import local, now, today
from mettrack.core.errors import NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, require
from mettrack.core.unit_of_work import transaction
from mettrack.retention import rules
from mettrack.retention.models import LegalHold, RetentionReview

MAX_REASON = 2000
# Tables whose rows mean the case has been before a MET meeting.
MEETING_TABLES = (
    "agenda_items",
    "meeting_lead_updates",
    "closure_proposals",
    "item_minutes",
    "meeting_actions",
)
CASE = "case"
INTELLIGENCE_ITEM = "intelligence_item"


class DeletionRefused(ValidationError):
    """The case may not be deleted now; `errors` say why, naming the case by id only."""


@dataclass(frozen=True)
class Due:
    record_type: str
    record_id: int
    review_on: date
    rule: str
    held: bool = False
    deletable: bool = False  # built for cases only (docs/retention.md)


def _settings() -> dict:
    return rules.settings(current_app.config)


def _local_date(moment) -> date | None:
    return local(moment).date() if moment is not None else None


def case_review(case: Case) -> tuple[date, str] | None:
    s = _settings()
    return rules.case_review(
        closed_on=_local_date(case.closed_at) if not case.is_open else None,
        date_of_birth=case.child.date_of_birth,
        rule=s["rule"],
        age=s["age"],
        years=s["years"],
    )


def _held_ids() -> set[int]:
    return set(db.session.scalars(select(LegalHold.case_id)))


def due_records(on: date | None = None) -> list[Due]:
    """Every record whose review date has come, oldest first (cases, then intelligence)."""
    day = on or today()
    held = _held_ids()
    found: list[Due] = []
    for case in db.session.scalars(select(Case).where(Case.closed_at.is_not(None)).order_by(Case.id)):
        review = case_review(case)
        if review and rules.is_due(review[0], day):
            found.append(Due(CASE, case.id, review[0], review[1], case.id in held, True))
    found.extend(_due_intelligence(day))
    return sorted(found, key=lambda d: (d.record_type, d.review_on, d.record_id))


def _due_intelligence(day: date) -> list[Due]:
    items = db.metadata.tables.get("intelligence_items")
    links = db.metadata.tables.get("intelligence_links")
    if items is None or links is None:
        return []
    last_link = (
        select(links.c.item_id, func.max(links.c.created_at).label("last"))
        .group_by(links.c.item_id)
        .subquery()
    )
    rows = db.session.execute(
        select(items.c.id, items.c.submitted_at, last_link.c.last).outerjoin(
            last_link, last_link.c.item_id == items.c.id
        )
    )
    years = _settings()["intelligence_years"]
    found = []
    for item_id, submitted_at, last in rows:
        review_on, rule = rules.intelligence_review(
            last_linked_on=_local_date(last or submitted_at), years=years
        )
        if rules.is_due(review_on, day):
            found.append(Due(INTELLIGENCE_ITEM, item_id, review_on, rule))
    return found


@transaction
def scan(on: date | None = None) -> int:
    """The weekly task's body: replace the review list with the records due now. Returns
    how many are listed. Audited as retention.listed (a count only)."""
    due = due_records(on)
    db.session.execute(delete(RetentionReview))
    moment = now()
    for d in due:
        db.session.add(
            RetentionReview(
                record_type=d.record_type,
                record_id=d.record_id,
                review_on=d.review_on,
                rule=d.rule,
                listed_at=moment,
            )
        )
    audit.record("retention.listed", detail={"count": len(due)})
    return len(due)


@transaction
def review_list(user) -> tuple[list[Due], object]:
    """Who: retention.review. The review list the last scan wrote, each row marked held or
    deletable now, and when the list was made (None before the first scan)."""
    require(user, Perm.RETENTION_REVIEW, "retention.review_list")
    held = _held_ids()
    rows = db.session.scalars(
        select(RetentionReview).order_by(RetentionReview.record_type, RetentionReview.review_on)
    )
    listed = [
        Due(
            r.record_type,
            r.record_id,
            r.review_on,
            r.rule,
            r.record_type == CASE and r.record_id in held,
            r.record_type == CASE,
        )
        for r in rows
    ]
    made = db.session.scalar(select(func.max(RetentionReview.listed_at)))
    audit.record("retention.review_list.viewed", detail={"count": len(listed)}, actor=user)
    return listed, made


# --- legal hold


def _case(case_id: int, action: str, user) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        audit.record_now("record.not_found", CASE, case_id, detail={"action": action}, actor=user)
        raise NotFound(CASE, case_id)
    return case


@transaction
def hold_of(user, case_id: int) -> LegalHold | None:
    """Who: retention.legal_hold. The case's hold, if any (the case must exist)."""
    require(user, Perm.LEGAL_HOLD, "legal_hold.viewed")
    _case(case_id, "legal_hold.viewed", user)
    return db.session.get(LegalHold, case_id)


@transaction
def set_hold(user, case_id: int, reason) -> LegalHold:
    """Who: retention.legal_hold. Put a case on hold, or change the hold's reason
    (required, at most MAX_REASON characters). Audited as legal_hold.set, without the reason."""
    require(user, Perm.LEGAL_HOLD, "legal_hold.set")
    case = _case(case_id, "legal_hold.set", user)
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError({"reason": "Enter why the case is on hold"})
    text = reason.strip()
    if len(text) > MAX_REASON:
        raise ValidationError(
            {"reason": f"The reason must be {MAX_REASON} characters or fewer (it has {len(text)})"}
        )
    hold = db.session.get(LegalHold, case.id)
    if hold is None:
        hold = LegalHold(case_id=case.id)
        db.session.add(hold)
    hold.reason, hold.set_by_id, hold.set_at = text, user.id, now()
    audit.record("legal_hold.set", CASE, case.id, actor=user)
    return hold


@transaction
def clear_hold(user, case_id: int) -> bool:
    """Who: retention.legal_hold. Take a case off hold. Returns whether it was on hold.
    Audited as legal_hold.cleared."""
    require(user, Perm.LEGAL_HOLD, "legal_hold.cleared")
    case = _case(case_id, "legal_hold.cleared", user)
    hold = db.session.get(LegalHold, case.id)
    if hold is None:
        return False
    db.session.delete(hold)
    audit.record("legal_hold.cleared", CASE, case.id, actor=user)
    return True


# --- deletion


def meeting_history(case_id: int) -> int:
    """How many meeting rows name the case (agenda items, updates, proposals, minutes, actions)."""
    total = 0
    for name in MEETING_TABLES:
        table = db.metadata.tables.get(name)
        if table is not None:
            total += db.session.scalar(
                select(func.count()).select_from(table).where(table.c.case_id == case_id)
            )
    return total


def _refusal(case: Case, on: date | None = None) -> tuple[str, str] | None:
    """(a short code for the audit row, the words for the administrator), or None."""
    review = case_review(case)
    if review is None:
        return "open", f"Case {case.id} is open: only a closed case is reviewed for deletion"
    if not rules.is_due(review[0], on or today()):
        return "not_due", f"Case {case.id} is not due for review until {review[0]:%-d %B %Y}"
    if db.session.get(LegalHold, case.id) is not None:
        return "legal_hold", f"Case {case.id} is on legal hold: clear the hold first"
    if meeting_history(case.id):
        return (
            "meeting_history",
            f"Case {case.id} has been before a MET meeting, whose issued agendas keep copies of it: "
            "deleting it is not built yet (docs/retention.md)",
        )
    return None


def refusals(case: Case, on: date | None = None) -> dict[str, str]:
    """Why the case may not be deleted now, naming the field `case` (empty: it may)."""
    refusal = _refusal(case, on)
    return {"case": refusal[1]} if refusal else {}


def _referencing(table: Table) -> list[tuple[Table, object, object]]:
    """(child table, its column, the column it references) for every foreign key on `table`."""
    found = []
    for other in db.metadata.sorted_tables:
        for fk in other.foreign_keys:
            if fk.column.table is table:
                found.append((other, fk.parent, fk.column))
    return found


def _delete_where(table: Table, condition, counts: dict, path: tuple = ()) -> None:
    # Children first, so no foreign key is left pointing at a deleted row. A table already
    # on the path (a self-reference) is deleted in the same statement as its parent rows.
    for child, column, referenced in _referencing(table):
        if child is table or child in path:
            continue
        _delete_where(child, column.in_(select(referenced).where(condition)), counts, (*path, table))
    result = db.session.execute(delete(table).where(condition))
    if result.rowcount:
        counts[table.name] = counts.get(table.name, 0) + result.rowcount


@transaction
def deletion_preview(user, case_id: int) -> tuple[Due | None, dict[str, str]]:
    """Who: retention.review. The case's review (None while open) and why it may not be
    deleted now (empty: it may). For the confirm page: ids and dates only."""
    require(user, Perm.RETENTION_REVIEW, "retention.delete_preview")
    case = _case(case_id, "retention.delete_preview", user)
    review = case_review(case)
    due = (
        Due(CASE, case.id, review[0], review[1], db.session.get(LegalHold, case.id) is not None, True)
        if review
        else None
    )
    return due, refusals(case)


@transaction
def delete_case(user, case_id: int, confirm) -> dict:
    """Who: retention.review. Delete a closed case due for review, not on hold and with no
    meeting history, with every row depending on it, and the child's record when no other
    case is theirs. `confirm` must be "yes" (the second step). Returns what was deleted
    (table -> rows). Audited as retention.deleted: the record type, id, rule applied and row
    counts, no personal data. The audit rows about the case are kept."""
    require(user, Perm.RETENTION_REVIEW, "retention.deleted")
    if confirm != "yes":
        raise ValidationError({"confirm": "Confirm that the case and its records are to be deleted"})
    case = _case(case_id, "retention.deleted", user)
    refusal = _refusal(case)
    if refusal:
        # Committed on its own: the refusal rolls the request back.
        audit.record_now("retention.delete_refused", CASE, case.id, detail={"why": refusal[0]}, actor=user)
        raise DeletionRefused({"case": refusal[1]})
    review_on, rule = case_review(case)
    child_id = case.child_id
    # Core deletes below: the objects read so far must not be flushed after them.
    db.session.flush()
    db.session.expunge(case.child)
    db.session.expunge(case)
    counts: dict[str, int] = {}
    cases = Case.__table__
    _delete_where(cases, cases.c.id == case_id, counts)
    others = db.session.scalar(select(func.count()).select_from(cases).where(cases.c.child_id == child_id))
    child_deleted = not others
    if child_deleted:
        children = Child.__table__
        _delete_where(children, children.c.id == child_id, counts)
    db.session.execute(
        delete(RetentionReview).where(
            RetentionReview.record_type == CASE, RetentionReview.record_id == case_id
        )
    )
    audit.record(
        "retention.deleted",
        CASE,
        case_id,
        detail={
            "rule": rule,
            "review_on": review_on.isoformat(),
            "child_id": child_id if child_deleted else None,
            "rows": counts,
        },
        actor=user,
    )
    return counts
