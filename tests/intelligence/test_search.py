"""intelligence/search.py: forgiving names, postcodes, registrations and phones, in scope,
audited without the search text."""

import json

import pytest
from sqlalchemy import select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.intelligence import search
from tests.intelligence import factories as intel
from tests.intelligence.subject_helpers import make_world


@pytest.fixture
def world(app_ctx):
    return make_world()


def _ids(hits):
    return [h.id for h in hits]


def test_a_misspelt_name_finds_the_person_and_the_item(world):
    found = search.search(world["chair"], {"query": "Dale Exampel", "kind": "name"})
    assert _ids(found.persons) == [world["person"].id] and found.persons[0].matched is None
    assert world["p_item"].id in _ids(found.items)
    assert world["hidden_person"].id not in _ids(found.persons)


def test_an_alias_finds_the_person(world):
    found = search.search(world["lead"], {"query": "smokey"})
    assert _ids(found.persons) == [world["person"].id] and found.persons[0].matched == "Smokey"


def test_a_registration_in_any_form_finds_the_person_and_the_item(world):
    found = search.search(world["chair"], {"query": "ab12cde", "kind": "registration"})
    assert _ids(found.persons) == [world["person"].id] and found.persons[0].matched == "AB12 CDE"
    assert _ids(found.items) == [world["p_item"].id]
    # The lead reads the sanitised text, which names no car: the item is not found by it.
    assert search.search(world["lead"], {"query": "AB12 CDE", "kind": "registration"}).items == []


def test_postcode_full_or_outward_and_phone(world):
    other = intel.location(world["officer"], name="Far Away", postcode="PO12 9ZZ")
    assert _ids(search.search(world["chair"], {"query": "po12ab", "kind": "postcode"}).locations) == [
        world["place"].id
    ]
    assert _ids(search.search(world["chair"], {"query": "PO1", "kind": "postcode"}).locations) == [
        world["place"].id
    ]
    assert _ids(search.search(world["chair"], {"query": "po12", "kind": "postcode"}).locations) == [other.id]
    phone = search.search(world["lead"], {"query": "+44 7700 900123", "kind": "phone"})
    assert _ids(phone.persons) == [world["person"].id]


def test_only_what_the_searcher_may_open(world):
    assert search.search(world["lead"], {"query": "Kyle Sample"}).count == 0
    chair = search.search(world["chair"], {"query": "Kyle Sample"})
    assert _ids(chair.persons) == [world["hidden_person"].id] and _ids(chair.items) == [world["c_item"].id]
    # The sharer finds their own submissions by what they wrote.
    assert world["c_item"].id in _ids(search.search(world["sharer"], {"query": "Kyle Sample"}).items)


def test_the_audit_row_holds_the_kind_and_ids_never_the_text(world):
    found = search.search(world["lead"], {"query": "Dale Exampel", "kind": "name"})
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "intelligence.searched"))
    detail = json.loads(row.detail)
    assert detail["kind"] == "name" and detail["person_ids"] == _ids(found.persons)
    assert "dale" not in row.detail.lower() and "exampel" not in row.detail.lower()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"query": ""}, "query"),
        ({"query": "x"}, "query"),
        ({"query": "Dale", "kind": "colour"}, "kind"),
        ({"query": "not a postcode", "kind": "postcode"}, "query"),
        ({"query": "!!", "kind": "registration"}, "query"),
        ({"query": "123", "kind": "phone"}, "query"),
        ({"query": "a" * 201}, "query"),
        ({"query": 5}, "query"),
    ],
)
def test_bad_queries_name_the_field(world, data, field):
    with pytest.raises(ValidationError) as refused:
        search.search(world["lead"], data)
    assert field in refused.value.errors
