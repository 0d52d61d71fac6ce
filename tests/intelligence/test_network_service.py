"""intelligence/network.py: what the association picture holds for whom (the fixture of
tests/intelligence/network_world.py: three children, two persons, two places)."""

import json

import pytest
from sqlalchemy import event, select

from mettrack.cases.models import Case
from mettrack.core.audit_event import AuditEvent
from mettrack.core.errors import NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.intelligence import network
from mettrack.intelligence.models import PersonOfConcern
from tests.intelligence import factories as intel
from tests.intelligence.network_world import NAMES, build


@pytest.fixture
def w(app_ctx):
    return build()


def _shown(found):
    """{(kind, record id or None): (label, step)} of the picture's nodes."""
    return {(n.kind, n.record_id): (n.label, n.step) for n in found.nodes}


def _pairs(found):
    return {frozenset((e.source, e.target)) for e in found.edges}


def _all_text(found) -> str:
    parts = [n.label for n in found.nodes] + [n.key for n in found.nodes]
    parts += [line.text for e in found.edges for line in e.links]
    return " ".join(parts)


def test_the_chair_sees_every_record_within_two_steps_by_name(w):
    found = network.network_for(w["chair"], "case", w["A"])
    assert found.start.key == f"case-{w['A']}" and found.start.step == 0
    shown = _shown(found)
    assert shown == {
        ("case", w["A"]): (NAMES["A"], 0),
        ("person", w["P1"]): (NAMES["P1"], 1),
        ("location", w["L1"]): (NAMES["L1"], 1),
        ("location", w["L2"]): (NAMES["L2"], 1),  # the C item: the chair is a reviewer
        ("case", w["B"]): (NAMES["B"], 1),  # the peer link
        ("case", w["C"]): (NAMES["C"], 2),  # the order on P1 protects C too
        ("person", w["P2"]): (NAMES["P2"], 2),
        ("vehicle", shown_vehicle_id(found)): ("AB12CDE", 2),
    }
    assert all(n.accessible for n in found.nodes)
    edge = next(e for e in found.edges if {e.source, e.target} == {f"case-{w['A']}", f"case-{w['B']}"})
    assert edge.possible and [line.text for line in edge.links] == ["Friend"]
    assert f"CPI-{w['secret']:05d}" in _all_text(found)


def shown_vehicle_id(found):
    return next(n.record_id for n in found.nodes if n.kind == "vehicle")


def test_the_lead_sees_the_hidden_child_and_person_without_names(w):
    found = network.network_for(w["lead"], "case", w["A"])
    shown = _shown(found)
    assert ("case", None) in shown and shown[("case", None)] == ("a child (no access)", 2)
    assert ("person", None) in shown and shown[("person", None)] == ("a person (no access)", 2)
    assert ("case", w["C"]) not in shown and ("person", w["P2"]) not in shown
    text = _all_text(found)
    for hidden in ("Cara", "Hidden", "Kyle", "Sample", str(w["C"]) + " "):
        assert hidden not in text
    # No C-coded link for someone outside its handling: no Old Mill Park, no item reference.
    assert ("location", w["L2"]) not in shown and "CPI-" not in text
    hidden_keys = {n.key for n in found.nodes if not n.accessible}
    assert hidden_keys == {"case-hidden-1", "person-hidden-1"}
    # What the lead may open shows by name.
    assert shown[("person", w["P1"])] == (NAMES["P1"], 1)
    assert shown[("case", w["B"])] == (NAMES["B"], 1)


def test_a_no_access_node_is_a_dead_end(w):
    # C (no access for the lead) is linked directly to P2; the lead's picture from P1
    # reaches C and P2 at step 1 but nothing through them: P2's direct link to C is C's
    # record, so there is no edge between the two hidden nodes.
    found = network.network_for(w["lead"], "person", w["P1"])
    hidden = {n.key for n in found.nodes if not n.accessible}
    assert hidden == {"case-hidden-1", "person-hidden-1"}
    assert frozenset(hidden) not in _pairs(found)


def test_c_item_links_appear_for_those_it_names_only(w):
    granted = network.network_for(w["granted"], "case", w["A"])
    ungranted = network.network_for(w["ungranted"], "case", w["A"])
    assert _shown(granted)[("location", w["L2"])] == (NAMES["L2"], 1)
    assert f"CPI-{w['secret']:05d}" in _all_text(granted)
    assert frozenset((f"person-{w['P1']}", f"location-{w['L2']}")) in _pairs(granted)
    assert ("location", w["L2"]) not in _shown(ungranted)
    assert "CPI-" not in _all_text(ungranted) and NAMES["L2"] not in _all_text(ungranted)
    # The C item's line is as sure as its assessment (B: likely).
    line = next(e for e in granted.edges if f"location-{w['L2']}" in (e.source, e.target))
    assert line.reliability == "likely"


def test_an_ungraded_item_draws_nothing_even_for_the_chair(w):
    found = network.network_for(w["chair"], "case", w["B"])
    assert f"CPI-{w['raw']:05d}" not in _all_text(found)
    assert frozenset((f"case-{w['B']}", f"person-{w['P2']}")) not in _pairs(found)


