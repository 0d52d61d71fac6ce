"""Locations of concern: the list, one place's page, and what reviewers record about a place
(docs/intelligence-places-persons.md).

Reviewers (Perm.INTEL_REVIEW: MET chairs, police users with a case role) create and change
places. Anyone with Perm.INTEL_VIEW reads the places within their reach
(access.location_scope); any other place is NotFound, audited by access.py.

A place's page lists what the viewer may see of what is linked to it: intelligence items
under handling (reviewers read what was shared, everyone else the sanitised text of a
P item), the children's cases whose whole record the viewer may see (the rest as a
count, never a name), disruption actions within access.disruption_scope, and the persons
of concern associated with it. The helpers for those lists serve persons.py too.
Every read writes an audit row naming the ids shown; every change one row.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm.exc import StaleDataError

from mettrack.cases import case_scope
from mettrack.cases.models import Case
from mettrack.children.models import Child
from mettrack.core import audit
from mettrack.core.choices import DisruptionStatus, HandlingCode, LinkReliability, LocationType
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_text, parse_version
from mettrack.core.limits import max_length
from mettrack.core.permissions import Perm, can, require
from mettrack.core.unit_of_work import transaction
from mettrack.intelligence import access, subjects
from mettrack.intelligence.models import (
    CaseSubjectLink,
    DisruptionAction,
    IntelligenceItem,
    IntelligenceLink,
    Location,
    PersonAssociation,
    PersonOfConcern,
)
from mettrack.intelligence.normalise import postcode_or_none
from mettrack.intelligence.subjects import DEFAULT_PER_PAGE, Listing, listed
from mettrack.language import audit_detail, check_before_saving

MAX_ADDRESS = 1000
MAX_PAGE, MAX_PER_PAGE = subjects.MAX_PAGE, subjects.MAX_PER_PAGE  # as the API's schema reads them
MAX_DESCRIPTION = 5000
POSTCODE_MESSAGE = "Postcode must be a real UK postcode, like PO1 2AB"
NO_SANITISED_TEXT = "A reviewer has not yet written the text that may be shared."
LOCATION_FIELDS = frozenset(
    {"name", "location_type", "address", "postcode", "latitude", "longitude", "description", "version"}
)


# --- what a page shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedItem:
    id: int
    reference: str
    text: str  # what was shared, for reviewers; the sanitised text for the rest
    handling_code: str | None
    conditions: str | None
    information_date: date
    url: str | None  # the page's link, added by the view (subject_pages)


@dataclass(frozen=True)
class LinkedCase:
    id: int
    child_name: str
    url: str | None  # the page's link, added by the view (subject_pages)


@dataclass(frozen=True)
class LinkedDisruption:
    id: int
    kind_name: str
    status: str
    status_label: str
    expires_on: date | None
    url: str | None  # the page's link, added by the view (subject_pages)


@dataclass(frozen=True)
class Association:
    id: int
    kind: str  # "person" or "location"
    record_id: int
    name: str
    relation: str | None
    reliability: str
    reliability_label: str
    url: str | None  # the page's link, added by the view (subject_pages)


@dataclass(frozen=True)
class Linked:
    """What the viewer may see of what is linked to a place or a person."""

    items: list[LinkedItem]
    cases: list[LinkedCase]
    hidden_cases: int  # linked children whose record the viewer may not open: a count only
    disruptions: list[LinkedDisruption]
    associations: list[Association]
    hidden_associations: int

    def audit_detail(self) -> dict:
        return {
            "item_ids": [i.id for i in self.items],
            "case_ids": [c.id for c in self.cases],
            "hidden_cases": self.hidden_cases,
            "disruption_ids": [d.id for d in self.disruptions],
            "association_ids": [a.id for a in self.associations],
        }


def _item_text(user, item: IntelligenceItem) -> str:
    if access.is_reviewer(user) or item.handling_code == HandlingCode.WITH_CONDITIONS.value:
        # A C item reaches a non-reviewer only when its conditions name them; it never
        # has a sanitised text (DESIGN.md, Intelligence).
        return item.information
    return item.sanitised_text or NO_SANITISED_TEXT


def linked_items(user, link_column, record_id: int) -> list[LinkedItem]:
    # Two queries: handled_link correlates IntelligenceItem, so the link query must not
    # select from it too.
    item_ids = set(
        db.session.scalars(
            select(IntelligenceLink.item_id).where(link_column == record_id, access.handled_link(user))
        )
    )
    if not item_ids:
        return []
    items = db.session.scalars(
        select(IntelligenceItem)
        .where(IntelligenceItem.id.in_(item_ids))
        .order_by(IntelligenceItem.information_date.desc(), IntelligenceItem.id.desc())
    )
    return [
        LinkedItem(
            id=i.id,
            reference=i.reference,
            text=_item_text(user, i),
            handling_code=i.handling_code,
            conditions=i.handling_conditions
            if i.handling_code == HandlingCode.WITH_CONDITIONS.value
            else None,
            information_date=i.information_date,
            url=None,
        )
        for i in items
    ]


def linked_cases(user, link_column, record_id: int) -> tuple[list[LinkedCase], int]:
    """The cases linked directly to the place or person: those whose whole record the viewer
    may see, with the child's name, and how many others there are."""
    case_ids = set(db.session.scalars(select(CaseSubjectLink.case_id).where(link_column == record_id)))
    if not case_ids:
        return [], 0
    visible = set()
    if can(user, Perm.CASE_VIEW):
        visible = set(db.session.scalars(select(Case.id).where(Case.id.in_(case_ids), case_scope(user))))
    rows = []
    if visible:
        rows = db.session.execute(
            select(Case.id, Child.first_name, Child.last_name)
            .join(Child, Child.id == Case.child_id)
            .where(Case.id.in_(visible))
            .order_by(Child.last_name, Child.first_name, Case.id)
        ).all()
    cases = [LinkedCase(r.id, f"{r.first_name} {r.last_name}".strip() or f"Case {r.id}", None) for r in rows]
    return cases, len(case_ids - visible)


