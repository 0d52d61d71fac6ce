"""The child's record: reading, likely duplicates, creating and editing.

Need-to-know reaches a child through their cases (permissions.case_scope). A child with
no case yet (just recorded, not yet screened) is visible to whoever recorded them and to
the MET chair: `child_scope` below.

A likely duplicate is never created silently: `create_child` refuses while likely
matches exist, until the user confirms that none of them is this child. Matches outside
the user's need-to-know are reported only as "a possible match exists, lead agency X"
(or, with no lead recorded, the agency to contact: MatchHint): no name, no id, no date
of birth. Each such hint is written to the audit log.
"""

from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from functools import partial

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm.exc import StaleDataError

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.cases import access_reason_required, case_scope
from mettrack.cases.models import Case, CaseEvent
from mettrack.children import matching
from mettrack.children.models import Child
from mettrack.core import audit, clock
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import AuditOutcome, LookedAfterStatus, Role
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import date_value, parse_version
from mettrack.core.limits import max_length
from mettrack.core.permissions import Perm, can, deny_record, require
from mettrack.core.unit_of_work import transaction

MAX_AGE_YEARS = 25  # a date of birth further back is a typing slip, not a child
NAME_MAX = max_length(Child.first_name)  # and Child.last_name
ALIASES_MAX = 20

# Free-text fields: (field, label used in messages, most characters).
TEXT_FIELDS = (
    ("gender", "Gender", max_length(Child.gender)),
    ("ethnicity", "Ethnicity", max_length(Child.ethnicity)),
    ("address", "Address", max_length(Child.address)),
    ("school", "School", max_length(Child.school)),
    ("parent_carer_contacts", "Parent or carer contacts", 2000),
    ("social_worker", "Allocated social worker", max_length(Child.social_worker)),
    ("local_identifier", "Local identifier", max_length(Child.local_identifier)),
    (
        "consistent_child_identifier",
        "Consistent child identifier",
        max_length(Child.consistent_child_identifier),
    ),
)


@dataclass
class ChildInput:
    """What a form or a script sends. `date_of_birth` is a date, an ISO string, or the
    (day, month, year) strings of a date input; blank strings mean "not given"."""

    first_name: str | None = None
    last_name: str | None = None
    aliases: str | list[str] | None = None  # one per line, or a list
    date_of_birth: date | str | tuple | None = None
    gender: str | None = None
    ethnicity: str | None = None
    address: str | None = None
    school: str | None = None
    parent_carer_contacts: str | None = None
    looked_after: bool | None = None
    looked_after_status: str | None = None
    social_worker: str | None = None
    nhs_number: str | None = None
    local_identifier: str | None = None
    consistent_child_identifier: str | None = None


RECORD_FIELDS = [f.name for f in fields(ChildInput)]
LOOKED_AFTER_FIELDS = {"looked_after", "looked_after_status"}


@dataclass(frozen=True)
class MatchHint:
    """A likely match the user may not open: only whom to ask is told."""

    lead_agency: str | None  # the lead agency of the child's latest case, when recorded
    # Whom to ask: the lead agency; without one (a partner's screening opens a case with
    # no lead), the agency that opened the case; with no case, the one that recorded the child.
    contact_agency: str | None


@dataclass
class MatchReport:
    visible: list[tuple[Child, tuple[str, ...]]] = field(default_factory=list)
    hints: list[MatchHint] = field(default_factory=list)
    child_ids: list[int] = field(default_factory=list)  # all of them, for the audit log only
    withheld: int = 0  # hints not given: the user's hourly allowance is used up

    def __bool__(self) -> bool:
        return bool(self.child_ids)


