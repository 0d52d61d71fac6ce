"""Persons of concern: the list, one person's page, and what reviewers record about a person:
names and aliases, an approximate age or a date of birth, a description, vehicles, phone
numbers, associations with other persons and places, and the date by which a reviewer
decides whether the record is still needed (docs/intelligence-places-persons.md).

Reviewers (Perm.INTEL_REVIEW) create and change persons; anyone with Perm.INTEL_VIEW reads
the persons within their reach (access.person_scope), NotFound (audited) otherwise. The
page lists what locations.py lists for a place, plus the person's associations.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from mettrack.core import audit
from mettrack.core.choices import LinkReliability
from mettrack.core.clock import today
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import date_value, parse_int, parse_text, parse_version
from mettrack.core.limits import DATABASE_INT_MAX, max_length
from mettrack.core.permissions import Perm, require
from mettrack.core.unit_of_work import transaction
from mettrack.intelligence import access
from mettrack.intelligence.locations import (
    Linked,
    associations_of,
    linked_cases,
    linked_disruptions,
    linked_items,
)
from mettrack.intelligence.models import (
    CaseSubjectLink,
    DisruptionAction,
    IntelligenceLink,
    Location,
    PersonAlias,
    PersonAssociation,
    PersonOfConcern,
    PersonPhone,
    PersonVehicle,
)
from mettrack.intelligence.normalise import (
    phone_display,
    phone_or_none,
    registration_display,
    registration_or_none,
)
from mettrack.intelligence.subjects import DEFAULT_PER_PAGE, Listing, listed
from mettrack.language import audit_detail, check_before_saving

MAX_DESCRIPTION = 5000
MAX_ALIASES = 20
MAX_VEHICLES = 20
MAX_PHONES = 20
MAX_ASSOCIATIONS = 50
MAX_AGE = 120
AGE_TOLERANCE = 2  # an approximate age this far from the date of birth's is still "about"
EARLIEST_BIRTH_YEAR = 1900
PERSON_FIELDS = frozenset(
    {
        "name",
        "aliases",
        "date_of_birth",
        "approximate_age",
        "description",
        "vehicles",
        "phones",
        "associations",
        "review_on",
        "version",
    }
)


def default_review_on(on: date | None = None) -> date:
    """A year from today: what the form offers as the review date."""
    day = on or today()
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# --- reading what was given -------------------------------------------------------------------


def _lines(value) -> list:
    """A list from JSON, or a textarea's lines (blank ones left out)."""
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    if isinstance(value, list | tuple):
        return list(value)
    return []


def _aliases(data: Mapping, errors: dict) -> list[str]:
    value = data.get("aliases")
    if value is not None and not isinstance(value, str | list | tuple):
        errors["aliases"] = "Aliases must be a list of names"
        return []
    limit = max_length(PersonAlias.alias)
    found: list[str] = []
    for alias in _lines(value):
        if not isinstance(alias, str) or not alias.strip():
            errors["aliases"] = "Each alias must be a name"
            return []
        alias = alias.strip()
        if len(alias) > limit:
            errors["aliases"] = f"Each alias must be {limit} characters or fewer"
            return []
        if alias not in found:
            found.append(alias)
    if len(found) > MAX_ALIASES:
        errors["aliases"] = f"Give at most {MAX_ALIASES} aliases"
    return found


def _pair(entry, first: str, second: str) -> tuple:
    """(first, second) from {"registration": ..., "description": ...} or from a line
    "AB12 CDE, grey Ford Focus" (the part after the first comma is the second)."""
    if isinstance(entry, Mapping):
        return entry.get(first), entry.get(second), set(entry) - {first, second}
    if isinstance(entry, str):
        head, _, tail = entry.partition(",")
        return head.strip(), tail.strip() or None, set()
    return None, None, set()


