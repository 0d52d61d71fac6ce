"""Peer links between two children's cases: siblings, friends, the same peer group, the
same placement, each with how reliable the link is (docs/intelligence-cases.md).

A link is stored once, with case_id < other_case_id, and shown on both cases to those who
may see both cases' whole record (cases.case_scope); a viewer who may see only one of them
sees nothing of the link. Who adds or removes one: a reviewer of intelligence, or the lead
professional of either case, and only when they may see both cases' whole record.

Bad input is a ValidationError naming the field. The other case, given in the body, is
named as a field whether it does not exist or lies outside the user's reach (the same
words, so that nothing is learnt of a case one may not see); the refusal is audited as a
denied record access. The note is free text about children, so the language check reads it
before it is saved. Every read and change writes an audit row naming both case ids.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from mettrack.cases import case_scope
from mettrack.cases.models import Case
from mettrack.core import audit
from mettrack.core.choices import LinkReliability, PeerLinkKind, Role
from mettrack.core.errors import NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_text
from mettrack.core.limits import DATABASE_INT_MAX, LINK_NOTE_MAX
from mettrack.core.permissions import Perm, deny_record, require
from mettrack.core.unit_of_work import savepoint, transaction
from mettrack.intelligence.access import is_reviewer
from mettrack.intelligence.models import PeerLink
from mettrack.language import audit_detail, check_before_saving

NOT_LEAD = (
    "Only a reviewer of intelligence or the lead professional of either child's case may change peer links."
)
OTHER_CASE = "Enter the number of another child's case whose whole record you can see"
FIELDS = ("other_case_id", "kind", "reliability", "note")
NOTE_LABELS = {"note": "Note"}  # the free text the language check reads


@dataclass(frozen=True)
class PeerView:
    id: int
    case_id: int  # the case the link is shown on
    other_case_id: int
    other_child_name: str
    kind: str
    kind_label: str
    reliability: str
    reliability_label: str
    note: str | None
    created_at: datetime


def record_id(value) -> int | None:
    """A record id from JSON or a form: a whole number within the database's range."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 10):
            return None
        value = int(text)
    if not isinstance(value, int) or not 1 <= value <= DATABASE_INT_MAX:
        return None
    return value


def choice(data: Mapping, name: str, choices, message: str, errors: dict) -> str | None:
    value = data.get(name)
    value = value.strip() if isinstance(value, str) else value
    if value not in choices.values():
        errors[name] = message
        return None
    return value


def visible_case(user, case_id, action: str) -> Case:
    """The case if its whole record is within the user's reach; an audited 404 otherwise."""
    found = record_id(case_id)
    case = db.session.scalar(select(Case).where(Case.id == found, case_scope(user))) if found else None
    if case is None:
        raise deny_record("case", case_id, action)
    return case


def _refuse_if_never_allowed(user, case: Case, action: str) -> None:
    # Only a reviewer or a lead professional can ever lead one of the two cases: anyone
    # else is refused before their input is read (403, not a message about a field).
    if not (is_reviewer(user) or user.has_role(Role.LEAD_PROFESSIONAL)):
        audit.record_now(f"{action}.denied", "case", case.id, detail={"reason": "not lead or reviewer"})
        raise NotAllowed(action, (NOT_LEAD,))


def may_manage(user, *cases: Case) -> bool:
    """A reviewer, or the lead professional of any of the cases."""
    return is_reviewer(user) or any(c.lead_professional_id == user.id for c in cases)


def _both_visible(user):
    return and_(_scoped(PeerLink.case_id, user), _scoped(PeerLink.other_case_id, user))


def _scoped(case_column, user):
    return exists().where(Case.id == case_column, case_scope(user))


def _view(link: PeerLink, on_case_id: int) -> PeerView:
    other = link.other_case if link.case_id == on_case_id else link.case
    return PeerView(
        id=link.id,
        case_id=on_case_id,
        other_case_id=other.id,
        other_child_name=other.child.display_name,
        kind=link.kind,
        kind_label=PeerLinkKind(link.kind).label,
        reliability=link.reliability,
        reliability_label=LinkReliability(link.reliability).label,
        note=link.note,
        created_at=link.created_at,
    )


def visible_links(user, case_ids: list[int]) -> dict[int, list[PeerView]]:
    """The peer links of these cases whose both cases the user may see, by case id (one
    query however many cases). Reads only: the caller audits."""
    if not case_ids:
        return {}
    ids = set(case_ids)
    rows = db.session.scalars(
        select(PeerLink)
        .where(or_(PeerLink.case_id.in_(ids), PeerLink.other_case_id.in_(ids)), _both_visible(user))
        .options(
            selectinload(PeerLink.case).selectinload(Case.child),
            selectinload(PeerLink.other_case).selectinload(Case.child),
        )
        .order_by(PeerLink.id)
    ).all()
    found: dict[int, list[PeerView]] = {}
    for link in rows:
        for case_id in (link.case_id, link.other_case_id):
            if case_id in ids:
                found.setdefault(case_id, []).append(_view(link, case_id))
    return found