def linked_disruptions(user, target_column, record_id: int) -> list[LinkedDisruption]:
    actions = db.session.scalars(
        select(DisruptionAction)
        .where(target_column == record_id, access.disruption_scope(user))
        .order_by(DisruptionAction.id)
    )
    return [
        LinkedDisruption(
            id=a.id,
            kind_name=a.kind.name,
            status=a.status,
            status_label=DisruptionStatus(a.status).label,
            expires_on=a.expires_on,
            url=None,
        )
        for a in actions
    ]


def _reliability_label(code: str) -> str:
    return LinkReliability.labels().get(code, code)


def associations_of(user, *, person_id: int | None = None, location_id: int | None = None):
    """A person's associations (both ways) or the persons associated with a place, those
    the viewer may open; and how many others there are."""
    if person_id is not None:
        where = or_(PersonAssociation.person_id == person_id, PersonAssociation.other_person_id == person_id)
    else:
        where = PersonAssociation.location_id == location_id
    rows = list(db.session.scalars(select(PersonAssociation).where(where).order_by(PersonAssociation.id)))
    person_ids, location_ids = set(), set()
    for row in rows:
        if location_id is not None or row.person_id != person_id:
            person_ids.add(row.person_id)
        if row.other_person_id is not None and row.other_person_id != person_id:
            person_ids.add(row.other_person_id)
        if row.location_id is not None and location_id is None:
            location_ids.add(row.location_id)
    persons = (
        dict(
            db.session.execute(
                select(PersonOfConcern.id, PersonOfConcern.name).where(
                    PersonOfConcern.id.in_(person_ids), access.person_scope(user)
                )
            ).all()
        )
        if person_ids
        else {}
    )
    places = (
        dict(
            db.session.execute(
                select(Location.id, Location.name).where(
                    Location.id.in_(location_ids), access.location_scope(user)
                )
            ).all()
        )
        if location_ids
        else {}
    )
    shown, hidden = [], 0
    for row in rows:
        if location_id is not None:
            kind, other = "person", row.person_id
        elif row.location_id is not None:
            kind, other = "location", row.location_id
        else:
            kind = "person"
            other = row.other_person_id if row.person_id == person_id else row.person_id
        names = persons if kind == "person" else places
        if other not in names:
            hidden += 1
            continue
        shown.append(
            Association(
                id=row.id,
                kind=kind,
                record_id=other,
                name=names[other],
                relation=row.relation,
                reliability=row.reliability,
                reliability_label=_reliability_label(row.reliability),
                url=None,
            )
        )
    return shown, hidden


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocationRow:
    id: int
    name: str
    location_type: str
    type_label: str
    postcode: str | None
    url: str | None  # the page's link, added by the view (subject_pages)
    record: Location


LocationList = Listing[LocationRow]


def _type_label(code: str) -> str:
    return LocationType.labels().get(code, code)


@transaction
def list_for(user, *, page: int = 1, per_page: int = DEFAULT_PER_PAGE) -> LocationList:
    """Who: intel.view. The places within the user's reach (every place for a reviewer), by
    name, a page at a time. Audited as location.listed with the ids shown."""

    def row(r: Location) -> LocationRow:
        return LocationRow(r.id, r.name, r.location_type, _type_label(r.location_type), r.postcode, None, r)

    return listed(user, Location, access.location_scope, "location", row, page=page, per_page=per_page)


@dataclass(frozen=True)
class LocationPage:
    location: Location
    type_label: str
    linked: Linked
    may_edit: bool


@transaction
def location_page(user, location_id) -> LocationPage:
    """Who: intel.view, a place within reach (NotFound, audited, otherwise). The place and
    what the viewer may see of what is linked to it. Audited as location.viewed with the
    ids shown."""
    found = access.location_for(user, location_id, Perm.INTEL_VIEW, "location.viewed")
    cases, hidden = linked_cases(user, CaseSubjectLink.location_id, found.id)
    associations, hidden_associations = associations_of(user, location_id=found.id)
    linked = Linked(
        items=linked_items(user, IntelligenceLink.location_id, found.id),
        cases=cases,
        hidden_cases=hidden,
        disruptions=linked_disruptions(user, DisruptionAction.location_id, found.id),
        associations=associations,
        hidden_associations=hidden_associations,
    )
    audit.record("location.viewed", "location", found.id, detail=linked.audit_detail(), actor=user)
    return LocationPage(found, _type_label(found.location_type), linked, access.is_reviewer(user))