def _vehicles(data: Mapping, errors: dict) -> list[tuple[str, str | None]]:
    value = data.get("vehicles")
    if value is not None and not isinstance(value, str | list | tuple):
        errors["vehicles"] = "Vehicles must be a list"
        return []
    limit = max_length(PersonVehicle.description)
    found: list[tuple[str, str | None]] = []
    for number, entry in enumerate(_lines(value), start=1):
        registration, description, unknown = _pair(entry, "registration", "description")
        stored = registration_or_none(registration)
        if unknown:
            errors["vehicles"] = f"Vehicle {number}: unknown fields {', '.join(sorted(unknown))}"
            return []
        if stored is None:
            errors["vehicles"] = (
                f"Vehicle {number}: the registration must be 2 to 8 letters and numbers, like AB12 CDE"
            )
            return []
        if description is not None and (not isinstance(description, str) or len(description) > limit):
            errors["vehicles"] = (
                f"Vehicle {number}: the description must be text of {limit} characters or fewer"
            )
            return []
        description = description.strip() or None if isinstance(description, str) else None
        if stored not in [v[0] for v in found]:
            found.append((stored, description))
    if len(found) > MAX_VEHICLES:
        errors["vehicles"] = f"Give at most {MAX_VEHICLES} vehicles"
    return found


def _phones(data: Mapping, errors: dict) -> list[tuple[str, str | None]]:
    value = data.get("phones")
    if value is not None and not isinstance(value, str | list | tuple):
        errors["phones"] = "Phone numbers must be a list"
        return []
    limit = max_length(PersonPhone.note)
    found: list[tuple[str, str | None]] = []
    for number, entry in enumerate(_lines(value), start=1):
        raw, note, unknown = _pair(entry, "number", "note")
        if unknown:
            errors["phones"] = f"Phone number {number}: unknown fields {', '.join(sorted(unknown))}"
            return []
        stored = phone_or_none(raw)
        if stored is None:
            errors["phones"] = (
                f"Phone number {number} must be a UK number of 10 or 11 digits, like 07700 900123"
            )
            return []
        if note is not None and (not isinstance(note, str) or len(note) > limit):
            errors["phones"] = f"Phone number {number}: the note must be text of {limit} characters or fewer"
            return []
        note = note.strip() or None if isinstance(note, str) else None
        if stored not in [p[0] for p in found]:
            found.append((stored, note))
    if len(found) > MAX_PHONES:
        errors["phones"] = f"Give at most {MAX_PHONES} phone numbers"
    return found


@dataclass(frozen=True)
class AssociationInput:
    other_person_id: int | None
    location_id: int | None
    relation: str | None
    reliability: str

    @property
    def key(self) -> tuple:
        return (self.other_person_id, self.location_id, self.relation, self.reliability)


def _record_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if (
        isinstance(value, str)
        and value.strip().isascii()
        and value.strip().isdigit()
        and len(value.strip()) <= 10
    ):
        value = int(value.strip())
    if isinstance(value, int) and 1 <= value <= DATABASE_INT_MAX:
        return value
    return None


ASSOCIATION_KEYS = {"person_id", "location_id", "relation", "reliability"}


def _associations(user, data: Mapping, person_id: int | None, errors: dict) -> list[AssociationInput]:
    value = data.get("associations")
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        errors["associations"] = "Associations must be a list"
        return []
    if len(value) > MAX_ASSOCIATIONS:
        errors["associations"] = f"Give at most {MAX_ASSOCIATIONS} associations"
        return []
    limit = max_length(PersonAssociation.relation)
    found: list[AssociationInput] = []
    for number, entry in enumerate(value, start=1):
        where = f"Association {number}"
        if not isinstance(entry, Mapping):
            errors["associations"] = f"{where} must name a person_id or a location_id"
            return []
        unknown = set(entry) - ASSOCIATION_KEYS
        if unknown:
            errors["associations"] = f"{where}: unknown fields {', '.join(sorted(unknown))}"
            return []
        given_person = entry.get("person_id") not in (None, "")
        given_place = entry.get("location_id") not in (None, "")
        if given_person == given_place:
            errors["associations"] = f"{where} must name either a person_id or a location_id"
            return []
        record_id = _record_id(entry.get("person_id") if given_person else entry.get("location_id"))
        model, scope = (
            (PersonOfConcern, access.person_scope(user))
            if given_person
            else (Location, access.location_scope(user))
        )
        label = "person of concern" if given_person else "location"
        if (
            record_id is None
            or db.session.scalar(select(model.id).where(model.id == record_id, scope)) is None
        ):
            errors["associations"] = f"{where}: there is no {label} with that id that you can see"
            return []
        if given_person and record_id == person_id:
            errors["associations"] = f"{where}: a person cannot be associated with themselves"
            return []
        reliability = entry.get("reliability")
        if not isinstance(reliability, str) or reliability.strip() not in LinkReliability.values():
            errors["associations"] = f"{where}: choose how reliable it is: " + ", ".join(
                LinkReliability.values()
            )
            return []
        relation = entry.get("relation")
        if relation is not None and not isinstance(relation, str):
            errors["associations"] = f"{where}: the relation must be text"
            return []
        relation = (relation or "").strip() or None
        if relation and len(relation) > limit:
            errors["associations"] = f"{where}: the relation must be {limit} characters or fewer"
            return []
        association = AssociationInput(
            record_id if given_person else None,
            None if given_person else record_id,
            relation,
            reliability.strip(),
        )
        if association.key not in [a.key for a in found]:
            found.append(association)
    return found


