"""Search across intelligence items, locations and persons of concern
(docs/intelligence-places-persons.md): by name or alias with forgiving spelling, by
postcode (a full one, or its outward code alone), by vehicle registration and by phone
number.

Only records within the searcher's reach are candidates (access.item_scope,
location_scope, person_scope), and an item is matched on the text the searcher may read
(what was shared for a reviewer, and for a sharer their own; the sanitised text of a P
item otherwise). Names are scored in Python with rapidfuzz over those candidates, so that
the search is the same on SQLite and PostgreSQL; the candidate lists are a partnership's
places and persons, hundreds, not millions.

The search text comes in a request body, never a URL, and is never written down: the
audit row (intelligence.searched) holds the kind of query and the ids returned.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy import select

from mettrack.core import audit
from mettrack.core.choices import HandlingCode, LocationType
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, require
from mettrack.core.unit_of_work import transaction
from mettrack.intelligence import access
from mettrack.intelligence.models import (
    IntelligenceItem,
    Location,
    PersonOfConcern,
    PersonPhone,
    PersonVehicle,
)
from mettrack.intelligence.normalise import (
    name_key,
    outward_code,
    outward_of,
    phone_or_none,
    postcode_or_none,
    registration_display,
    registration_or_none,
)

NAME, POSTCODE, REGISTRATION, PHONE = "name", "postcode", "registration", "phone"
KINDS = {
    NAME: "Name or alias",
    POSTCODE: "Postcode",
    REGISTRATION: "Vehicle registration",
    PHONE: "Phone number",
}
MAX_QUERY = 200
MIN_NAME = 2
NAME_SCORE = 85  # rapidfuzz WRatio: "Dale Exampel" scores 92 against "Dale Example"
TEXT_SCORE = 90  # partial_ratio of the name within an item's text
MAX_RESULTS = 50
EXCERPT = 300
SEARCH_FIELDS = frozenset({"query", "kind"})


@dataclass(frozen=True)
class ItemHit:
    id: int
    reference: str
    excerpt: str
    url: str | None  # added by the view


@dataclass(frozen=True)
class LocationHit:
    id: int
    name: str
    type_label: str
    postcode: str | None
    url: str | None  # added by the view


@dataclass(frozen=True)
class PersonHit:
    id: int
    name: str
    aliases: list[str]
    matched: str | None  # the alias, registration or number that matched, when not the name
    url: str | None  # added by the view


@dataclass(frozen=True)
class SearchResults:
    kind: str
    kind_label: str
    items: list[ItemHit]
    locations: list[LocationHit]
    persons: list[PersonHit]

    @property
    def count(self) -> int:
        return len(self.items) + len(self.locations) + len(self.persons)


@dataclass(frozen=True)
class Query:
    kind: str
    text: str  # as normalised for the kind: a name key, "PO1 2AB" or "PO1", "AB12CDE", digits
    outward_only: bool = False


def parse_query(data: Mapping) -> Query:
    """The query from a form or a JSON body: `query` (the text) and `kind` (name,
    postcode, registration or phone; name when blank). ValidationError naming the field."""
    errors: dict = {}
    kind = data.get("kind")
    if kind is None or (isinstance(kind, str) and not kind.strip()):
        kind = NAME
    if not isinstance(kind, str) or kind.strip() not in KINDS:
        errors["kind"] = "Choose what to search by: " + ", ".join(KINDS)
        kind = None
    else:
        kind = kind.strip()
    text = data.get("query")
    if not isinstance(text, str) or not text.strip():
        errors["query"] = "Enter what to search for"
    elif len(text) > MAX_QUERY:
        errors["query"] = f"Search text must be {MAX_QUERY} characters or fewer"
    if errors:
        raise ValidationError(errors)
    text = text.strip()
    if kind == NAME:
        key = name_key(text)
        if len(key) < MIN_NAME:
            raise ValidationError({"query": f"Enter at least {MIN_NAME} letters of a name"})
        return Query(NAME, key)
    if kind == POSTCODE:
        full = postcode_or_none(text)
        if full:
            return Query(POSTCODE, full)
        outward = outward_code(text)
        if outward:
            return Query(POSTCODE, outward, outward_only=True)
        raise ValidationError(
            {"query": "Postcode must be a UK postcode like PO1 2AB, or its first part like PO1"}
        )
    if kind == REGISTRATION:
        plate = registration_or_none(text)
        if plate is None:
            raise ValidationError(
                {"query": "Vehicle registration must be 2 to 8 letters and numbers, like AB12 CDE"}
            )
        return Query(REGISTRATION, plate)
    number = phone_or_none(text)
    if number is None:
        raise ValidationError(
            {"query": "Phone number must be a UK number of 10 or 11 digits, like 07700 900123"}
        )
    return Query(PHONE, number)


# --- matching ---------------------------------------------------------------------------------


def _item_text(user, item: IntelligenceItem) -> str:
    if access.sees_source(user, item) or item.handling_code == HandlingCode.WITH_CONDITIONS.value:
        # Reviewers and the sharer read what was shared; a C item reaches anyone else only
        # when its conditions name them, and has no sanitised text.
        return item.information
    return item.sanitised_text or ""


def _squashed(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def _phone_digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text.replace("+44", "0").replace("(0)", ""))


def _item_matches(query: Query, text: str) -> bool:
    if not text:
        return False
    if query.kind == NAME:
        return fuzz.partial_ratio(query.text, name_key(text)) >= TEXT_SCORE
    if query.kind == POSTCODE:
        if query.outward_only:
            return re.search(rf"\b{re.escape(query.text)}\b", text.upper()) is not None
        return _squashed(query.text) in _squashed(text)
    if query.kind == REGISTRATION:
        return query.text in _squashed(text)
    return query.text in _phone_digits(text)


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def _search_items(user, query: Query) -> list[ItemHit]:
    items = db.session.scalars(
        select(IntelligenceItem).where(access.item_scope(user)).order_by(IntelligenceItem.id.desc())
    )
    hits = []
    for item in items:
        text = _item_text(user, item)
        if _item_matches(query, text):
            hits.append(ItemHit(item.id, item.reference, _excerpt(text), None))
            if len(hits) >= MAX_RESULTS:
                break
    return hits


def _best(query: str, names) -> tuple[float, str | None]:
    best, which = 0.0, None
    for name in names:
        score = fuzz.WRatio(query, name_key(name))
        if score > best:
            best, which = score, name
    return best, which


def _location_hit(row: Location) -> LocationHit:
    return LocationHit(
        row.id,
        row.name,
        LocationType.labels().get(row.location_type, row.location_type),
        row.postcode,
        None,
    )


def _search_locations(user, query: Query) -> list[LocationHit]:
    scope = access.location_scope(user)
    if query.kind == NAME:
        scored = []
        for row in db.session.scalars(select(Location).where(scope)):
            score, _ = _best(query.text, [row.name])
            if score >= NAME_SCORE:
                scored.append((-score, row.name, row.id, row))
        return [_location_hit(r[3]) for r in sorted(scored)[:MAX_RESULTS]]
    if query.kind == POSTCODE:
        if query.outward_only:
            condition = Location.postcode.like(f"{query.text} %")
        else:
            condition = Location.postcode == query.text
        rows = db.session.scalars(
            select(Location).where(scope, condition).order_by(Location.name, Location.id).limit(MAX_RESULTS)
        )
        return [
            _location_hit(r) for r in rows if not query.outward_only or outward_of(r.postcode) == query.text
        ]
    return []


def _person_hit(row: PersonOfConcern, matched: str | None) -> PersonHit:
    return PersonHit(row.id, row.name, [a.alias for a in row.aliases], matched, None)


def _search_persons(user, query: Query) -> list[PersonHit]:
    scope = access.person_scope(user)
    if query.kind == NAME:
        scored = []
        for row in db.session.scalars(select(PersonOfConcern).where(scope)):
            score, which = _best(query.text, [row.name, *(a.alias for a in row.aliases)])
            if score >= NAME_SCORE:
                scored.append((-score, row.name, row.id, row, None if which == row.name else which))
        return [_person_hit(r[3], r[4]) for r in sorted(scored, key=lambda r: r[:3])[:MAX_RESULTS]]
    if query.kind == REGISTRATION:
        rows = db.session.scalars(
            select(PersonOfConcern)
            .join(PersonVehicle, PersonVehicle.person_id == PersonOfConcern.id)
            .where(scope, PersonVehicle.registration == query.text)
            .distinct()
            .order_by(PersonOfConcern.name, PersonOfConcern.id)
            .limit(MAX_RESULTS)
        )
        return [_person_hit(r, registration_display(query.text)) for r in rows]
    if query.kind == PHONE:
        rows = db.session.scalars(
            select(PersonOfConcern)
            .join(PersonPhone, PersonPhone.person_id == PersonOfConcern.id)
            .where(scope, PersonPhone.number == query.text)
            .distinct()
            .order_by(PersonOfConcern.name, PersonOfConcern.id)
            .limit(MAX_RESULTS)
        )
        return [_person_hit(r, query.text) for r in rows]
    return []


@transaction
def search(user, data: Mapping) -> SearchResults:
    """Who: intel.view. `data`: `query` and `kind` (parse_query). The items, places and
    persons within the user's reach that match. Audited as intelligence.searched with the
    kind of query and the ids returned, never the text."""
    require(user, Perm.INTEL_VIEW, "intelligence.searched")
    query = parse_query(data)
    results = SearchResults(
        kind=query.kind,
        kind_label=KINDS[query.kind],
        items=_search_items(user, query),
        locations=_search_locations(user, query),
        persons=_search_persons(user, query),
    )
    audit.record(
        "intelligence.searched",
        "intelligence",
        detail={
            "kind": query.kind,
            "outward_only": query.outward_only,
            "item_ids": [h.id for h in results.items],
            "location_ids": [h.id for h in results.locations],
            "person_ids": [h.id for h in results.persons],
        },
        actor=user,
    )
    return results


def kind_choices() -> list[tuple[str, str]]:
    return list(KINDS.items())
