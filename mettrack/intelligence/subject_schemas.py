"""marshmallow schemas of /api/v1/locations, /api/v1/persons and /api/v1/intelligence/search,
and the functions that turn the use cases' answers into them. The schemas check types
only; the use cases check everything else (a malformed postcode, registration or phone,
an impossible date of birth, an unknown person in an association) and answer a 422
naming the field."""

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from mettrack.api.schemas import listed, save_anyway_field
from mettrack.core.choices import LinkReliability, LocationType
from mettrack.intelligence import locations, persons, search
from mettrack.intelligence.normalise import registration_display

VERSION = dict(
    strict=True, required=True, metadata={"description": "The version read (a stale one gets 409)."}
)


class PagingQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=Range(min=1, max=locations.MAX_PAGE))
    per_page = fields.Integer(
        load_default=locations.DEFAULT_PER_PAGE, validate=Range(min=1, max=locations.MAX_PER_PAGE)
    )


# --- what is linked ---------------------------------------------------------------------------


class LinkedItemSchema(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    text = fields.String(
        required=True,
        metadata={"description": "What was shared, for reviewers; the sanitised text of a P item otherwise."},
    )
    handling_code = fields.String(required=True, allow_none=True)
    conditions = fields.String(required=True, allow_none=True)
    information_date = fields.Date(required=True)


class LinkedCaseSchema(Schema):
    id = fields.Integer(required=True)
    child_name = fields.String(required=True)


class LinkedDisruptionSchema(Schema):
    id = fields.Integer(required=True)
    kind_name = fields.String(required=True)
    status = fields.String(required=True)
    expires_on = fields.Date(required=True, allow_none=True)


class AssociationSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "person or location"})
    record_id = fields.Integer(required=True)
    name = fields.String(required=True)
    relation = fields.String(required=True, allow_none=True)
    reliability = fields.String(required=True, metadata={"description": listed(LinkReliability)})


class LinkedSchema(Schema):
    items = fields.List(fields.Nested(LinkedItemSchema), required=True)
    cases = fields.List(
        fields.Nested(LinkedCaseSchema),
        required=True,
        metadata={"description": "The linked children whose record you may open."},
    )
    hidden_cases = fields.Integer(
        required=True, metadata={"description": "How many other linked children you may not open."}
    )
    disruptions = fields.List(fields.Nested(LinkedDisruptionSchema), required=True)
    associations = fields.List(fields.Nested(AssociationSchema), required=True)
    hidden_associations = fields.Integer(required=True)


def dump_linked(linked: locations.Linked) -> dict:
    return {
        "items": [
            {
                "id": i.id,
                "reference": i.reference,
                "text": i.text,
                "handling_code": i.handling_code,
                "conditions": i.conditions,
                "information_date": i.information_date,
            }
            for i in linked.items
        ],
        "cases": [{"id": c.id, "child_name": c.child_name} for c in linked.cases],
        "hidden_cases": linked.hidden_cases,
        "disruptions": [
            {"id": d.id, "kind_name": d.kind_name, "status": d.status, "expires_on": d.expires_on}
            for d in linked.disruptions
        ],
        "associations": [
            {
                "id": a.id,
                "kind": a.kind,
                "record_id": a.record_id,
                "name": a.name,
                "relation": a.relation,
                "reliability": a.reliability,
            }
            for a in linked.associations
        ],
        "hidden_associations": linked.hidden_associations,
    }


# --- locations ----------------------------------------------------------------------------------


class LocationSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    location_type = fields.String(required=True, metadata={"description": listed(LocationType)})
    address = fields.String(required=True, allow_none=True)
    postcode = fields.String(required=True, allow_none=True, metadata={"description": "Normalised: PO1 2AB."})
    latitude = fields.Float(required=True, allow_none=True)
    longitude = fields.Float(required=True, allow_none=True)
    description = fields.String(required=True, allow_none=True)
    version = fields.Integer(required=True)
    linked = fields.Nested(LinkedSchema, metadata={"description": "On reading one place only."})