def _read_person(user, data: Mapping, found: PersonOfConcern | None) -> tuple[dict, dict]:
    partial = found is not None
    errors: dict = {}
    values: dict = {}
    on = today()

    def given(name: str) -> bool:
        return not partial or name in data

    if given("name"):
        values["name"] = parse_text(
            data, "name", "Name", errors, max_length=max_length(PersonOfConcern.name), required=True
        )
    if given("aliases"):
        values["aliases"] = _aliases(data, errors)
    if given("date_of_birth"):
        born = date_value(data.get("date_of_birth"), "date_of_birth", "Date of birth", errors, today=on)
        if born is not None and born.year < EARLIEST_BIRTH_YEAR:
            errors["date_of_birth"] = f"Date of birth must be after {EARLIEST_BIRTH_YEAR}"
            born = None
        values["date_of_birth"] = born
    if given("approximate_age"):
        age = parse_int(data, "approximate_age", "Approximate age", errors)
        if age is not None and not 0 <= age <= MAX_AGE:
            errors["approximate_age"] = f"Approximate age must be a whole number from 0 to {MAX_AGE}"
            age = None
        values["approximate_age"] = age
    if given("description"):
        values["description"] = parse_text(
            data, "description", "Description", errors, max_length=MAX_DESCRIPTION
        )
    if given("vehicles"):
        values["vehicles"] = _vehicles(data, errors)
    if given("phones"):
        values["phones"] = _phones(data, errors)
    if given("associations"):
        values["associations"] = _associations(user, data, found.id if found else None, errors)
    if given("review_on"):
        review_on = date_value(data.get("review_on"), "review_on", "Review date", errors, required=True)
        if review_on is not None and review_on < on and (found is None or review_on != found.review_on):
            errors["review_on"] = "Review date must be today or later"
        values["review_on"] = review_on
    if "date_of_birth" not in errors and "approximate_age" not in errors:
        born = values.get("date_of_birth", found.date_of_birth if found else None)
        age = values.get("approximate_age", found.approximate_age if found else None)
        if born is not None and age is not None and abs(age_on(born, on) - age) > AGE_TOLERANCE:
            errors["approximate_age"] = (
                f"Approximate age does not fit the date of birth, which makes them {age_on(born, on)}: "
                "correct one of them, or leave the approximate age blank"
            )
    return values, errors


# --- writing ---------------------------------------------------------------------------------


def _ids_of(changed: dict) -> dict:
    """What changed, for the audit row, once the new associations have ids."""
    if "associations_added" in changed:
        changed = {**changed, "associations_added": [r.id for r in changed["associations_added"]]}
    return changed


def _apply(user, person: PersonOfConcern, values: dict) -> dict:
    """Sets the values on the person; returns what changed (field names; association rows
    added and ids removed). Nothing is flushed here, so that a change is one UPDATE of
    the person and its version goes up once."""
    with db.session.no_autoflush:
        return _set(user, person, values)