class LikelyDuplicate(ValidationError):
    """Refused: likely matches exist and the user has not confirmed none is this child.
    The API answers 409 with the matches the user may open and hints about the others."""

    FIELD = "confirmed_no_match"
    status = 409
    detail = (
        "This child may already have a record: check `matches` (records you may open) and `hints` "
        "(records outside your need-to-know: contact the `contact_agency`). If none is this child, "
        'send the request again with "confirmed_no_match": true.'
    )

    def __init__(self, report: MatchReport):
        super().__init__(
            {
                self.FIELD: "This child may already have a record. Check the possible matches; "
                "if none of them is this child, confirm to create a new record."
            }
        )
        self.report = report

    def problem_members(self) -> dict:
        return {
            "matches": [
                {
                    "id": child.id,
                    "first_name": child.first_name,
                    "last_name": child.last_name,
                    "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
                    "reasons": list(reasons),
                }
                for child, reasons in self.report.visible
            ],
            "hints": [
                {
                    "detail": "A possible match exists",
                    "lead_agency": hint.lead_agency,
                    "contact_agency": hint.contact_agency,
                }
                for hint in self.report.hints
            ],
        }


class ChildChanged(Conflict):
    """The child's record changed since the version the user read; nothing was saved."""

    detail = (
        "Someone else changed this record since you read it; nothing was saved. Fetch it again, then retry."
    )
    errors = {"version": "The record has changed since this version."}


# --- scope and reads ---------------------------------------------------------------------


def child_scope(user):
    """SQL condition for the children this user may see: those with a case the user may
    see (case_scope), and a child with no case yet to the user who recorded them. The
    MET chair sees every child."""
    if not can(user, Perm.CASE_VIEW):
        return false()
    if user.has_role(Role.MET_CHAIR):
        return true()
    visible_case = select(Case.id).where(Case.child_id == Child.id, case_scope(user)).exists()
    any_case = select(Case.id).where(Case.child_id == Child.id).exists()
    return or_(visible_case, and_(~any_case, Child.created_by_id == user.id))


def _fetch(user, child_id: int, action: str) -> Child:
    child = db.session.scalar(select(Child).where(Child.id == child_id, child_scope(user)))
    if child is None:
        raise deny_record("child", child_id, action)
    return child


@transaction
def get_for(user, child_id: int, *, action: str = "child.viewed", ask_reason: bool = False) -> Child:
    """Who: any role with case.view. The child if within the user's need-to-know
    (child_scope); otherwise the attempt is audited and NotFound raised (404).
    `ask_reason`: a read of the child's record (their page, the API's child), which a
    police user justifies for one of the child's cases (cases/access_reasons.py)."""
    child = _fetch(user, child_id, action)
    reason = access_reason_required(user, visible_cases_of(user, child)) if ask_reason else None
    audit.record(action, "child", child.id, detail=None if reason is None else {"reason": reason}, actor=user)
    return child


def visible_cases_of(user, child: Child) -> list[Case]:
    """The child's cases the user may see, newest first (the child's read is audited)."""
    return list(
        db.session.scalars(
            select(Case)
            .where(Case.child_id == child.id, case_scope(user))
            .order_by(Case.opened_at.desc(), Case.id.desc())
        )
    )


def values_of(child: Child) -> dict:
    """The record as ChildInput-shaped values, for pre-filling a form."""
    values = {name: getattr(child, name) for name in RECORD_FIELDS}
    values["aliases"] = child.aliases or ""
    return values


# --- validation --------------------------------------------------------------------------


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _date_of_birth(value, errors: dict) -> date | None:
    today = clock.today()
    born = date_value(value, "date_of_birth", "Date of birth", errors, today=today)
    if born is not None and born < _years_before(today, MAX_AGE_YEARS):
        errors["date_of_birth"] = f"Date of birth must be within the last {MAX_AGE_YEARS} years"
    return born


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _aliases(value, errors: dict) -> str | None:
    if isinstance(value, list | tuple):
        lines = value
    elif isinstance(value, str):
        lines = value.splitlines()
    elif value is None:
        lines = []
    else:
        errors["aliases"] = "Other names must be text, one per line"
        return None
    if not all(isinstance(line, str) for line in lines):
        errors["aliases"] = "Other names must be text, one per line"
        return None
    names = [" ".join(line.split()) for line in lines if line.strip()]
    if len(names) > ALIASES_MAX:
        errors["aliases"] = f"Enter {ALIASES_MAX} other names or fewer"
    elif any(len(n) > 200 for n in names):
        errors["aliases"] = "Each other name must be 200 characters or fewer"
    return "\n".join(names) or None