class LocationPageSchema(Schema):
    items = fields.List(fields.Nested(LocationSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class _LocationFields(Schema):
    address = fields.String(allow_none=True, validate=Length(max=locations.MAX_ADDRESS))
    postcode = fields.String(
        allow_none=True, metadata={"description": "A UK postcode in any spacing or case; stored as PO1 2AB."}
    )
    latitude = fields.Float(allow_none=True, validate=Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=Range(min=-180, max=180))
    description = fields.String(allow_none=True, validate=Length(max=locations.MAX_DESCRIPTION))


class LocationCreateSchema(_LocationFields):
    save_anyway = save_anyway_field()
    name = fields.String(required=True)
    location_type = fields.String(required=True, validate=OneOf(LocationType.values()))


class LocationPatchSchema(_LocationFields):
    save_anyway = save_anyway_field()
    name = fields.String()
    location_type = fields.String(validate=OneOf(LocationType.values()))
    version = fields.Integer(**VERSION)


def dump_location(row, linked: locations.Linked | None = None) -> dict:
    out = {
        "id": row.id,
        "name": row.name,
        "location_type": row.location_type,
        "address": row.address,
        "postcode": row.postcode,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "description": row.description,
        "version": row.version,
    }
    if linked is not None:
        out["linked"] = dump_linked(linked)
    return out


# --- persons ------------------------------------------------------------------------------------


class VehicleSchema(Schema):
    registration = fields.String(
        required=True,
        metadata={"description": "Normalised: capitals, no spaces (AB12CDE); input in any form."},
    )
    shown = fields.String(dump_only=True, metadata={"description": "As on the plate: AB12 CDE."})
    description = fields.String(allow_none=True)


class PhoneSchema(Schema):
    number = fields.String(
        required=True, metadata={"description": "A UK number; stored as digits with its 0 (07700900123)."}
    )
    note = fields.String(allow_none=True)


class AssociationInSchema(Schema):
    person_id = fields.Integer(
        strict=True, allow_none=True, metadata={"description": "Another person of concern."}
    )
    location_id = fields.Integer(strict=True, allow_none=True, metadata={"description": "Or a place."})
    relation = fields.String(allow_none=True, metadata={"description": "For example: brother, drives for."})
    reliability = fields.String(required=True, validate=OneOf(LinkReliability.values()))


class PersonSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    aliases = fields.List(fields.String(), required=True)
    date_of_birth = fields.Date(required=True, allow_none=True)
    approximate_age = fields.Integer(required=True, allow_none=True)
    description = fields.String(required=True, allow_none=True)
    vehicles = fields.List(fields.Nested(VehicleSchema), required=True)
    phones = fields.List(fields.Nested(PhoneSchema), required=True)
    review_on = fields.Date(
        required=True, allow_none=True, metadata={"description": "Reviewers only (null for others)."}
    )
    review_due = fields.Boolean(
        required=True, metadata={"description": "Past its review date (reviewers only)."}
    )
    version = fields.Integer(required=True)
    linked = fields.Nested(LinkedSchema, metadata={"description": "On reading one person only."})


class PersonPageSchema(Schema):
    items = fields.List(fields.Nested(PersonSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class _PersonFields(Schema):
    aliases = fields.List(fields.String())
    date_of_birth = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD, not in the future."})
    approximate_age = fields.Integer(
        strict=True, allow_none=True, metadata={"description": "When the date of birth is not known (0-120)."}
    )
    description = fields.String(allow_none=True, validate=Length(max=persons.MAX_DESCRIPTION))
    vehicles = fields.List(fields.Nested(VehicleSchema))
    phones = fields.List(fields.Nested(PhoneSchema))
    associations = fields.List(
        fields.Nested(AssociationInSchema),
        metadata={"description": "Replaces the person's associations when given."},
    )


class PersonCreateSchema(_PersonFields):
    save_anyway = save_anyway_field()
    name = fields.String(required=True)
    review_on = fields.String(
        required=True, metadata={"description": "YYYY-MM-DD: when a reviewer decides whether to keep it."}
    )


class PersonPatchSchema(_PersonFields):
    save_anyway = save_anyway_field()
    name = fields.String()
    review_on = fields.String()
    version = fields.Integer(**VERSION)


def dump_person(
    user_is_reviewer: bool, row, linked: locations.Linked | None = None, *, review_due=False
) -> dict:
    out = {
        "id": row.id,
        "name": row.name,
        "aliases": [a.alias for a in row.aliases],
        "date_of_birth": row.date_of_birth,
        "approximate_age": row.approximate_age,
        "description": row.description,
        "vehicles": [
            {
                "registration": v.registration,
                "shown": registration_display(v.registration),
                "description": v.description,
            }
            for v in row.vehicles
        ],
        "phones": [{"number": p.number, "note": p.note} for p in row.phones],
        "review_on": row.review_on if user_is_reviewer else None,
        "review_due": review_due,
        "version": row.version,
    }
    if linked is not None:
        out["linked"] = dump_linked(linked)
    return out


# --- search -------------------------------------------------------------------------------------


class SearchSchema(Schema):
    query = fields.String(
        required=True,
        metadata={
            "description": "What to search for. Never kept: the audit row holds the kind and the ids found."
        },
    )
    kind = fields.String(
        load_default=search.NAME,
        validate=OneOf(list(search.KINDS)),
        metadata={
            "description": "name (the default: names and aliases, forgiving spelling), "
            "postcode (full or outward code), registration or phone."
        },
    )


class ItemHitSchema(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    excerpt = fields.String(required=True)


class LocationHitSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    postcode = fields.String(required=True, allow_none=True)


class PersonHitSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    aliases = fields.List(fields.String(), required=True)
    matched = fields.String(required=True, allow_none=True)


class SearchResultsSchema(Schema):
    kind = fields.String(required=True)
    items = fields.List(fields.Nested(ItemHitSchema), required=True)
    locations = fields.List(fields.Nested(LocationHitSchema), required=True)
    persons = fields.List(fields.Nested(PersonHitSchema), required=True)


def dump_results(results: search.SearchResults) -> dict:
    return {
        "kind": results.kind,
        "items": [{"id": h.id, "reference": h.reference, "excerpt": h.excerpt} for h in results.items],
        "locations": [{"id": h.id, "name": h.name, "postcode": h.postcode} for h in results.locations],
        "persons": [
            {"id": h.id, "name": h.name, "aliases": h.aliases, "matched": h.matched} for h in results.persons
        ],
    }