def _set(user, person: PersonOfConcern, values: dict) -> dict:
    changed: dict = {"fields": []}
    for name in ("name", "date_of_birth", "approximate_age", "description", "review_on"):
        if name in values and getattr(person, name) != values[name]:
            setattr(person, name, values[name])
            changed["fields"].append(name)
    if "aliases" in values and [a.alias for a in person.aliases] != values["aliases"]:
        person.aliases = [PersonAlias(alias=a) for a in values["aliases"]]
        changed["fields"].append("aliases")
    if (
        "vehicles" in values
        and [(v.registration, v.description) for v in person.vehicles] != values["vehicles"]
    ):
        person.vehicles = [PersonVehicle(registration=r, description=d) for r, d in values["vehicles"]]
        changed["fields"].append("vehicles")
    if "phones" in values and [(p.number, p.note) for p in person.phones] != values["phones"]:
        person.phones = [PersonPhone(number=n, note=d) for n, d in values["phones"]]
        changed["fields"].append("phones")
    if "associations" in values:
        existing = (
            list(
                db.session.scalars(select(PersonAssociation).where(PersonAssociation.person_id == person.id))
            )
            if person.id
            else []
        )
        wanted = {a.key: a for a in values["associations"]}
        have = {(r.other_person_id, r.location_id, r.relation, r.reliability): r for r in existing}
        removed = [r for key, r in have.items() if key not in wanted]
        for row in removed:
            db.session.delete(row)
        added = []
        for key, a in wanted.items():
            if key not in have:
                row = PersonAssociation(
                    person=person,
                    other_person_id=a.other_person_id,
                    location_id=a.location_id,
                    relation=a.relation,
                    reliability=a.reliability,
                    created_by_id=user.id,
                )
                db.session.add(row)
                added.append(row)
        if added or removed:
            changed["fields"].append("associations")
            changed["associations_added"] = added  # rows: ids once flushed (_ids_of)
            changed["associations_removed"] = [r.id for r in removed]
    changed["fields"].sort()
    return changed


DESCRIPTION_LABELS = {"description": "Description"}


def _language(values: dict, changed_description: bool, save_anyway: bool) -> dict:
    texts = {"description": values.get("description") if changed_description else None}
    return check_before_saving(texts, save_anyway=save_anyway, labels=DESCRIPTION_LABELS)


@transaction
def create_person(user, data: Mapping, *, save_anyway: bool = False) -> PersonOfConcern:
    """Who: a reviewer (intel.review). `data`: name (required), aliases, date_of_birth
    (not in the future) or approximate_age (0-120; both only when they agree within two
    years), description, vehicles (registration normalised, description), phones
    (normalised UK numbers, note), associations ({person_id or location_id, relation,
    reliability}, each one the reviewer can see), review_on (required). Nothing is saved
    when anything is wrong. The description is language-checked (WordingFlagged unless
    `save_anyway`). Audited as person.created."""
    require(user, Perm.INTEL_REVIEW, "person.created")
    values, errors = _read_person(user, data, None)
    if errors:
        raise ValidationError(errors)
    flagged = _language(values, True, save_anyway)
    person = PersonOfConcern(created_by_id=user.id)
    db.session.add(person)
    changed = _apply(user, person, values)
    db.session.flush()
    audit.record(
        "person.created",
        "person",
        person.id,
        detail={
            "associations_added": _ids_of(changed).get("associations_added", []),
            **audit_detail(flagged),
        },
        actor=user,
    )
    return person


@transaction
def update_person(user, person_id, data: Mapping, *, save_anyway: bool = False) -> PersonOfConcern:
    """Who: a reviewer. Changes the fields given (as create_person; a list given replaces
    the whole list) at the `version` read (Conflict when it changed). Audited as
    person.updated naming the fields changed and the association ids added and removed."""
    found = access.person_for(user, person_id, Perm.INTEL_REVIEW, "person.updated", lock=True)
    version = parse_version(data.get("version"))
    values, errors = _read_person(user, data, found)
    if errors:
        raise ValidationError(errors)
    if found.version != version:
        raise Conflict(f"person {found.id} is at version {found.version}, not {version}")
    flagged = _language(
        values, values.get("description", found.description) != found.description, save_anyway
    )
    changed = _apply(user, found, values)
    if changed["fields"] and "name" not in changed["fields"]:
        # A change only to a list (aliases, vehicles ...) is a change to the person as read.
        flag_modified(found, "name")
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(f"person {found.id} changed while it was being saved") from None
    audit.record(
        "person.updated", "person", found.id, detail={**_ids_of(changed), **audit_detail(flagged)}, actor=user
    )
    return found


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    aliases: list[str]
    review_on: date | None  # reviewers only
    review_due: bool  # reviewers only: past its review date
    url: str | None  # added by the view
    record: PersonOfConcern


