"""A child's case linked directly to a location or a person of concern, with how reliable
the link is (CaseSubjectLink; docs/intelligence-cases.md).

Reviewers of intelligence (MET chairs, and police users with a case role) add and remove
them: the place or person is fetched through access.py, the case must exist. Those who may
see the case's whole record read them (a direct link puts the place or person within their
reach: access.location_scope). The note is language-checked before it is saved. Every read
and change writes an audit row with ids only.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from mettrack.cases import case_scope
from mettrack.cases.models import Case
from mettrack.core import audit
from mettrack.core.choices import LinkReliability, LocationType
from mettrack.core.errors import NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_text
from mettrack.core.limits import LINK_NOTE_MAX
from mettrack.core.permissions import Perm, deny_record, require
from mettrack.core.unit_of_work import savepoint, transaction
from mettrack.intelligence import access
from mettrack.intelligence.models import CaseSubjectLink
from mettrack.intelligence.peers import NOTE_LABELS, choice, record_id, visible_case
from mettrack.language import audit_detail, check_before_saving

FIELDS = ("location_id", "person_id", "reliability", "note")
NO_LOCATION = "Enter the number of a location of concern"
NO_PERSON = "Enter the number of a person of concern"


@dataclass(frozen=True)
class SubjectLinkView:
    id: int
    case_id: int
    kind: str  # "location" or "person"
    subject_id: int
    label: str
    reliability: str
    reliability_label: str
    note: str | None
    created_at: datetime


def subject_label(link: CaseSubjectLink) -> str:
    if link.location is not None:
        return f"{link.location.name} ({LocationType(link.location.location_type).label.lower()})"
    return link.person.name


def view_of(link: CaseSubjectLink) -> SubjectLinkView:
    return SubjectLinkView(
        id=link.id,
        case_id=link.case_id,
        kind="location" if link.location_id else "person",
        subject_id=link.location_id or link.person_id,
        label=subject_label(link),
        reliability=link.reliability,
        reliability_label=LinkReliability(link.reliability).label,
        note=link.note,
        created_at=link.created_at,
    )


def direct_links(case_ids: list[int]) -> dict[int, list[SubjectLinkView]]:
    """The direct links of these cases, by case id (one query). The caller has checked
    that the user may see each case's whole record, and audits."""
    if not case_ids:
        return {}
    rows = db.session.scalars(
        select(CaseSubjectLink)
        .where(CaseSubjectLink.case_id.in_(set(case_ids)))
        .options(selectinload(CaseSubjectLink.location), selectinload(CaseSubjectLink.person))
        .order_by(CaseSubjectLink.id)
    ).all()
    found: dict[int, list[SubjectLinkView]] = {}
    for link in rows:
        found.setdefault(link.case_id, []).append(view_of(link))
    return found


def _existing_case(user, case_id, action: str) -> Case:
    # Reviewers may link any child's case (a police reviewer need not be on its team).
    found = record_id(case_id)
    case = db.session.get(Case, found) if found else None
    if case is None:
        raise deny_record("case", case_id, action)
    return case


@transaction
def list_for(user, case_id: int) -> list[SubjectLinkView]:
    """Who: intel.view, on a case whose whole record is in reach (404 otherwise). Audited
    as case_link.listed with the link ids."""
    require(user, Perm.INTEL_VIEW, "case_link.listed")
    case = visible_case(user, case_id, "case_link.listed")
    views = direct_links([case.id]).get(case.id, [])
    audit.record(
        "case_link.listed", "case", case.id, detail={"case_link_ids": [v.id for v in views]}, actor=user
    )
    return views


