"""The review list, legal holds and confirmed deletion (docs/retention.md).

Who: the review list and deletion need retention.review (administrators, who see ids,
dates and rules, never a child's name); a legal hold retention.legal_hold (an
administrator or the MET chair). Every change is audited with ids and the rule applied,
never a name or a hold's reason.

Deletion is of a closed case due for review and not on hold, with every row that depends
on it, found from the schema's foreign keys (so a table added later is not missed), and
the child's record when no other case is theirs. A case with meeting history (an agenda
item, a lead's update, a closure proposal, minutes or an action) is deleted too: those rows
go with the case, and the frozen copies of the child's item in issued agenda versions and
approved minutes are replaced by a placeholder (rules.redact_*), so the meeting's record
of the other children stands. Intelligence items linked to this case only are deleted;
those with other links lose this case's link and are listed for review (their free text
is not rewritten). All of it in one transaction.
"""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import Table, delete, func, select, update

from mettrack import reminders
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
    """The weekly task's body: replace the review list with the records due now, and tell
    the administrators when any are (an in-app notification and an e-mail through the
    reminders, naming no child: the count and a link to /admin/retention). Returns how
    many are listed. Audited as retention.listed (a count only)."""
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
    told = reminders.notify_retention_review(len(due), moment)
    audit.record("retention.listed", detail={"count": len(due), "administrators_told": told})
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


def _table(name: str) -> Table | None:
    return db.metadata.tables.get(name)


def _redact_meeting_copies(case_id: int, on: date) -> dict[str, int]:
    """Replace the case's item in every issued agenda version (both copies and the stored
    changes) and approved minutes version by the placeholder, and take the case out of the
    other children's linked children in those agenda copies and changes; a redacted version's stored
    PDFs are emptied and set to be built again from the redacted copy. Returns how many
    versions of each were changed."""
    text = rules.placeholder(on)
    done = {"agenda_versions": 0, "minutes_versions": 0}
    versions, pdfs, minutes = _table("agenda_versions"), _table("agenda_pdfs"), _table("minutes_versions")
    if versions is not None:
        changed_ids = []
        for row in db.session.execute(
            select(versions.c.id, versions.c.full, versions.c.sanitised, versions.c.changes)
        ):
            full, a = rules.redact_agenda(row.full, case_id, text)
            sanitised, b = rules.redact_agenda(row.sanitised, case_id, text)
            changes, c = rules.redact_changes(row.changes, case_id, text)
            if a or b or c:
                db.session.execute(
                    update(versions)
                    .where(versions.c.id == row.id)
                    .values(full=full, sanitised=sanitised, changes=changes)
                )
                changed_ids.append(row.id)
        done["agenda_versions"] = len(changed_ids)
        if changed_ids and pdfs is not None:
            db.session.execute(
                update(pdfs)
                .where(pdfs.c.agenda_version_id.in_(changed_ids))
                .values(status="pending", content=None, error=None, enqueued_at=None, built_at=None)
            )
    if minutes is not None:
        for row in db.session.execute(select(minutes.c.id, minutes.c.content)):
            content, n = rules.redact_minutes(row.content, case_id, text)
            if n:
                db.session.execute(update(minutes).where(minutes.c.id == row.id).values(content=content))
                done["minutes_versions"] += 1
    return done


def _intelligence_of(case_id: int) -> tuple[list[int], list[int]]:
    """(items linked to this case only, items linked to it and to something else)."""
    links = _table("intelligence_links")
    if links is None:
        return [], []
    linked = select(links.c.item_id).where(links.c.case_id == case_id)
    targets: dict[int, list[tuple[str, int]]] = {}
    for item_id, case, location, person in db.session.execute(
        select(links.c.item_id, links.c.case_id, links.c.location_id, links.c.person_id).where(
            links.c.item_id.in_(linked)
        )
    ):
        if case is not None:
            target = ("case", case)
        elif location is not None:
            target = ("location", location)
        else:
            target = ("person", person)
        targets.setdefault(item_id, []).append(target)
    return rules.intelligence_fate(targets, case_id)


@dataclass(frozen=True)
class Deletion:
    """What a confirmed deletion did: rows deleted by table, frozen meeting versions
    redacted, and the intelligence items kept (linked elsewhere) whose free text may still
    mention the child: for the administrator to pass to the police reviewer."""

    rows: dict[str, int]
    redacted: dict[str, int]
    intelligence_to_review: list[int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


@transaction
def delete_case(user, case_id: int, confirm) -> Deletion:
    """Who: retention.review. Delete a closed case due for review and not on hold, with
    every row depending on it, and the child's record when no other case is theirs. Its
    meeting history goes too: agenda items, lead updates, closure proposals, minutes and
    actions are deleted, and issued agenda and approved minutes versions keep a placeholder
    in place of the child's item. Intelligence items linked to this case only are deleted;
    those linked elsewhere keep existing without the link and are returned for review.
    `confirm` must be "yes" (the second step). One transaction. Audited as
    retention.deleted: the record type, id, rule applied and counts, no personal data. The
    audit rows about the case are kept."""
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
    had_meetings = meeting_history(case.id)
    # Core deletes below: the objects read so far must not be flushed after them.
    db.session.flush()
    db.session.expunge(case.child)
    db.session.expunge(case)
    counts: dict[str, int] = {}
    redacted = _redact_meeting_copies(case_id, today())
    only_this, to_review = _intelligence_of(case_id)
    items = _table("intelligence_items")
    if only_this and items is not None:
        _delete_where(items, items.c.id.in_(only_this), counts)
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
    if only_this:
        db.session.execute(
            delete(RetentionReview).where(
                RetentionReview.record_type == INTELLIGENCE_ITEM, RetentionReview.record_id.in_(only_this)
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
            "meeting_rows": had_meetings,
            "redacted": redacted,
            "intelligence_deleted": sorted(only_this),
            "intelligence_to_review": to_review,
        },
        actor=user,
    )
    return Deletion(counts, redacted, to_review)