PersonList = Listing[PersonRow]


@transaction
def list_for(user, *, page: int = 1, per_page: int = DEFAULT_PER_PAGE) -> PersonList:
    """Who: intel.view. The persons within the user's reach (all for a reviewer), by name;
    reviewers also see each review date and which are past it. Audited as person.listed."""
    reviewer = access.is_reviewer(user)
    on = today()

    def row(r: PersonOfConcern) -> PersonRow:
        return PersonRow(
            id=r.id,
            name=r.name,
            aliases=[a.alias for a in r.aliases],
            review_on=r.review_on if reviewer else None,
            review_due=reviewer and r.review_on < on,
            url=None,
            record=r,
        )

    return listed(user, PersonOfConcern, access.person_scope, "person", row, page=page, per_page=per_page)


@dataclass(frozen=True)
class Vehicle:
    registration: str  # as stored: AB12CDE
    shown: str  # as on the plate: AB12 CDE
    description: str | None


@dataclass(frozen=True)
class PersonPage:
    person: PersonOfConcern
    aliases: list[str]
    vehicles: list[Vehicle]
    phones: list[tuple[str, str | None]]
    age: int | None  # from the date of birth when known, else the approximate age
    linked: Linked
    may_edit: bool
    review_due: bool


def vehicles_of(person: PersonOfConcern) -> list[Vehicle]:
    return [
        Vehicle(v.registration, registration_display(v.registration), v.description) for v in person.vehicles
    ]


@transaction
def person_page(user, person_id) -> PersonPage:
    """Who: intel.view, a person within reach (NotFound, audited, otherwise). The person,
    their associations the viewer may open (the rest as a count), and what locations.py
    lists for a place. Audited as person.viewed with the ids shown."""
    found = access.person_for(user, person_id, Perm.INTEL_VIEW, "person.viewed")
    cases, hidden = linked_cases(user, CaseSubjectLink.person_id, found.id)
    associations, hidden_associations = associations_of(user, person_id=found.id)
    linked = Linked(
        items=linked_items(user, IntelligenceLink.person_id, found.id),
        cases=cases,
        hidden_cases=hidden,
        disruptions=linked_disruptions(user, DisruptionAction.person_id, found.id),
        associations=associations,
        hidden_associations=hidden_associations,
    )
    audit.record("person.viewed", "person", found.id, detail=linked.audit_detail(), actor=user)
    on = today()
    reviewer = access.is_reviewer(user)
    return PersonPage(
        person=found,
        aliases=[a.alias for a in found.aliases],
        vehicles=vehicles_of(found),
        phones=[(phone_display(p.number), p.note) for p in found.phones],
        age=age_on(found.date_of_birth, on) if found.date_of_birth else found.approximate_age,
        linked=linked,
        may_edit=reviewer,
        review_due=reviewer and found.review_on < on,
    )


@dataclass(frozen=True)
class PersonEdit:
    person: PersonOfConcern
    associations: list[PersonAssociation]  # the ones this person's record holds


@transaction
def person_for_edit(user, person_id) -> PersonEdit:
    """Who: a reviewer. The person as its edit form starts from. Audited as person.viewed."""
    found = access.person_for(user, person_id, Perm.INTEL_REVIEW, "person.viewed")
    rows = list(
        db.session.scalars(
            select(PersonAssociation)
            .where(PersonAssociation.person_id == found.id)
            .order_by(PersonAssociation.id)
        )
    )
    audit.record("person.viewed", "person", found.id, detail={"reason": "edit"}, actor=user)
    return PersonEdit(found, rows)


def association_targets(user) -> list[tuple[str, str]]:
    """The persons and places a reviewer may associate a person with, for the form's choice:
    ("person:12", "Person: Dale Example") ..."""
    persons = db.session.execute(
        select(PersonOfConcern.id, PersonOfConcern.name)
        .where(access.person_scope(user))
        .order_by(PersonOfConcern.name)
    ).all()
    places = db.session.execute(
        select(Location.id, Location.name).where(access.location_scope(user)).order_by(Location.name)
    ).all()
    return [(f"person:{p.id}", f"Person: {p.name}") for p in persons] + [
        (f"location:{p.id}", f"Place: {p.name}") for p in places
    ]
