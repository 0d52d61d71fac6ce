"""GET /api/v1/cases with filters and POST /api/v1/cases/search: 422 naming the field,
names only in request bodies, the richer case shape."""

from datetime import UTC, date, datetime, timedelta

import pytest

from mettrack.cases.models import CaseTag
from mettrack.core.choices import CaseState, CaseTagKind, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.missing.models import MissingEpisode
from mettrack.reference import data as reference_data
from tests import factories
from tests.api.conftest import audit_rows
from tests.api.test_cases import CASE_FIELDS
from tests.api.test_problems import assert_problem

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_and_lists(app):
    set_now(NOW)
    with app.app_context():
        reference_data.seed_defaults()
        db.session.commit()


def _case(app, *, state=CaseState.MET_REVIEW, tags=(), first_name="Testchild", aliases=None, **fields) -> int:
    with app.app_context():
        child = factories.child(first_name=first_name)
        child.aliases = aliases
        case = factories.case(state=state, child_obj=child)
        for name, value in fields.items():
            setattr(case, name, value)
        held = {(tag.kind, tag.value) for tag in case.tags}  # a referred case has the factory's CSE
        for kind, value in tags:
            if (kind.value, value) not in held:
                db.session.add(CaseTag(case_id=case.id, kind=kind.value, value=value))
        db.session.commit()
        return case.id


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.get_json()
    return {c["id"] for c in response.get_json()["items"]}


def test_filters_as_query_parameters(app, client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    cce_high = _case(app, tags=[(CaseTagKind.EXPLOITATION_TYPE, "cce")], risk_level="high")
    referred = _case(app, state=CaseState.REFERRED, tags=[(CaseTagKind.FLAG, "county_lines")])
    tiered = _case(app, state=CaseState.POLICE_TIERED, police_tier="medium", next_review_on=date(2026, 5, 1))
    get = lambda q: client.get("/api/v1/cases", headers=chair.headers, query_string=q)  # noqa: E731
    assert _ids(get({"state": ["referred", "met_review"]})) == {cce_high, referred}
    assert _ids(get({"exploitation_type": "cce", "risk_level": "high"})) == {cce_high}
    assert _ids(get({"flag": "county_lines"})) == {referred}
    assert _ids(get({"police_tier": "medium"})) == {tiered}
    assert _ids(get({"review_overdue": "true"})) == {tiered}
    assert _ids(get({"review_overdue": "false"})) == {cce_high, referred, tiered}
    body = get({"sort": "next_review", "per_page": 100}).get_json()
    assert body["items"][0]["id"] == tiered


def test_missing_filters_and_flags_in_the_answer(app, client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    missing_now = _case(app)
    overdue = _case(app)
    _case(app)
    with app.app_context():
        db.session.add_all(
            [
                MissingEpisode(
                    case_id=missing_now, went_missing_at=NOW - timedelta(hours=2), recorded_by_id=chair.id
                ),
                MissingEpisode(
                    case_id=overdue,
                    went_missing_at=NOW - timedelta(days=6),
                    returned_at=NOW - timedelta(days=5),
                    recorded_by_id=chair.id,
                ),
            ]
        )
        db.session.commit()
    get = lambda q: client.get("/api/v1/cases", headers=chair.headers, query_string=q)  # noqa: E731
    assert _ids(get({"open_missing_episode": "true"})) == {missing_now}
    assert _ids(get({"rhi_overdue": "yes"})) == {overdue}
    assert _ids(get({"repeat_missing": "true"})) == set()
    items = {c["id"]: c for c in get({}).get_json()["items"]}
    assert items[missing_now]["open_missing_episode"] and not items[missing_now]["rhi_overdue"]
    assert items[overdue]["rhi_overdue"] and not items[overdue]["open_missing_episode"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"risk_level": "severe"}, "risk_level"),
        ({"exploitation_type": "xyz"}, "exploitation_type"),
        ({"flag": "unknown"}, "flag"),
        ({"harm_location": "moon"}, "harm_location"),
        ({"police_tier": "no-such-tier"}, "police_tier"),
        ({"lead_professional": "abc"}, "lead_professional"),
        ({"rhi_overdue": "maybe"}, "rhi_overdue"),
        ({"sort": "name"}, "sort"),
        ({"per_page": "101"}, "per_page"),
        ({"q": "Sam"}, "q"),  # names go in a POST body, never in a URL
    ],
)
def test_bad_filter_is_422_naming_the_field(client, make_api_user, query, field):
    chair = make_api_user(Role.MET_CHAIR)
    body = assert_problem(client.get("/api/v1/cases", headers=chair.headers, query_string=query), 422)
    assert set(body["errors"]) == {field}