@transaction
def list_for(user, case_id: int) -> list[PeerView]:
    """Who: intel.view, on a case whose whole record is in reach (404 otherwise). The
    case's peer links whose other case the user may see too. Audited as peer_link.listed."""
    require(user, Perm.INTEL_VIEW, "peer_link.listed")
    case = visible_case(user, case_id, "peer_link.listed")
    views = visible_links(user, [case.id]).get(case.id, [])
    audit.record(
        "peer_link.listed", "case", case.id, detail={"peer_link_ids": [v.id for v in views]}, actor=user
    )
    return views


def _refuse_unknown(data: Mapping) -> None:
    unknown = sorted(k for k in data if k not in FIELDS and k not in ("csrf_token",))
    if unknown:
        raise ValidationError({k: "Unknown field" for k in unknown})


@transaction
def add(user, case_id: int, data: Mapping, *, save_anyway: bool = False) -> PeerView:
    """Who: intel.view; a reviewer or the lead professional of either case (403 otherwise),
    who may see both cases' whole record. `data`: other_case_id, kind (PeerLinkKind),
    reliability (LinkReliability), note (optional). Raises WordingFlagged naming `note`
    when the language check flags it and `save_anyway` is false (nothing saved). Audited
    as peer_link.added; saved anyway, the row names the list entries flagged."""
    action = "peer_link.added"
    require(user, Perm.INTEL_VIEW, action)
    case = visible_case(user, case_id, action)
    _refuse_if_never_allowed(user, case, action)
    _refuse_unknown(data)
    errors: dict = {}
    other_id = record_id(data.get("other_case_id"))
    other = None
    if other_id is None:
        errors["other_case_id"] = OTHER_CASE
    elif other_id == case.id:
        errors["other_case_id"] = "A child's case cannot be linked to itself: enter another case's number"
    else:
        other = db.session.scalar(select(Case).where(Case.id == other_id, case_scope(user)))
        if other is None:
            audit.record_now(f"{action}.denied", "case", other_id, detail={"field": "other_case_id"})
            errors["other_case_id"] = OTHER_CASE
    kind = choice(data, "kind", PeerLinkKind, "Choose how the children are linked", errors)
    reliability = choice(data, "reliability", LinkReliability, "Choose how reliable the link is", errors)
    note = parse_text(data, "note", "Note", errors, max_length=LINK_NOTE_MAX)
    if errors:
        raise ValidationError(errors)
    if not may_manage(user, case, other):
        audit.record_now(f"{action}.denied", "case", case.id, detail={"reason": "not lead or reviewer"})
        raise NotAllowed(action, (NOT_LEAD,))
    low, high = sorted([case.id, other.id])
    duplicate = db.session.scalar(
        select(PeerLink.id).where(
            PeerLink.case_id == low, PeerLink.other_case_id == high, PeerLink.kind == kind
        )
    )
    if duplicate is not None:
        raise ValidationError(
            {"kind": f"These two children are already linked as {PeerLinkKind(kind).label.lower()}"}
        )
    flagged = check_before_saving({"note": note}, save_anyway=save_anyway, labels=NOTE_LABELS)
    link = PeerLink(
        case_id=low, other_case_id=high, kind=kind, reliability=reliability, note=note, created_by_id=user.id
    )
    try:
        with savepoint():
            db.session.add(link)
            db.session.flush()
    except IntegrityError:
        # Someone added the same link a moment ago.
        raise ValidationError(
            {"kind": f"These two children are already linked as {PeerLinkKind(kind).label.lower()}"}
        ) from None
    audit.record(
        action,
        "peer_link",
        link.id,
        detail={
            "case_id": low,
            "other_case_id": high,
            "kind": kind,
            "reliability": reliability,
            **audit_detail(flagged),
        },
        actor=user,
    )
    return _view(link, case.id)


@transaction
def remove(user, case_id: int, link_id: int) -> None:
    """Who: as for `add`, on a link of this case whose other case they may see (404
    otherwise). Audited as peer_link.removed with both case ids."""
    action = "peer_link.removed"
    require(user, Perm.INTEL_VIEW, action)
    case = visible_case(user, case_id, action)
    _refuse_if_never_allowed(user, case, action)
    link = db.session.scalar(
        select(PeerLink)
        .where(
            PeerLink.id == record_id(link_id),
            or_(PeerLink.case_id == case.id, PeerLink.other_case_id == case.id),
            _both_visible(user),
        )
        .with_for_update()
    )
    if link is None:
        raise deny_record("peer_link", link_id, action)
    if not may_manage(user, link.case, link.other_case):
        audit.record_now(f"{action}.denied", "peer_link", link.id, detail={"reason": "not lead or reviewer"})
        raise NotAllowed(action, (NOT_LEAD,))
    detail = {"case_id": link.case_id, "other_case_id": link.other_case_id, "kind": link.kind}
    db.session.delete(link)
    audit.record(action, "peer_link", link.id, detail=detail, actor=user)


def check_may_add(user, case_id: int) -> Case:
    """For the form: the case if the user may add a peer link to it (404 out of reach,
    403 neither a reviewer nor a lead professional). Reads nothing beyond that."""
    action = "peer_link.added"
    require(user, Perm.INTEL_VIEW, action)
    case = visible_case(user, case_id, action)
    _refuse_if_never_allowed(user, case, action)
    return case