def validated(data: ChildInput) -> dict:
    """Every field checked; a ValidationError names each bad one. Returns the values to
    store on the Child."""
    values, errors = _checked(data)
    if errors:
        raise ValidationError(errors)
    return values


def _checked(data: ChildInput) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    values: dict = {}
    for name, label in (("first_name", "first name"), ("last_name", "last name")):
        raw = getattr(data, name)
        if raw is not None and not isinstance(raw, str):
            errors[name] = f"The child's {label} must be text"
            continue
        text = " ".join(_text(raw).split())
        if not text:
            errors[name] = f"Enter the child's {label}"
        elif len(text) > NAME_MAX:
            errors[name] = f"The child's {label} must be {NAME_MAX} characters or fewer"
        values[name] = text
    values["aliases"] = _aliases(data.aliases, errors)
    values["date_of_birth"] = _date_of_birth(data.date_of_birth, errors)
    for name, label, limit in TEXT_FIELDS:
        raw = getattr(data, name)
        if raw is not None and not isinstance(raw, str):
            errors[name] = f"{label} must be text"
            continue
        text = _text(raw)
        if len(text) > limit:
            errors[name] = f"{label} must be {limit} characters or fewer"
        values[name] = text or None
    nhs = data.nhs_number
    if nhs is not None and not isinstance(nhs, str):
        errors["nhs_number"] = "NHS number must be text, like 943 476 5919"
    else:
        nhs = matching.normalise_nhs_number(nhs)
        if nhs and not (nhs.isascii() and nhs.isdigit()):  # as form_input: ASCII digits only
            errors["nhs_number"] = "NHS number must be 10 digits, like 943 476 5919"
        elif nhs and len(nhs) != 10:
            errors["nhs_number"] = "NHS number must be 10 digits"
        elif nhs and not matching.nhs_number_is_valid(nhs):
            errors["nhs_number"] = (
                "Enter a valid NHS number: check each digit (its check digit does not match)"
            )
        values["nhs_number"] = nhs or None
    if data.looked_after is not None and not isinstance(data.looked_after, bool):
        errors["looked_after"] = "Say whether the child is looked after"
    looked_after = bool(data.looked_after)
    values["looked_after"] = looked_after
    status = _text(data.looked_after_status) if isinstance(data.looked_after_status, str) else None
    values["looked_after_status"] = None
    if looked_after:  # a status sent with "not looked after" is the hidden form field: ignored
        if not status:
            errors["looked_after_status"] = "Choose the order or section the child is looked after under"
        elif status not in set(LookedAfterStatus):
            errors["looked_after_status"] = "Choose the order or section from the list"
        else:
            values["looked_after_status"] = status
    return values, errors


# --- likely matches ----------------------------------------------------------------------


def _facts(values: dict, child_id: int | None = None) -> matching.ChildFacts:
    return matching.ChildFacts(
        first_name=values["first_name"],
        last_name=values["last_name"],
        date_of_birth=values["date_of_birth"],
        aliases=tuple((values["aliases"] or "").splitlines()),
        nhs_number=values["nhs_number"],
        consistent_child_identifier=values["consistent_child_identifier"],
        id=child_id,
    )


def _candidates(candidate: matching.ChildFacts) -> list[matching.ChildFacts]:
    """The children worth comparing: same identifiers, a date of birth matching could
    accept, or none recorded (then only the name can match)."""
    conditions = [Child.date_of_birth.is_(None)]
    if candidate.date_of_birth is None:
        conditions = [true()]  # a name alone can match any record
    else:
        conditions.append(Child.date_of_birth.in_(matching.dates_to_search(candidate.date_of_birth)))
    if candidate.nhs_number:
        conditions.append(Child.nhs_number == candidate.nhs_number)
    if candidate.consistent_child_identifier:
        cci = candidate.consistent_child_identifier.strip().upper()
        conditions.append(func.upper(Child.consistent_child_identifier) == cci)
    rows = db.session.scalars(select(Child).where(or_(*conditions)).order_by(Child.id))
    return [_facts({n: getattr(c, n) for n in RECORD_FIELDS}, c.id) for c in rows]


