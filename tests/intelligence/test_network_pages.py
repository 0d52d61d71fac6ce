"""The association picture's pages and API: the SVG, the list beside it and the JSON hold
the same nodes under the same access rules (tests/intelligence/network_world.py)."""

import json
import re

import pytest
from sqlalchemy import select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.extensions import db
from tests.access.world import issue_token
from tests.intelligence.network_world import NAMES, build

PEOPLE = ("chair", "lead", "granted", "ungranted", "analyst", "admin", "officer")


@pytest.fixture
def w(app):
    with app.app_context():
        made = build()
        made["emails"] = {who: made[who].email for who in PEOPLE}
        made["tokens"] = {who: issue_token(made[who])[1] for who in PEOPLE}
        for who in PEOPLE:
            made[who] = made[who].id
        return made


@pytest.fixture
def page(client, auth, w):
    def get(who, path):
        auth.login(w["emails"][who])
        response = client.get(path)
        auth.logout()
        return response

    return get


@pytest.fixture
def api(client, w):
    def get(who, path):
        return client.get(path, headers={"Authorization": f"Bearer {w['tokens'][who]}"})

    return get


def _svg(html: str) -> str:
    found = re.search(r"<svg[^>]*role=\"img\".*?</svg>", html, re.S)
    assert found, "no picture on the page"
    return found.group(0)


def _table(html: str) -> str:
    return re.search(r'<table class="govuk-table" id="network-table">.*?</table>', html, re.S).group(0)


def test_the_lead_sees_the_picture_and_the_list_with_the_hidden_child_unnamed(page, w):
    response = page("lead", f"/intelligence/network/case/{w['A']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    svg, table = _svg(html), _table(html)
    for part in (svg, table):
        assert NAMES["A"] in part and NAMES["P1"] in part and NAMES["L1"] in part and NAMES["B"] in part
        assert "a child (no access)" in part and "a person (no access)" in part
    for hidden in ("Cara", "Hidden", "Kyle", "Sample", NAMES["L2"], "CPI-"):
        assert hidden not in html
    # The hidden child's id is nowhere: not in a link, not in an element's id.
    assert f'/case/{w["C"]}"' not in html and f'case-{w["C"]}"' not in html
    assert 'aria-labelledby="network-title network-desc"' in svg and '<title id="network-title">' in svg
    # The peer link is possible: dashed.
    assert 'stroke-dasharray="8 6"' in svg
    # The list gives each link's reliability; a visible record links to its picture.
    assert "possible, not confirmed" in table and "confirmed" in table
    assert f"/intelligence/network/person/{w['P1']}" in table


def test_c_item_links_on_the_page_and_in_the_api_only_for_those_it_names(page, api, w):
    path = f"/case/{w['A']}"
    granted_html = page("granted", "/intelligence/network" + path).get_data(as_text=True)
    ungranted_html = page("ungranted", "/intelligence/network" + path).get_data(as_text=True)
    assert NAMES["L2"] in _svg(granted_html) and f"CPI-{w['secret']:05d}" in _table(granted_html)
    assert NAMES["L2"] not in ungranted_html and "CPI-" not in ungranted_html
    granted_json = api("granted", "/api/v1/network" + path).get_data(as_text=True)
    ungranted_json = api("ungranted", "/api/v1/network" + path).get_data(as_text=True)
    assert NAMES["L2"] in granted_json and f"CPI-{w['secret']:05d}" in granted_json
    assert NAMES["L2"] not in ungranted_json and "CPI-" not in ungranted_json


def test_the_api_answers_nodes_and_edges_with_the_hidden_child_unnamed(api, w):
    response = api("lead", f"/api/v1/network/case/{w['A']}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["start"] == f"case-{w['A']}"
    nodes = {n["key"]: n for n in body["nodes"]}
    assert nodes["case-hidden-1"] == {
        "key": "case-hidden-1",
        "kind": "case",
        "id": None,
        "label": "a child (no access)",
        "step": 2,
        "accessible": False,
    }
    assert nodes[f"person-{w['P1']}"]["label"] == NAMES["P1"]
    keys = set(nodes)
    assert all(e["source"] in keys and e["target"] in keys for e in body["edges"])
    peer = next(
        e for e in body["edges"] if {e["source"], e["target"]} == {f"case-{w['A']}", f"case-{w['B']}"}
    )
    assert peer["reliability"] == "possible" and peer["links"] == [
        {"kind": "peer", "reliability": "possible", "text": "Friend"}
    ]
    text = json.dumps(body)
    assert not any(name in text for name in ("Cara", "Kyle", NAMES["L2"]))
    assert all(n["step"] <= 2 for n in body["nodes"])


def test_the_chair_sees_everything_by_name(page, api, w):
    html = page("chair", f"/intelligence/network/person/{w['P1']}").get_data(as_text=True)
    assert NAMES["C"] in html and NAMES["P2"] in html and "no access" not in _table(html)
    body = api("chair", f"/api/v1/network/location/{w['L2']}").get_json()
    assert {n["label"] for n in body["nodes"]} >= {NAMES["L2"], NAMES["A"], NAMES["P1"]}


def test_views_are_audited(page, api, w, app):
    page("lead", f"/intelligence/network/location/{w['L1']}")
    api("granted", f"/api/v1/network/person/{w['P1']}")
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "network.viewed")).all()
        seen = {(r.actor_user_id, r.record_type, int(r.record_id)) for r in rows}
        assert seen == {(w["lead"], "location", w["L1"]), (w["granted"], "person", w["P1"])}
        assert all(not any(name in r.detail for name in NAMES.values()) for r in rows)


@pytest.mark.parametrize(
    ("who", "kind", "record"),
    [
        ("lead", "case", "C"),
        ("lead", "person", "P2"),
        ("ungranted", "location", "L2"),
        ("granted", "case", "C"),
    ],
)
def test_a_start_record_out_of_reach_is_404(page, api, w, who, kind, record):
    assert page(who, f"/intelligence/network/{kind}/{w[record]}").status_code == 404
    response = api(who, f"/api/v1/network/{kind}/{w[record]}")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("who", ["analyst", "admin"])
def test_analyst_and_admin_get_403(page, api, w, who):
    assert page(who, f"/intelligence/network/case/{w['A']}").status_code == 403
    assert api(who, f"/api/v1/network/case/{w['A']}").status_code == 403


def test_an_unknown_kind_is_422_naming_it(api, w):
    response = api("chair", f"/api/v1/network/meeting/{w['A']}")
    assert response.status_code == 422
    assert "kind" in response.get_json()["errors"]


def test_a_record_with_nothing_linked_says_so(page, w, app):
    from tests.intelligence import factories as intel

    with app.app_context():
        from mettrack.accounts.models import User

        lonely = intel.location(db.session.get(User, w["chair"]), name="Quiet Corner").id
    html = page("chair", f"/intelligence/network/location/{lonely}").get_data(as_text=True)
    assert 'id="network-empty"' in html and "Quiet Corner" in html


def test_the_picture_is_in_the_openapi_document(api, w):
    paths = api("chair", "/api/v1/openapi.json").get_json()["paths"]
    found = [p for p in paths if p.endswith("/network/{kind}/{record_id}")]
    assert found and "get" in paths[found[0]]
