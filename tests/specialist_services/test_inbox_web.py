"""The provider's pages and API: /services/requests and /api/v1/service-requests/inbox."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from mettrack.accounts import tokens
from mettrack.cases.models import Case, CaseTeamMember
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role, ServiceRequestStatus
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.specialist_services.models import ServiceRequest, SpecialistService
from tests import factories
from tests.conftest import post_form
from tests.wording_scenarios import FLAGGED, seed_lists

NOW = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)
ADDRESS = "1 Hidden Lane, Testtown"
START = {"starts_on-day": "1", "starts_on-month": "4", "starts_on-year": "2026"}


@pytest.fixture
def world(app):
    set_now(NOW)
    with app.app_context():
        coordinator = factories.user(roles=[Role.COORDINATOR])
        provider = factories.user(roles=[Role.PARTNER], agency="PARCS test agency", name="Pat Provider")
        other = factories.user(roles=[Role.PARTNER], agency="DASS test agency")
        nobody = factories.user(roles=[Role.PARTNER], agency="Agency with no service")
        kid = factories.child(first_name="Sam", date_of_birth=date(2011, 1, 2), address=ADDRESS)
        case = factories.case(state=CaseState.POLICE_TIERED, child_obj=kid)
        for code, agency_id in (("parcs", provider.agency_id), ("dass", other.agency_id)):
            service = db.session.scalar(select(SpecialistService).where(SpecialistService.code == code))
            service.agency_id = agency_id
        parcs = factories.service_request(
            case.id, coordinator.id, "parcs", needs="Prefers meeting at school."
        )
        dass = factories.service_request(case.id, coordinator.id, "dass")
        db.session.add_all([parcs, dass])
        db.session.commit()
        _token, secret = tokens.create_token(provider, name="test")
        _token, nobody_secret = tokens.create_token(nobody, name="test")
        ids = dict(
            provider=provider.email,
            nobody=nobody.email,
            case=case.id,
            parcs=parcs.id,
            dass=dass.id,
            provider_id=provider.id,
            secret=secret,
            nobody_secret=nobody_secret,
        )
    yield ids
    set_now(None)


def _status(app, request_id):
    with app.app_context():
        return db.session.get(ServiceRequest, request_id).status


def test_the_inbox_page_shows_only_the_providers_requests(client, auth, world):
    auth.login(world["provider"])
    home = client.get("/").get_data(as_text=True)
    assert "Requests for your services" in home
    page = client.get("/services/requests")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"Request {world['parcs']}" in text and f"Request {world['dass']}" not in text
    assert "Sam " in text and "aged 15" in text
    assert ADDRESS not in text
    assert client.get(f"/services/requests/{world['dass']}").status_code == 404


def test_the_request_page_shows_what_the_service_needs_not_the_record(client, auth, world):
    auth.login(world["provider"])
    page = client.get(f"/services/requests/{world['parcs']}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Prefers meeting at school." in text and "Accept the request" in text
    assert 'value="Pat Provider"' in text  # the worker defaults to the user
    assert ADDRESS not in text and f"/cases/{world['case']}" not in text


def test_accepting_joins_the_team_and_moves_the_case(app, client, auth, world):
    auth.login(world["provider"])
    path = f"/services/requests/{world['parcs']}"
    response = post_form(
        client,
        path + "/accept",
        {"version": "1", "worker": "", **START},
        page=path,
    )
    assert response.status_code == 302
    assert _status(app, world["parcs"]) == ServiceRequestStatus.ACCEPTED.value
    with app.app_context():
        assert db.session.get(Case, world["case"]).state == CaseState.SERVICE_ASSIGNED.value
        assert db.session.get(CaseTeamMember, (world["case"], world["provider_id"])) is not None
        accepted = db.session.get(ServiceRequest, world["parcs"])
        assert accepted.worker == "Pat Provider" and accepted.starts_on == date(2026, 4, 1)
    after = client.get(path).get_data(as_text=True)
    assert "You accepted the request" in after
    assert f'href="/cases/{world["case"]}"' in after


def test_a_bad_start_date_is_named_and_nothing_changes(app, client, auth, world):
    auth.login(world["provider"])
    path = f"/services/requests/{world['parcs']}"
    response = post_form(
        client,
        path + "/accept",
        {"version": "1", "starts_on-day": "31", "starts_on-month": "2", "starts_on-year": "2026"},
        page=path,
    )
    assert response.status_code == 400
    assert "#starts_on-day" in response.get_data(as_text=True)
    assert _status(app, world["parcs"]) == ServiceRequestStatus.REQUESTED.value


def test_declining_needs_the_reason(app, client, auth, world):
    auth.login(world["provider"])
    path = f"/services/requests/{world['parcs']}"
    missing = post_form(client, path + "/decline", {"version": "1", "decline_reason": " "}, page=path)
    assert missing.status_code == 400
    assert "Why the service declines" in missing.get_data(as_text=True)
    assert _status(app, world["parcs"]) == ServiceRequestStatus.REQUESTED.value
    done = post_form(
        client, path + "/decline", {"version": "1", "decline_reason": "No worker free until May."}, page=path
    )
    assert done.status_code == 302
    assert _status(app, world["parcs"]) == ServiceRequestStatus.DECLINED.value


def test_a_stale_version_is_a_conflict(app, client, auth, world):
    auth.login(world["provider"])
    path = f"/services/requests/{world['parcs']}"
    response = post_form(client, path + "/decline", {"version": "7", "decline_reason": "Full."}, page=path)
    assert response.status_code == 409
    assert _status(app, world["parcs"]) == ServiceRequestStatus.REQUESTED.value


def test_another_providers_request_cannot_be_answered(app, client, auth, world):
    auth.login(world["provider"])
    path = f"/services/requests/{world['dass']}/accept"
    response = post_form(client, path, {"version": "1"}, page="/services/requests")
    assert response.status_code == 404
    assert _status(app, world["dass"]) == ServiceRequestStatus.REQUESTED.value


def test_a_user_whose_agency_provides_nothing_gets_403_and_no_link(client, auth, world):
    auth.login(world["nobody"])
    assert "Requests for your services" not in client.get("/").get_data(as_text=True)
    assert client.get("/services/requests").status_code == 403
    assert client.get(f"/services/requests/{world['parcs']}").status_code == 403


def test_the_api_lists_the_provider_view(client, world):
    headers = {"Authorization": f"Bearer {world['secret']}"}
    response = client.get("/api/v1/service-requests/inbox", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert [i["id"] for i in body["items"]] == [world["parcs"]]
    item = body["items"][0]
    assert item["child_name"].startswith("Sam ") and item["child_age"] == 15
    assert item["service"] == "parcs" and item["needs"] == "Prefers meeting at school."
    assert item["case_id"] is None and "address" not in item
    assert ADDRESS not in response.get_data(as_text=True)
    assert body["counts"]["waiting"] == 1


def test_the_api_names_a_bad_status_and_refuses_a_non_provider(client, world):
    headers = {"Authorization": f"Bearer {world['secret']}"}
    bad = client.get("/api/v1/service-requests/inbox?status=bogus", headers=headers)
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]
    refused = client.get(
        "/api/v1/service-requests/inbox", headers={"Authorization": f"Bearer {world['nobody_secret']}"}
    )
    assert refused.status_code == 403


def test_the_api_is_in_the_openapi_document(client, world):
    headers = {"Authorization": f"Bearer {world['secret']}"}
    spec = client.get("/api/v1/openapi.json", headers=headers).get_json()
    assert "/api/v1/service-requests/inbox" in spec["paths"]


def test_a_blaming_phrase_in_the_reason_is_shown_before_saving(app, client, auth, world):
    with app.app_context():
        seed_lists()
    auth.login(world["provider"])
    path = f"/services/requests/{world['parcs']}"
    reason = {"version": "1", "decline_reason": FLAGGED}
    flagged = post_form(client, path + "/decline", reason, page=path)
    assert flagged.status_code == 200 and 'name="save_anyway"' in flagged.get_data(as_text=True)
    assert _status(app, world["parcs"]) == ServiceRequestStatus.REQUESTED.value
    saved = post_form(client, path + "/decline", reason | {"save_anyway": "yes"}, page=path)
    assert saved.status_code == 302
    assert _status(app, world["parcs"]) == ServiceRequestStatus.DECLINED.value


def test_a_second_answer_is_refused_saying_what_the_request_is_now(app, client, auth, world):
    auth.login(world["provider"])
    path = f"/services/requests/{world['parcs']}"
    assert post_form(client, path + "/accept", {"version": "1"}, page=path).status_code == 302
    with app.app_context():
        version = db.session.get(ServiceRequest, world["parcs"]).version
    answer = {"version": str(version), "decline_reason": "Full."}
    again = post_form(client, path + "/decline", answer, page=path)
    assert again.status_code == 400
    assert "already been answered" in again.get_data(as_text=True)
    assert _status(app, world["parcs"]) == ServiceRequestStatus.ACCEPTED.value


def test_the_api_listing_is_audited_by_ids(app, client, world):
    headers = {"Authorization": f"Bearer {world['secret']}"}
    client.get("/api/v1/service-requests/inbox?status=waiting", headers=headers)
    with app.app_context():
        row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "service_request.inbox_listed"))
        detail = json.loads(row.detail)
    assert detail["ids"] == [world["parcs"]] and detail["status"] == "waiting"
    assert "Sam" not in row.detail