def _hints(child_ids: list[int]) -> dict[int, MatchHint]:
    """For each child, the agencies MatchHint names (and nothing else about them)."""
    latest = {}
    for row in db.session.execute(
        select(Case.id, Case.child_id, Case.lead_agency_id, User.agency_id)
        .outerjoin(User, User.id == Case.lead_professional_id)
        .where(Case.child_id.in_(child_ids))
        .order_by(Case.opened_at, Case.id)
    ):
        latest[row.child_id] = row  # oldest first: the latest case wins
    lead = {cid: row.lead_agency_id or row.agency_id for cid, row in latest.items()}
    contact = dict(lead)
    unled = {row.id: cid for cid, row in latest.items() if lead[cid] is None}
    if unled:
        for row in db.session.execute(
            select(CaseEvent.case_id, User.agency_id)
            .join(User, User.id == CaseEvent.actor_id)
            .where(CaseEvent.case_id.in_(unled), CaseEvent.from_state.is_(None))
            .order_by(CaseEvent.occurred_at, CaseEvent.id)
        ):
            if contact[unled[row.case_id]] is None:  # the first opening event: who opened it
                contact[unled[row.case_id]] = row.agency_id
    unknown = [cid for cid in child_ids if contact.get(cid) is None]
    if unknown:
        for row in db.session.execute(
            select(Child.id, User.agency_id)
            .join(User, User.id == Child.created_by_id)
            .where(Child.id.in_(unknown))
        ):
            contact[row.id] = row.agency_id
    ids = set(lead.values()) | set(contact.values())
    names = {a.id: a.name for a in db.session.scalars(select(Agency).where(Agency.id.in_(ids - {None})))}
    return {cid: MatchHint(names.get(lead.get(cid)), names.get(contact.get(cid))) for cid in child_ids}


# A hint tells the user that a child they may not open is on METtrack. Answering to a name
# alone would let anyone who may record a child test whether a named child is here (issue
# 15, finding 10): a hint needs the date of birth as well, and each user is given at most
# this many an hour (counted from the audit log's child.match_hint rows, so every web
# process agrees). Withheld hints are audited (child.match_hints_withheld).
MATCH_HINTS_PER_HOUR = 10


def _hintable(candidate: matching.ChildFacts, match: matching.Match) -> bool:
    return candidate.date_of_birth is not None and matching.SAME_NAME_NO_DOB not in match.reasons


def _hints_given_in_the_last_hour(user) -> int:
    since = clock.now() - timedelta(hours=1)
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == "child.match_hint",
            AuditEvent.actor_user_id == user.id,
            AuditEvent.occurred_at >= since,
        )
    )


def _report(user, values: dict, exclude_id: int | None = None) -> MatchReport:
    candidate = _facts(values, exclude_id)
    matches = matching.likely_matches(candidate, _candidates(candidate))
    report = MatchReport(child_ids=[m.child_id for m in matches])
    if not matches:
        return report
    ids = report.child_ids
    visible = {c.id: c for c in db.session.scalars(select(Child).where(Child.id.in_(ids), child_scope(user)))}
    hidden = [m for m in matches if m.child_id not in visible]
    hintable = [m for m in hidden if _hintable(candidate, m)]
    if hintable:
        room = max(0, MATCH_HINTS_PER_HOUR - _hints_given_in_the_last_hour(user))
        report.withheld = len(hintable) - min(room, len(hintable))
        hintable = hintable[:room]
    matches = [m for m in matches if m.child_id in visible or m in hintable]
    report.child_ids = [m.child_id for m in matches]
    hidden = [m.child_id for m in hintable]
    hints = _hints(hidden) if hidden else {}
    for m in matches:
        if m.child_id in visible:
            report.visible.append((visible[m.child_id], m.reasons))
        else:
            report.hints.append(hints[m.child_id])
    return report


