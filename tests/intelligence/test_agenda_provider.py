"""How intelligence reaches a MET agenda (intelligence/agenda_provider.py, registered at
start-up): linking an item to a case puts the case in the next agenda's new-information
section; the full card names places and persons, the sanitised card names nothing; a C
item's content and links never appear; the queries do not grow with the cases."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from mettrack.cases import View
from mettrack.core.choices import LocationType, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.intelligence.agenda_provider import PROVIDER
from mettrack.meetings import build_agenda, cards_for, intelligence_links
from tests import factories
from tests.intelligence import factories as intel
from tests.meetings import factories as meeting_factories
from tests.meetings.agenda_world import lead_user

BEFORE = datetime(2026, 2, 10, 12, tzinfo=UTC)
PREVIOUS = datetime(2026, 2, 24, 10, tzinfo=UTC)
LINKED = datetime(2026, 3, 2, 9, tzinfo=UTC)
MEETING = datetime(2026, 3, 10, 10, tzinfo=UTC)
NOW = datetime(2026, 3, 9, 12, tzinfo=UTC)


@pytest.fixture
def w(app):
    with app.test_request_context():
        set_now(BEFORE)
        chair = factories.user(roles=[Role.MET_CHAIR], name="Chris Chair")
        lead = lead_user()
        previous = meeting_factories.meeting(chair=chair, starts_at=PREVIOUS)
        meeting = meeting_factories.meeting(chair=chair, starts_at=MEETING)
        quiet = factories.case_in_state("met_review", lead=lead)
        restricted = factories.case_in_state("met_review", lead=lead)
        peer = factories.case_in_state("met_review", lead=lead)
        set_now(NOW)
        partner = factories.user(roles=[Role.PARTNER], agency="Harbour School")
        hotel = intel.location(partner, name="Harbour View Hotel", location_type=LocationType.HOTEL)
        dale = intel.person(partner, name="Dale Example")
        secret_person = intel.person(partner, name="Sidney Secretperson")
        secret_place = intel.location(partner, name="Hidden Lane Flat", location_type=LocationType.HOUSE)
        yield dict(
            chair=chair,
            lead=lead,
            previous=previous,
            meeting=meeting,
            quiet=quiet,
            restricted=restricted,
            peer=peer,
            partner=partner,
            hotel=hotel,
            dale=dale,
            secret_person=secret_person,
            secret_place=secret_place,
        )
        set_now(None)


def _items(w):
    draft = build_agenda(w["chair"], w["meeting"].id)
    return {item.case_id: item for item in draft.items}


def test_the_provider_is_registered_at_start_up(app):
    assert PROVIDER in intelligence_links._providers


def test_linking_an_item_puts_the_case_in_the_next_agendas_new_information(w):
    assert w["quiet"].id not in _items(w)
    intel.item(
        w["partner"],
        handling="P",
        cases=[w["quiet"]],
        persons=[w["dale"]],
        locations=[w["hotel"]],
        submitted_at=datetime(2026, 2, 1, 9, tzinfo=UTC),
        linked_at=LINKED,
    )
    item = _items(w)[w["quiet"].id]
    assert item.section == "new_information"
    assert item.reasons[0]["text"] == "new intelligence on 2 March"
    card = item.card
    assert any("Harbour View Hotel" in p["label"] for p in card["places"])
    assert [p["label"] for p in card["persons"]] == ["Dale Example: through shared intelligence"]


def test_an_item_linked_before_the_last_meeting_is_not_new(w):
    intel.item(w["partner"], handling="P", cases=[w["quiet"]], linked_at=datetime(2026, 2, 20, tzinfo=UTC))
    assert w["quiet"].id not in _items(w)


def test_c_and_ungraded_items_never_reach_the_agenda(w):
    intel.item(
        w["partner"],
        handling="C",
        cases=[w["restricted"]],
        persons=[w["secret_person"]],
        locations=[w["secret_place"]],
        information="Restricted detail about Sidney Secretperson",
        linked_at=LINKED,
    )
    intel.item(w["partner"], cases=[w["restricted"]], persons=[w["secret_person"]], linked_at=LINKED)
    assert w["restricted"].id not in _items(w)
    for view in (View.WHOLE, View.SANITISED):
        card = cards_for([w["restricted"].id], view)[w["restricted"].id]
        text = repr(card)
        assert "Secretperson" not in text and "Hidden Lane" not in text and "Restricted detail" not in text
        assert card["persons"] == [] and card["places"] == []


def test_the_sanitised_card_names_nobody_and_locates_nothing(w):
    intel.item(w["partner"], handling="P", cases=[w["quiet"]], persons=[w["dale"]], linked_at=LINKED)
    intel.location(w["partner"], name="Old Mill Park", location_type=LocationType.PARK, cases=[w["quiet"]])
    intel.peer_link(w["chair"], w["quiet"], w["peer"])
    intel.disruption(w["chair"], person=w["dale"], protects=[w["quiet"]])
    full = cards_for([w["quiet"].id], View.WHOLE)[w["quiet"].id]
    assert any("Old Mill Park" in p["label"] for p in full["places"])
    assert any(w["peer"].child.display_name in c["label"] for c in full["linked_children"])
    assert any("Dale Example" in d["label"] for d in full["disruptions"])
    sanitised = cards_for([w["quiet"].id], View.SANITISED)[w["quiet"].id]
    text = repr({k: sanitised[k] for k in intelligence_links.LINK_KEYS})
    for name in (
        "Old Mill Park",
        "PO1",
        "Dale Example",
        w["peer"].child.first_name,
        w["peer"].child.last_name,
    ):
        assert name not in text
    assert sanitised["places"] == [{"label": "A place: park or open space", "location_type": "park"}]
    assert sanitised["persons"] == [{"label": "A person of concern"}]
    assert sanitised["linked_children"] == [{"label": "Another child: same peer group"}]
    assert sanitised["disruptions"][0]["label"].endswith(": in force")


def test_new_direct_links_are_new_intelligence_too(w):
    intel.location(w["partner"], cases=[w["quiet"]])  # created now (NOW), after the previous meeting
    found = PROVIDER.new_intelligence_since([w["quiet"].id], PREVIOUS)
    assert found == {w["quiet"].id: [NOW.date()]}


def _count_queries(function) -> int:
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        function()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_queries_do_not_grow_with_the_cases(w):
    cases = [w["quiet"], w["restricted"], w["peer"]]
    for case in cases:
        place = intel.location(w["partner"], cases=[case])
        person = intel.person(w["partner"], cases=[case])
        intel.item(w["partner"], handling="P", cases=[case], persons=[person], locations=[place])
        intel.disruption(w["chair"], person=person, protects=[case])
    intel.peer_link(w["chair"], w["quiet"], w["peer"])
    ids = [c.id for c in cases]
    for view in (View.WHOLE, View.SANITISED):
        db.session.expire_all()
        one = _count_queries(lambda v=view: PROVIDER.links_for(ids[:1], v))
        db.session.expire_all()
        three = _count_queries(lambda v=view: PROVIDER.links_for(ids, v))
        assert one == three, (view, one, three)
    assert _count_queries(lambda: PROVIDER.new_intelligence_since(None, PREVIOUS)) == 2