def test_search_by_name_in_a_post_body(app, client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    with app.app_context():
        from mettrack.accounts.models import User

        member = db.session.get(User, partner.id)
        child = factories.child(first_name="Marisol", last_name="Quenby")
        child.aliases = "Mari Q"
        mine = factories.case(members=[member], child_obj=child).id
        factories.case(child_obj=factories.child(first_name="Marisol"))  # not theirs
        factories.case(members=[member])
    search = lambda body: client.post("/api/v1/cases/search", headers=partner.headers, json=body)  # noqa: E731
    assert _ids(search({"q": "marisol"})) == {mine}
    assert _ids(search({"q": "MARI q"})) == {mine}  # the alias, in any case
    assert _ids(search({"q": "quenby", "state": ["closed"]})) == set()
    assert _ids(search({"q": "quenby", "state": ["screened"], "per_page": 5})) == {mine}
    rows = audit_rows(app, "case.listed")
    assert rows[-1]["detail"]["query"]["name_search"] is True
    assert all("quenby" not in str(r["detail"]).lower() for r in rows)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "x" * 101}, "q"),
        ({"q": "Sam", "state": ["lost"]}, "state"),
        ({"q": "Sam", "lead_professional": "someone"}, "lead_professional"),
        ({"q": "Sam", "colour": "red"}, "colour"),
    ],
)
def test_bad_search_is_422_naming_the_field(client, make_api_user, body, field):
    chair = make_api_user(Role.MET_CHAIR)
    problem = assert_problem(client.post("/api/v1/cases/search", headers=chair.headers, json=body), 422)
    assert set(problem["errors"]) == {field}


def test_the_case_shape_has_the_record_and_its_alerts(app, client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    case_id = _case(
        app,
        state=CaseState.POLICE_TIERED,
        tags=[
            (CaseTagKind.EXPLOITATION_TYPE, "cse"),
            (CaseTagKind.FLAG, "online"),
            (CaseTagKind.HARM_LOCATION, "hotel"),
        ],
        police_tier="high",
        police_team="hants_met_team",
        next_review_on=date(2026, 6, 20),
        mash_reference="MASH-1",
        nrm_referred_on=date(2026, 5, 1),
        nrm_reasonable_grounds="positive",
    )
    body = client.get(f"/api/v1/cases/{case_id}", headers=chair.headers).get_json()
    assert set(body) == CASE_FIELDS
    assert body["version"] > 1  # moved to MET review, then saved with the fields above
    assert body["child"]["first_name"] == "Testchild" and body["child"]["aliases"] == []
    assert (body["exploitation_types"], body["flags"], body["harm_locations"]) == (
        ["cse"],
        ["online"],
        ["hotel"],
    )
    assert (body["police_tier"], body["police_team"], body["next_review_on"]) == (
        "high",
        "hants_met_team",
        "2026-06-20",
    )
    assert (body["mash_reference"], body["nrm_referred_on"], body["nrm_reasonable_grounds"]) == (
        "MASH-1",
        "2026-05-01",
        "positive",
    )
    assert body["review_overdue"] is False
    listed = client.get("/api/v1/cases", headers=chair.headers).get_json()["items"]
    assert listed == [body]


def test_openapi_documents_the_new_paths(client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    spec = client.get("/api/v1/openapi.json", headers=chair.headers).get_json()
    assert "post" in spec["paths"]["/api/v1/cases/search"]
    params = {p["name"] for p in spec["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert {"state", "exploitation_type", "rhi_overdue", "lead_professional", "sort"} <= params
    assert "q" not in params
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/cases/{case_id}/service-assignments"])