@transaction
def location_for_edit(user, location_id) -> Location:
    """Who: a reviewer. The place as its edit form starts from. Audited as location.viewed."""
    found = access.location_for(user, location_id, Perm.INTEL_REVIEW, "location.viewed")
    audit.record("location.viewed", "location", found.id, detail={"reason": "edit"}, actor=user)
    return found


# --- changing -------------------------------------------------------------------------------


def _coordinate(data: Mapping, name: str, label: str, bound: float, errors: dict) -> float | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        errors[name] = f"{label} must be a number, like {'50.7989' if name == 'latitude' else '-1.0912'}"
        return None
    if not -bound <= number <= bound:  # also refuses nan and inf
        errors[name] = f"{label} must be between -{bound:g} and {bound:g}"
        return None
    return number


def _read_location(data: Mapping, *, partial: bool) -> tuple[dict, dict]:
    """The fields given (all of them unless `partial`), checked; and {field: message}."""
    errors: dict = {}
    values: dict = {}

    def given(name: str) -> bool:
        return not partial or name in data

    if given("name"):
        values["name"] = parse_text(
            data, "name", "Name", errors, max_length=max_length(Location.name), required=True
        )
    if given("location_type"):
        kind = data.get("location_type")
        if not isinstance(kind, str) or kind.strip() not in LocationType.values():
            errors["location_type"] = "Choose the type of place: " + ", ".join(
                t.label.lower() for t in LocationType
            )
        else:
            values["location_type"] = kind.strip()
    if given("address"):
        values["address"] = parse_text(data, "address", "Address", errors, max_length=MAX_ADDRESS)
    if given("postcode"):
        raw = data.get("postcode")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            values["postcode"] = None
        else:
            values["postcode"] = postcode_or_none(raw)
            if values["postcode"] is None:
                errors["postcode"] = POSTCODE_MESSAGE
    if given("latitude"):
        values["latitude"] = _coordinate(data, "latitude", "Latitude", 90, errors)
    if given("longitude"):
        values["longitude"] = _coordinate(data, "longitude", "Longitude", 180, errors)
    if given("description"):
        values["description"] = parse_text(
            data, "description", "Description", errors, max_length=MAX_DESCRIPTION
        )
    return values, errors


def _check_pair(values: dict, found: Location | None, errors: dict) -> None:
    latitude = values.get("latitude", found.latitude if found else None)
    longitude = values.get("longitude", found.longitude if found else None)
    if "latitude" in errors or "longitude" in errors:
        return
    if (latitude is None) != (longitude is None):
        missing = "latitude" if latitude is None else "longitude"
        errors[missing] = "Give both the latitude and the longitude, or neither"


DESCRIPTION_LABELS = {"description": "Description"}


@transaction
def create_location(user, data: Mapping, *, save_anyway: bool = False) -> Location:
    """Who: a reviewer (intel.review). `data`: name, location_type (LocationType), address,
    postcode (normalised; a malformed one is refused), latitude and longitude (both or
    neither), description (language-checked: WordingFlagged unless `save_anyway`).
    Audited as location.created."""
    require(user, Perm.INTEL_REVIEW, "location.created")
    values, errors = _read_location(data, partial=False)
    _check_pair(values, None, errors)
    if errors:
        raise ValidationError(errors)
    flagged = check_before_saving(
        {"description": values.get("description")}, save_anyway=save_anyway, labels=DESCRIPTION_LABELS
    )
    location = Location(**values, created_by_id=user.id)
    db.session.add(location)
    db.session.flush()
    detail = {"type": location.location_type, **audit_detail(flagged)}
    audit.record("location.created", "location", location.id, detail=detail, actor=user)
    return location


@transaction
def update_location(user, location_id, data: Mapping, *, save_anyway: bool = False) -> Location:
    """Who: a reviewer. Changes the fields given in `data` (as create_location) at the
    `version` read (Conflict when it changed). Audited as location.updated naming the
    fields changed."""
    found = access.location_for(user, location_id, Perm.INTEL_REVIEW, "location.updated", lock=True)
    version = parse_version(data.get("version"))
    values, errors = _read_location(data, partial=True)
    _check_pair(values, found, errors)
    if errors:
        raise ValidationError(errors)
    if found.version != version:
        raise Conflict(f"location {found.id} is at version {found.version}, not {version}")
    changed = sorted(name for name, value in values.items() if getattr(found, name) != value)
    flagged = check_before_saving(
        {"description": values["description"] if "description" in changed else None},
        save_anyway=save_anyway,
        labels=DESCRIPTION_LABELS,
    )
    for name in changed:
        setattr(found, name, values[name])
    audit.record(
        "location.updated",
        "location",
        found.id,
        detail={"fields": changed, **audit_detail(flagged)},
        actor=user,
    )
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(f"location {found.id} changed while it was being saved") from None
    return found


def type_choices() -> list[tuple[str, str]]:
    return LocationType.choices()