@transaction
def add(user, case_id: int, data: Mapping, *, save_anyway: bool = False) -> SubjectLinkView:
    """Who: a reviewer (intel.review; 403 otherwise), on a case that exists (404). `data`:
    exactly one of location_id, person_id; reliability (LinkReliability); note (optional).
    Raises WordingFlagged naming `note` when the language check flags it and `save_anyway`
    is false (nothing saved). Audited as case_link.added; saved anyway, the row names the
    list entries flagged."""
    action = "case_link.added"
    require(user, Perm.INTEL_REVIEW, action)
    case = _existing_case(user, case_id, action)
    unknown = sorted(k for k in data if k not in FIELDS and k != "csrf_token")
    if unknown:
        raise ValidationError({k: "Unknown field" for k in unknown})
    errors: dict = {}
    given_location = data.get("location_id") not in (None, "")
    given_person = data.get("person_id") not in (None, "")
    location = person = None
    if given_location and given_person:
        errors["person_id"] = "Link a location or a person, not both at once"
    elif not given_location and not given_person:
        errors["location_id"] = "Enter the number of a location or of a person of concern"
    elif given_location:
        try:
            location = access.location_for(user, record_id(data["location_id"]), Perm.INTEL_REVIEW, action)
        except NotFound:
            errors["location_id"] = NO_LOCATION
    else:
        try:
            person = access.person_for(user, record_id(data["person_id"]), Perm.INTEL_REVIEW, action)
        except NotFound:
            errors["person_id"] = NO_PERSON
    reliability = choice(data, "reliability", LinkReliability, "Choose how reliable the link is", errors)
    note = parse_text(data, "note", "Note", errors, max_length=LINK_NOTE_MAX)
    if errors:
        raise ValidationError(errors)
    subject = (
        CaseSubjectLink.location_id == location.id if location else CaseSubjectLink.person_id == person.id
    )
    if db.session.scalar(select(CaseSubjectLink.id).where(CaseSubjectLink.case_id == case.id, subject)):
        field = "location_id" if location else "person_id"
        raise ValidationError({field: f"This child's case is already linked to this {field[:-3]}"})
    flagged = check_before_saving({"note": note}, save_anyway=save_anyway, labels=NOTE_LABELS)
    link = CaseSubjectLink(
        case_id=case.id,
        location=location,
        person=person,
        reliability=reliability,
        note=note,
        created_by_id=user.id,
    )
    try:
        with savepoint():
            db.session.add(link)
            db.session.flush()
    except IntegrityError:
        raise ValidationError({"location_id": "The link could not be saved: try again"}) from None
    detail = {
        "case_id": case.id,
        "location_id": link.location_id,
        "person_id": link.person_id,
        "reliability": reliability,
        **audit_detail(flagged),
    }
    audit.record(action, "case_subject_link", link.id, detail=detail, actor=user)
    return view_of(link)


@transaction
def remove(user, case_id: int, link_id: int) -> None:
    """Who: a reviewer, on a link of this case (404 otherwise). Audited as case_link.removed."""
    action = "case_link.removed"
    require(user, Perm.INTEL_REVIEW, action)
    case = _existing_case(user, case_id, action)
    link = db.session.scalar(
        select(CaseSubjectLink)
        .where(CaseSubjectLink.id == record_id(link_id), CaseSubjectLink.case_id == case.id)
        .with_for_update()
    )
    if link is None:
        raise deny_record("case_subject_link", link_id, action)
    detail = {"case_id": case.id, "location_id": link.location_id, "person_id": link.person_id}
    db.session.delete(link)
    audit.record(action, "case_subject_link", link.id, detail=detail, actor=user)


def check_may_add(user, case_id: int) -> Case:
    """For the form: the case if the user may link places and persons to it (403 not a
    reviewer, 404 no such case)."""
    require(user, Perm.INTEL_REVIEW, "case_link.added")
    return _existing_case(user, case_id, "case_link.added")


def sees_whole_record(user, case_id: int) -> bool:
    """Whether the user may open the case's page in full (where a page goes after a change:
    a police reviewer off the case's team is sent back to the form, not to a 404)."""
    return (
        db.session.scalar(select(Case.id).where(Case.id == record_id(case_id), case_scope(user))) is not None
    )
