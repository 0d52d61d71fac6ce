"""intelligence/persons.py: reading a person as each viewer may, and what reviewers record."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.errors import Conflict, NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.intelligence import persons
from mettrack.intelligence.models import PersonAssociation, PersonOfConcern
from tests import factories
from tests.intelligence import factories as intel
from tests.intelligence.subject_helpers import make_world


@pytest.fixture
def world(app_ctx):
    return make_world()


def _audit(action):
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
    ).all()


def _persons():
    return db.session.scalar(select(func.count(PersonOfConcern.id)))


def test_a_lead_sees_the_person_linked_to_their_case_with_the_sanitised_text(world):
    page = persons.person_page(world["lead"], world["person"].id)
    assert [i.id for i in page.linked.items] == [world["p_item"].id]
    assert page.linked.items[0].text == "A man has been seen at a hotel with a car."
    assert [(c.id, c.child_name) for c in page.linked.cases] == [(world["case"].id, "Casey Testchild")]
    assert page.linked.hidden_cases == 1  # Robin's case, which the lead may not open
    assert [d.id for d in page.linked.disruptions] == [world["disruption"].id]
    assert [v.shown for v in page.vehicles] == ["AB12 CDE"]
    assert not page.may_edit and not page.review_due
    row = _audit("person.viewed")[-1]
    detail = json.loads(row.detail)
    assert row.record_id == str(world["person"].id)
    assert detail["item_ids"] == [world["p_item"].id] and detail["case_ids"] == [world["case"].id]
    assert detail["hidden_cases"] == 1
    assert "Dale" not in row.detail and "Casey" not in row.detail


def test_a_reviewer_reads_what_was_shared_and_every_child(world):
    page = persons.person_page(world["chair"], world["person"].id)
    assert page.linked.items[0].text.startswith("Dale Example was seen")
    assert {c.id for c in page.linked.cases} == {world["case"].id, world["other_case"].id}
    assert page.linked.hidden_cases == 0 and page.may_edit


def test_a_person_linked_only_through_a_c_item_not_granted_is_out_of_reach(world):
    with pytest.raises(NotFound):
        persons.person_page(world["lead"], world["hidden_person"].id)
    assert _audit("person.viewed.denied")
    named = factories.user(roles=[Role.PARTNER], agency="Named agency")
    intel.item(world["sharer"], handling="C", persons=[world["hidden_person"]], grants=[named])
    page = persons.person_page(named, world["hidden_person"].id)
    assert page.linked.items[0].text == "A grey car waits outside the school gates at 3pm most days."


def test_the_list_is_scoped_and_flags_overdue_reviews_for_reviewers(world):
    overdue = intel.person(world["officer"], name="Old Record", review_on=date(2026, 1, 1))
    lead_list = persons.list_for(world["lead"])
    assert [r.id for r in lead_list.items] == [world["person"].id]
    assert lead_list.items[0].review_on is None
    chair_list = persons.list_for(world["chair"])
    assert {r.id for r in chair_list.items} == {world["person"].id, world["hidden_person"].id, overdue.id}
    assert [r.id for r in chair_list.items if r.review_due] == [overdue.id]
    assert json.loads(_audit("person.listed")[-1].detail)["ids"] == [r.id for r in chair_list.items]


FULL = {
    "name": "  Jay Sample ",
    "aliases": ["J", "Jay-Jay", "J"],
    "date_of_birth": "2001-04-05",
    "approximate_age": 25,
    "description": "Short, often on an electric bike.",
    "vehicles": [{"registration": "xy51 abc", "description": "black Vauxhall Corsa"}],
    "phones": [{"number": "+44 7700 900456", "note": "work"}],
    "review_on": "2027-03-20",
}


def test_a_police_partner_creates_a_person_normalised_and_audited(world):
    made = persons.create_person(
        world["officer"],
        {
            **FULL,
            "associations": [
                {"person_id": world["person"].id, "relation": "cousin", "reliability": "likely"},
                {"location_id": world["place"].id, "relation": "stays at", "reliability": "possible"},
            ],
        },
    )
    assert made.name == "Jay Sample" and [a.alias for a in made.aliases] == ["J", "Jay-Jay"]
    assert [(v.registration, v.description) for v in made.vehicles] == [("XY51ABC", "black Vauxhall Corsa")]
    assert [(p.number, p.note) for p in made.phones] == [("07700900456", "work")]
    rows = db.session.scalars(select(PersonAssociation).where(PersonAssociation.person_id == made.id)).all()
    assert {(r.other_person_id, r.location_id) for r in rows} == {
        (world["person"].id, None),
        (None, world["place"].id),
    }
    created = _audit("person.created")[-1]
    assert created.record_id == str(made.id)
    assert sorted(json.loads(created.detail)["associations_added"]) == sorted(r.id for r in rows)
    # The other person's page shows the association both ways.
    page = persons.person_page(world["chair"], world["person"].id)
    assert [(a.kind, a.record_id, a.relation) for a in page.linked.associations] == [
        ("person", made.id, "cousin")
    ]


def test_others_may_not_create(world):
    with pytest.raises(NotAllowed):
        persons.create_person(world["lead"], FULL)
    with pytest.raises(NotAllowed):
        persons.update_person(world["lead"], world["person"].id, {"version": 1, "name": "X"})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"vehicles": [{"registration": "AB12*CDE"}]}, "vehicles"),
        ({"vehicles": ["ABCDEFG"]}, "vehicles"),
        ({"phones": [{"number": "12345"}]}, "phones"),
        ({"date_of_birth": ["31", "2", "2000"]}, "date_of_birth"),
        ({"date_of_birth": "2000-02-31"}, "date_of_birth"),
        ({"date_of_birth": "2030-01-01"}, "date_of_birth"),
        ({"approximate_age": 40}, "approximate_age"),  # born 2001: 24, not about 40
        ({"approximate_age": 300, "date_of_birth": None}, "approximate_age"),
        ({"associations": [{"person_id": 999999, "reliability": "likely"}]}, "associations"),
        ({"associations": [{"location_id": 5, "person_id": 5, "reliability": "likely"}]}, "associations"),
        ({"associations": [{"person_id": "x", "reliability": "likely"}]}, "associations"),
        ({"review_on": None}, "review_on"),
        ({"review_on": "2020-01-01"}, "review_on"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(world, change, field):
    before = _persons()
    with pytest.raises(ValidationError) as refused:
        persons.create_person(world["officer"], {**FULL, **change})
    assert field in refused.value.errors
    assert _persons() == before
    assert not _audit("person.created")


def test_an_association_with_a_person_the_reviewer_cannot_see_is_refused(world):
    # A police partner reviews, and so sees every person: the id must simply exist.
    with pytest.raises(ValidationError) as refused:
        persons.create_person(
            world["officer"], {**FULL, "associations": [{"person_id": 2**31, "reliability": "likely"}]}
        )
    assert "no person of concern with that id" in refused.value.errors["associations"]


def test_update_changes_what_is_given_at_the_version_read(world):
    person = world["person"]
    changed = persons.update_person(
        world["chair"],
        person.id,
        {
            "version": 1,
            "aliases": ["Smokey", "Big D"],
            "associations": [{"location_id": world["place"].id, "reliability": "confirmed"}],
        },
    )
    assert [a.alias for a in changed.aliases] == ["Smokey", "Big D"] and changed.version == 2
    assert changed.name == "Dale Example"
    detail = json.loads(_audit("person.updated")[-1].detail)
    assert detail["fields"] == ["aliases", "associations"] and len(detail["associations_added"]) == 1
    again = persons.update_person(world["chair"], person.id, {"version": 2, "associations": []})
    assert (
        json.loads(_audit("person.updated")[-1].detail)["associations_removed"]
        == detail["associations_added"]
    )
    with pytest.raises(Conflict):
        persons.update_person(world["chair"], person.id, {"version": 1, "description": "Stale"})
    assert again.version == 3


def test_default_review_date_is_a_year_ahead():
    assert persons.default_review_on(date(2026, 3, 20)) == date(2027, 3, 20)
    assert persons.default_review_on(date(2028, 2, 29)) == date(2029, 2, 28)


def test_a_c_item_on_a_visible_person_stays_hidden_from_those_outside_its_handling(world):
    secret = intel.item(
        world["sharer"],
        handling="C",
        reviewer=world["officer"],
        cases=[world["case"]],
        persons=[world["person"]],
        information="Dale Example keeps a flat on Quay Street.",
    )
    lead_page = persons.person_page(world["lead"], world["person"].id)
    assert [i.id for i in lead_page.linked.items] == [world["p_item"].id]
    assert secret.id not in json.loads(_audit("person.viewed")[-1].detail)["item_ids"]
    chair_page = persons.person_page(world["chair"], world["person"].id)
    assert {i.id for i in chair_page.linked.items} == {world["p_item"].id, secret.id}
