"""The police tier on the case page, the MET chair's form, and the API
(GET/PUT /api/v1/cases/{id}/police-tier)."""

from datetime import UTC, datetime

import pytest

from mettrack.accounts import tokens
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.reference import seed_defaults
from tests import factories
from tests.conftest import post_form

NOW = datetime(2026, 3, 10, 9, tzinfo=UTC)


@pytest.fixture
def world(app):
    with app.app_context():
        set_now(NOW)
        seed_defaults()
        db.session.commit()
        chair = factories.user(roles=[Role.MET_CHAIR], email="chair@example.org")
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], email="lead@example.org")
        factories.user(roles=[Role.COORDINATOR], email="coordinator@example.org")
        tiered = factories.case(lead=lead, state=CaseState.POLICE_TIERED)
        review = factories.case(lead=lead, state=CaseState.MET_REVIEW)
        secrets = {"chair": tokens.create_token(chair, name="test")[1]}
        secrets["lead"] = tokens.create_token(lead, name="test")[1]
        versions = {"tiered": tiered.version, "review": review.version}
        return {"tiered": tiered.id, "review": review.id, "secrets": secrets, "versions": versions}


def _headers(world, who):
    return {"Authorization": f"Bearer {world['secrets'][who]}"}


def test_the_chair_changes_the_tier_and_the_case_team_sees_it_on_the_case_page(client, auth, world):
    case_id = world["tiered"]
    auth.login("chair@example.org")
    form = client.get(f"/cases/{case_id}/police-tier")
    assert form.status_code == 200 and "Change the police tier" in form.get_data(as_text=True)
    response = post_form(
        client,
        f"/cases/{case_id}/police-tier",
        {
            "version": str(world["versions"]["tiered"]),
            "police_tier": "medium",
            "police_team": "npt_south",
            "officer": "PC 4321 Example",
            "from_date-day": "10",
            "from_date-month": "3",
            "from_date-year": "2026",
            "note": "",
        },
        page=f"/cases/{case_id}/police-tier",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    auth.logout()

    auth.login("lead@example.org")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="police-tier"' in page and "PC 4321 Example" in page
    assert "Neighbourhood Policing Team (South)" in page and "History of the police tier" in page
    assert "Change the police tier" not in page  # the lead reads it; the chair changes it
    auth.logout()

    auth.login("coordinator@example.org")  # not on the team: the case summary, no tier record
    summary = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="police-tier"' not in summary and "PC 4321 Example" not in summary


def test_a_bad_change_comes_back_with_the_field_named(client, auth, world):
    case_id = world["tiered"]
    auth.login("chair@example.org")
    response = post_form(
        client,
        f"/cases/{case_id}/police-tier",
        {
            "version": str(world["versions"]["tiered"]),
            "police_tier": "medium",
            "police_team": "hants_met_team",
            "from_date-day": "31",
            "from_date-month": "2",
            "from_date-year": "2026",
        },
        page=f"/cases/{case_id}/police-tier",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a holding team of the" in text and "must be a real date" in text


def test_the_api_reads_and_sets_the_tier(client, world):
    base = f"/api/v1/cases/{world['review']}/police-tier"
    body = {
        "version": world["versions"]["review"],
        "police_tier": "high",
        "police_team": "hants_met_team",
        "officer": "DC 77 Example",
        "from_date": "2026-03-10",
    }
    assert client.put(base, json=body, headers=_headers(world, "lead")).status_code == 403

    empty = client.get(base, headers=_headers(world, "lead")).get_json()
    assert empty["current"] is None and empty["history"] == [] and empty["may_set"] is False

    bad = client.put(base, json=body | {"police_team": "npt_north"}, headers=_headers(world, "chair"))
    assert bad.status_code == 422 and "police_team" in bad.get_json()["errors"]

    done = client.put(base, json=body, headers=_headers(world, "chair"))
    assert done.status_code == 200, done.get_json()
    got = done.get_json()
    assert got["case_moved"] is True and got["case_state"] == "police_tiered"
    assert got["current"]["officer"] == "DC 77 Example" and got["current"]["source"] == "move"

    read = client.get(base, headers=_headers(world, "lead")).get_json()
    assert read["current"]["police_tier"] == "high" and len(read["history"]) == 1
    assert read["current"]["from_date"] == "2026-03-10"

    stale = client.put(base, json=body, headers=_headers(world, "chair"))
    assert stale.status_code == 409


def test_the_openapi_document_describes_the_police_tier(client, world):
    spec = client.get("/api/v1/openapi.json", headers=_headers(world, "lead")).get_json()
    operations = spec["paths"]["/api/v1/cases/{case_id}/police-tier"]
    assert {"get", "put"} <= set(operations)
    assert "422" in operations["put"]["responses"] and "409" in operations["put"]["responses"]


def test_the_case_list_filters_on_the_changed_tier(client, world):
    headers = _headers(world, "chair")
    base = f"/api/v1/cases/{world['tiered']}/police-tier"
    body = {
        "version": world["versions"]["tiered"],
        "police_tier": "medium",
        "police_team": "npt_north",
        "from_date": "2026-03-10",
    }
    assert client.put(base, json=body, headers=headers).status_code == 200
    medium = client.get("/api/v1/cases?police_tier=medium", headers=headers).get_json()
    high = client.get("/api/v1/cases?police_tier=high", headers=headers).get_json()
    assert world["tiered"] in [c["id"] for c in medium["items"]]
    assert world["tiered"] not in [c["id"] for c in high["items"]]