def _audit_report(user, report: MatchReport, *, refused: bool = False) -> None:
    # A refusal rolls its unit of work back, but the user has still been shown these
    # children: then the rows are written on their own connection, as denials are.
    write = partial(audit.record_now, outcome=AuditOutcome.OK) if refused else audit.record
    if report.visible:
        write("child.matches_shown", "child", detail={"ids": [c.id for c, _ in report.visible]}, actor=user)
    shown = {c.id for c, _ in report.visible}
    for child_id in report.child_ids:
        if child_id not in shown:
            # The user learns that this child exists somewhere: record who was told.
            write("child.match_hint", "child", child_id, actor=user)
    if report.withheld:
        # Someone checking many names: the governance lead sees it (no names, a count).
        audit.record_now(
            "child.match_hints_withheld",
            detail={"withheld": report.withheld, "per_hour": MATCH_HINTS_PER_HOUR},
            outcome=AuditOutcome.DENIED,
            actor=user,
        )


@transaction
def find_likely_matches(user, data: ChildInput) -> MatchReport:
    """Who: a role with child.create. The existing children that may be the child
    described: those within the user's need-to-know in full, the rest as hints naming
    only a lead agency. Each hint, and the list shown, is audited."""
    _require(user, Perm.CHILD_CREATE)
    report = _report(user, validated(data))
    _audit_report(user, report)
    return report


# --- writes ------------------------------------------------------------------------------


def _require(user, perm: Perm) -> None:
    require(user, perm, str(perm))


@transaction
def create_child(user, data: ChildInput, confirmed_no_match: bool = False) -> Child:
    """Who: a role with child.create. Records a child (no case: screening opens one).
    Refuses with LikelyDuplicate (a ValidationError on `confirmed_no_match`) while likely
    matches exist, unless the user confirmed none of them is this child. The creator may
    then see the child until a case decides who else may."""
    _require(user, Perm.CHILD_CREATE)
    values = validated(data)
    report = _report(user, values)
    if report and not confirmed_no_match:
        _audit_report(user, report, refused=True)
        raise LikelyDuplicate(report)
    if report.withheld and not report:
        _audit_report(user, report)
    child = Child(**values, created_by_id=user.id)
    db.session.add(child)
    db.session.flush()
    detail = {"confirmed_no_match_with": report.child_ids} if report else {}
    audit.record("child.created", "child", child.id, detail=detail, actor=user)
    return child


@transaction
def update_child(user, child_id: int, data: ChildInput | dict, version) -> Child:
    """Who: a role with child.edit, for a child within their need-to-know. Saves the
    record if `version` is the one stored; otherwise raises Conflict and changes
    nothing (someone else saved in between). `data` is the whole record (a form), or a
    dict of only the fields to change (an API PATCH)."""
    _require(user, Perm.CHILD_EDIT)
    child = _fetch(user, child_id, "child.updated")
    only = set(RECORD_FIELDS)
    if isinstance(data, dict):
        unknown = sorted(set(data) - only)
        if unknown:
            raise ValidationError({name: "Unknown field" for name in unknown})
        # A record kept from before these checks may miss something a field it does not
        # send needs: that does not block changing the fields it does send.
        only = set(data)
        if only & LOOKED_AFTER_FIELDS:
            only |= LOOKED_AFTER_FIELDS
        data = ChildInput(**(values_of(child) | data))
    version = parse_version(version)
    values, errors = _checked(data)
    errors = {name: message for name, message in errors.items() if name in only}
    if errors:
        raise ValidationError(errors)
    values = {name: value for name, value in values.items() if name in only}
    if version != child.version:
        raise ChildChanged()
    changed = sorted(name for name, value in values.items() if getattr(child, name) != value)
    for name in changed:
        setattr(child, name, values[name])
    audit.record("child.updated", "child", child.id, detail={"fields": changed}, actor=user)
    try:
        db.session.flush()
    except StaleDataError:  # saved by someone else between our read and our write
        raise ChildChanged() from None
    return child
