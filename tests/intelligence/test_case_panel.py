"""The case page's intelligence section (intelligence/case_panel.py through cases/page.py):
what each viewer sees, the ids named in the case.viewed audit row, and a query count
that does not grow with what is linked."""

import pytest
from sqlalchemy import event

from mettrack.cases.page import page_for
from mettrack.core.extensions import db
from mettrack.core.unit_of_work import unit_of_work
from tests import factories
from tests.intelligence import factories as intel
from tests.intelligence.cases_world import audit_rows, detail_of, make_world


@pytest.fixture
def w(app):
    with app.test_request_context():
        made = make_world()
        partner = made["partner"]
        made["p"] = intel.item(
            partner,
            handling="P",
            cases=[made["a"]],
            locations=[made["park"]],
            persons=[made["kyle"]],
            information="Seen at the park with an older man in a grey car.",
            sanitised="A child was seen with an adult of concern.",
        )
        made["c_item"] = intel.item(
            partner,
            handling="C",
            cases=[made["a"]],
            persons=[made["dale"]],
            information="Restricted detail from a police source.",
        )
        made["raw"] = intel.item(partner, cases=[made["a"]], information="Not yet graded detail.")
        intel.location(partner, name="Quayside Flats", cases=[made["a"]])
        made["order"] = intel.disruption(made["chair"], person=made["kyle"], protects=[made["a"]])
        made["peer"] = intel.peer_link(made["chair"], made["a"], made["b"])
        made["hidden_peer"] = intel.peer_link(made["chair"], made["a"], made["c"])
        yield made


def _section(user, case):
    with unit_of_work():
        return page_for(user, case.id).sections.get("intelligence")


def test_the_lead_sees_sanitised_p_items_and_no_c_or_ungraded_ones(w):
    panel = _section(w["lead"], w["a"])
    assert [i["id"] for i in panel.items] == [w["p"].id]
    (item,) = panel.items
    assert item["grading"] == "2B P" and item["text"] == "A child was seen with an adult of concern."
    places = {e["label"]: e["how"] for e in panel.locations}
    assert any("Old Mill Park" in label for label in places)
    assert any(
        "Quayside Flats" in label and "linked directly: likely" in how[0] for label, how in places.items()
    )
    assert [p["label"] for p in panel.persons] == ["Kyle Sample"]  # Dale only through the C item
    assert [d["id"] for d in panel.disruptions] == [w["order"].id]
    assert [p["other_case_id"] for p in panel.peers] == [w["b"].id]  # not c: out of the lead's reach
    assert panel.add_subject_url is None and panel.add_peer_url.endswith(f"/cases/{w['a'].id}/peer-links/new")
    row = audit_rows("case.viewed")[-1]
    ids = detail_of(row)["ids"]
    assert ids["intelligence"] == [w["p"].id] and ids["peer_links"] == [w["peer"].id]
    assert ids["persons"] == [w["kyle"].id] and ids["disruptions"] == [w["order"].id]


def test_the_chair_sees_the_information_every_item_and_every_link(w):
    panel = _section(w["chair"], w["a"])
    texts = {i["id"]: i for i in panel.items}
    assert set(texts) == {w["p"].id, w["c_item"].id, w["raw"].id}
    assert texts[w["p"].id]["text"].startswith("Seen at the park")
    assert texts[w["c_item"].id]["restricted"] and texts[w["c_item"].id]["conditions"]
    assert texts[w["raw"].id]["grading"] == "Not graded yet"
    assert {p["label"] for p in panel.persons} == {"Kyle Sample", "Dale Example"}
    assert {p["other_case_id"] for p in panel.peers} == {w["b"].id, w["c"].id}
    assert panel.add_subject_url and panel.add_peer_url


def test_a_c_item_reaches_a_user_its_conditions_name_without_its_information(w):
    from mettrack.intelligence.models import HandlingGrant

    w["c_item"].grants.append(HandlingGrant(user_id=w["lead"].id))
    db.session.commit()
    panel = _section(w["lead"], w["a"])
    c = next(i for i in panel.items if i["id"] == w["c_item"].id)
    assert "Restricted detail" not in c["text"] and c["restricted"]


def test_the_page_shows_it_and_a_viewer_without_the_whole_record_gets_nothing(w, app):
    from mettrack.core.choices import Role

    coordinator = factories.user(roles=[Role.COORDINATOR])
    w["a"].state = "met_review"
    db.session.commit()
    page = page_for(coordinator, w["a"].id)
    assert "intelligence" not in page.sections


def _count_queries(function) -> int:
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        function()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    import os

    if os.environ.get("DUMP_SQL"):
        print("\n----\n".join(s[:150] for s in seen))
    return len(seen)


def _link_more(w, n: int) -> None:
    for _ in range(n):
        place = intel.location(w["partner"], cases=[w["a"]])
        person = intel.person(w["partner"], cases=[w["a"]])
        intel.item(w["partner"], handling="P", cases=[w["a"]], locations=[place], persons=[person])
        intel.disruption(w["chair"], location=place, protects=[w["a"]])
        other = factories.case(lead=w["lead"])
        intel.peer_link(w["chair"], w["a"], other)


def test_the_number_of_queries_does_not_grow_with_what_is_linked(w):
    _link_more(w, 1)  # one of each kind of link, so that each loader has rows to load
    db.session.expire_all()
    before = _count_queries(lambda: _section(w["lead"], w["a"]))
    _link_more(w, 4)
    db.session.expire_all()
    after = _count_queries(lambda: _section(w["lead"], w["a"]))
    assert after <= before, (before, after)


def test_the_leads_page_shows_the_summary_and_never_the_c_item(app, client, auth):
    with app.test_request_context():
        w = make_world()
        intel.item(w["partner"], handling="P", cases=[w["a"]], sanitised="A car was seen near a school.")
        intel.item(w["partner"], handling="C", cases=[w["a"]], information="Restricted police detail.")
        case_id, lead, chair = w["a"].id, w["lead"].email, w["chair"].email
    auth.login(lead)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="intelligence"' in page and "A car was seen near a school." in page and "2B P" in page
    assert "Restricted police detail" not in page and "A grey car waits" not in page
    assert "Link a place or person" not in page and "Link another child" in page
    auth.logout()
    auth.login(chair)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Restricted police detail" in page and "2B C" in page and "Link a place or person" in page
