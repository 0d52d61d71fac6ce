"""intelligence/locations.py: reading a place as each viewer may, and what reviewers record."""

import json

import pytest
from sqlalchemy import func, select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.errors import Conflict, NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.intelligence import locations
from mettrack.intelligence.models import Location
from tests.intelligence import factories as intel
from tests.intelligence.subject_helpers import make_world


@pytest.fixture
def world(app_ctx):
    return make_world()


def _audit(action):
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
    ).all()


def test_a_lead_sees_the_place_linked_to_their_case(world):
    page = locations.location_page(world["lead"], world["place"].id)
    assert page.type_label == "Hotel or short-stay let" and not page.may_edit
    assert [i.text for i in page.linked.items] == ["A man has been seen at a hotel with a car."]
    assert [c.child_name for c in page.linked.cases] == ["Casey Testchild"] and page.linked.hidden_cases == 0
    row = _audit("location.viewed")[-1]
    assert json.loads(row.detail)["item_ids"] == [world["p_item"].id]
    assert "Harbour" not in row.detail


def test_a_place_out_of_reach_is_not_found_and_the_list_is_scoped(world):
    lonely = intel.location(world["officer"], name="Old Mill Park")
    with pytest.raises(NotFound):
        locations.location_page(world["lead"], lonely.id)
    assert [r.id for r in locations.list_for(world["lead"]).items] == [world["place"].id]
    assert {r.id for r in locations.list_for(world["chair"]).items} == {world["place"].id, lonely.id}
    assert json.loads(_audit("location.listed")[-1].detail)["ids"] == sorted(
        [world["place"].id, lonely.id], key=lambda i: "Harbour" if i == world["place"].id else "Old"
    )


def test_the_persons_associated_with_a_place_show_on_it(world):
    from mettrack.intelligence import persons

    persons.update_person(
        world["chair"],
        world["person"].id,
        {
            "version": 1,
            "associations": [
                {"location_id": world["place"].id, "relation": "stays at", "reliability": "likely"}
            ],
        },
    )
    page = locations.location_page(world["lead"], world["place"].id)
    assert [(a.kind, a.name, a.relation) for a in page.linked.associations] == [
        ("person", "Dale Example", "stays at")
    ]


def test_a_reviewer_creates_a_place_with_its_postcode_normalised(world):
    made = locations.create_location(
        world["officer"],
        {
            "name": "Quay Chicken",
            "location_type": "takeaway",
            "postcode": "po12ab",
            "latitude": "50.79",
            "longitude": -1.09,
        },
    )
    assert made.postcode == "PO1 2AB" and made.latitude == 50.79 and made.longitude == -1.09
    assert _audit("location.created")[-1].record_id == str(made.id)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"postcode": "PO1"}, "postcode"),
        ({"postcode": "not a postcode"}, "postcode"),
        ({"location_type": "castle"}, "location_type"),
        ({"name": " "}, "name"),
        ({"latitude": "91", "longitude": "0"}, "latitude"),
        ({"latitude": "nan", "longitude": "0"}, "latitude"),
        ({"latitude": "50.1"}, "longitude"),
        ({"longitude": "north"}, "longitude"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(world, change, field):
    before = db.session.scalar(select(func.count(Location.id)))
    with pytest.raises(ValidationError) as refused:
        locations.create_location(
            world["chair"], {"name": "Quay Chicken", "location_type": "takeaway", **change}
        )
    assert field in refused.value.errors
    assert db.session.scalar(select(func.count(Location.id))) == before


def test_only_reviewers_write_and_updates_keep_to_the_version(world):
    with pytest.raises(NotAllowed):
        locations.create_location(world["lead"], {"name": "X", "location_type": "park"})
    place = world["place"]
    changed = locations.update_location(world["chair"], place.id, {"version": 1, "postcode": "po4 8aa"})
    assert changed.postcode == "PO4 8AA" and changed.name == "Harbour View Hotel" and changed.version == 2
    assert json.loads(_audit("location.updated")[-1].detail) == {"fields": ["postcode"]}
    with pytest.raises(Conflict):
        locations.update_location(world["chair"], place.id, {"version": 1, "name": "Stale"})
    with pytest.raises(ValidationError) as refused:
        locations.update_location(world["chair"], place.id, {"version": 2, "postcode": "zz"})
    assert "postcode" in refused.value.errors


def test_a_description_that_blames_children_is_flagged_before_saving(world):
    from mettrack.language import WordingFlagged, seed_defaults

    seed_defaults()
    db.session.commit()
    data = {
        "name": "Quay Chicken",
        "location_type": "takeaway",
        "description": "Girls putting themselves at risk here.",
    }
    with pytest.raises(WordingFlagged) as flagged:
        locations.create_location(world["chair"], data)
    assert "description" in flagged.value.findings
    made = locations.create_location(world["chair"], data, save_anyway=True)
    row = _audit("location.created")[-1]
    assert row.record_id == str(made.id) and "Girls" not in row.detail and "saved_anyway" in row.detail