def test_two_steps_is_the_limit(w):
    # From B: L1 and A (peer link) at step 1; from A, P1 at step 2; P1's vehicle and the
    # order's other child would be step 3: not shown.
    found = network.network_for(w["lead"], "case", w["B"])
    shown = _shown(found)
    assert shown[("location", w["L1"])][1] == 1 and shown[("case", w["A"])][1] == 1
    assert shown[("person", w["P1"])][1] == 2
    assert {n.kind for n in found.nodes} == {"case", "location", "person"}
    assert not any(n.kind == "vehicle" for n in found.nodes)
    assert all(n.step <= 2 for n in found.nodes)
    assert ("case", None) not in shown  # C is three steps from B


def test_the_start_is_the_middle_of_a_place_picture(w):
    found = network.network_for(w["ungranted"], "location", w["L1"])
    shown = _shown(found)
    assert shown[("location", w["L1"])] == (NAMES["L1"], 0)
    assert shown[("case", w["A"])][1] == 1 and shown[("case", w["B"])][1] == 1
    assert shown[("person", w["P1"])][1] == 2


def test_viewing_is_audited_with_ids_never_names(w):
    network.network_for(w["lead"], "case", w["A"])
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "network.viewed"))
    assert row.record_type == "case" and int(row.record_id) == w["A"] and row.actor_user_id == w["lead"].id
    detail = json.loads(row.detail)
    assert detail["nodes"]["case"] == sorted([w["A"], w["B"]])
    assert detail["nodes"]["person"] == [w["P1"]] and detail["nodes"]["location"] == [w["L1"]]
    assert detail["no_access"] == {"case": [w["C"]], "person": [w["P2"]]}
    text = row.detail
    assert not any(name in text for name in NAMES.values()) and "AB12CDE" not in text


def test_a_start_record_out_of_reach_is_404_and_audited(w):
    with pytest.raises(NotFound):
        network.network_for(w["lead"], "case", w["C"])
    with pytest.raises(NotFound):
        network.network_for(w["lead"], "person", w["P2"])
    with pytest.raises(NotFound):
        network.network_for(w["ungranted"], "location", w["L2"])
    denied = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "network.viewed.denied")).all()
    assert {(r.record_type, int(r.record_id)) for r in denied} == {
        ("case", w["C"]),
        ("person", w["P2"]),
        ("location", w["L2"]),
    }


def test_analyst_and_admin_are_refused_by_role(w):
    for who in ("analyst", "admin"):
        with pytest.raises(NotAllowed):
            network.network_for(w[who], "case", w["A"])


def test_an_unknown_kind_is_named(w):
    with pytest.raises(ValidationError) as raised:
        network.network_for(w["chair"], "meeting", w["A"])
    assert "kind" in raised.value.errors


def test_a_police_reviewer_off_the_teams_sees_persons_but_not_children(w):
    # A reviewer reaches every person and place, but a child's record only through its case team.
    found = network.network_for(w["officer"], "person", w["P1"])
    shown = _shown(found)
    assert shown[("location", w["L2"])][0] == NAMES["L2"]
    assert ("case", w["A"]) not in shown
    assert {n.label for n in found.nodes if n.kind == "case"} == {"a child (no access)"}
    assert not any(n in _all_text(found) for n in (NAMES["A"], NAMES["C"]))


def _count_queries(run) -> int:
    count = 0

    def counted(*_):
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return count


def test_the_number_of_queries_does_not_grow_with_the_picture(w):
    before = _count_queries(lambda: network.network_for(w["chair"], "case", w["A"]))
    sharer = w["lead"]
    case_a = db.session.get(Case, w["A"])
    for _ in range(6):
        intel.location(sharer, cases=[case_a])
        intel.person(sharer, vehicles=["XY12ZZZ"], cases=[case_a])
    db.session.expire_all()
    after = _count_queries(lambda: network.network_for(w["chair"], "case", w["A"]))
    assert after == before


def test_an_action_on_a_person_in_reach_shows_even_when_it_protects_only_a_hidden_child(w):
    # The person is within the lead's reach, so every action against him is too
    # (access.disruption_scope), whichever children it protects.
    chair = w["chair"]
    p1 = db.session.get(PersonOfConcern, w["P1"])
    lonely = intel.person(chair, name="Lee Sample")
    intel.disruption(chair, kind="cawn", person=p1, protects=[db.session.get(Case, w["C"])])
    intel.disruption(chair, person=lonely, protects=[db.session.get(Case, w["A"])])
    found = network.network_for(w["lead"], "person", w["P1"])
    hidden_child = next(n for n in found.nodes if n.kind == "case" and not n.accessible)
    edge = next(e for e in found.edges if hidden_child.key in (e.source, e.target))
    assert any("Child Abduction Warning Notice" in line.text for line in edge.links)
    # An action protecting a child the lead works with brings its person in, by name.
    assert _shown(network.network_for(w["lead"], "case", w["A"]))[("person", lonely.id)] == ("Lee Sample", 1)
