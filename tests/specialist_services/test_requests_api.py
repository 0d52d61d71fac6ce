"""/api/v1/cases/{id}/service-requests and /api/v1/service-requests/{id}: a request's
life through the API, the capacity warning, and the refusals as problems (403, 404, 409,
422 naming the field)."""

import pytest
from sqlalchemy import select

from mettrack.accounts import tokens
from mettrack.cases.models import Case
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState
from mettrack.core.extensions import db
from mettrack.language import seed_defaults as seed_phrases
from mettrack.specialist_services.models import ServiceRequest
from tests import factories
from tests.api.conftest import bearer
from tests.specialist_services.conftest import REASON, service
from tests.wording_scenarios import FLAGGED


@pytest.fixture
def api(world):
    """Bearer headers for the world's users."""
    headers = {
        name: bearer(tokens.create_token(world[name], name="test")[1])
        for name in ("coordinator", "provider", "other", "lead")
    }
    db.session.commit()
    return headers


def _send(client, world, api, code="parcs", **extra):
    return client.post(
        f"/api/v1/cases/{world['case_id']}/service-requests",
        headers=api["coordinator"],
        json={"service": code, "reason": REASON} | extra,
    )


def _one(request_id: int, action: str = "") -> str:
    return f"/api/v1/service-requests/{request_id}" + (f"/{action}" if action else "")


def _problem(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.content_type.startswith("application/problem+json")
    body = response.get_json()
    if field:
        assert field in body["errors"], body
    return body


def test_create_list_and_read(client, world, api):
    response = _send(client, world, api, urgency="urgent", needs="Reach her through school.")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["service"], body["status"], body["urgency"], body["warning"]) == (
        "parcs",
        "requested",
        "urgent",
        None,
    )
    assert body["answer_due_on"] == "2026-04-07" and body["overdue"] is False and body["version"] == 1
    assert response.headers["Location"].endswith(_one(body["id"]))
    listed = client.get(f"/api/v1/cases/{world['case_id']}/service-requests", headers=api["lead"])
    assert [i["id"] for i in listed.get_json()["items"]] == [body["id"]]
    read = client.get(response.headers["Location"], headers=api["provider"])  # the provider, off the team
    assert read.status_code == 200 and read.get_json()["needs"] == "Reach her through school."


def test_create_over_capacity_answers_with_the_warning(client, world, api):
    service("parcs").capacity = 0
    db.session.commit()
    body = _send(client, world, api).get_json()
    assert "over its capacity" in body["warning"] and body["status"] == "requested"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"service": "nope"}, "service"),
        ({"urgency": "soon"}, "urgency"),
        ({"reason": ""}, "reason"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_create_bad_input_is_422_naming_the_field(client, world, api, extra, field):
    _problem(_send(client, world, api, **extra), 422, field)
    assert db.session.scalar(select(ServiceRequest.id)) is None


def test_create_is_the_coordinators(client, world, api):
    response = client.post(
        f"/api/v1/cases/{world['case_id']}/service-requests",
        headers=api["lead"],
        json={"service": "parcs", "reason": REASON},
    )
    _problem(response, 403)


def test_the_providers_acceptance_moves_the_case_a_second_is_refused(client, world, api):
    sent = _send(client, world, api).get_json()
    accepted = client.post(
        _one(sent["id"], "accept"), headers=api["provider"], json={"version": 1, "starts_on": "2026-04-01"}
    )
    assert accepted.status_code == 200, accepted.get_json()
    body = accepted.get_json()
    assert (body["status"], body["worker"], body["recorded_for_provider"]) == (
        "accepted",
        "Pat Provider",
        False,
    )
    db.session.expire_all()
    assert db.session.get(Case, world["case_id"]).state == CaseState.SERVICE_ASSIGNED.value
    again = client.post(
        _one(sent["id"], "accept"), headers=api["provider"], json={"version": body["version"]}
    )
    _problem(again, 422, "status")
    # Withdraw only a waiting request.
    late = client.post(
        _one(sent["id"], "withdraw"),
        headers=api["coordinator"],
        json={"version": body["version"], "withdrawn_reason": "Too late"},
    )
    _problem(late, 422, "status")


def test_a_stale_version_is_409(client, world, api):
    sent = _send(client, world, api).get_json()
    _problem(client.post(_one(sent["id"], "accept"), headers=api["provider"], json={"version": 9}), 409)


def test_another_provider_cannot_answer_for_this_service(client, world, api):
    sent = _send(client, world, api).get_json()
    # "other" provides DASS and is on the case team: reaches the request, may not answer it.
    _problem(client.post(_one(sent["id"], "accept"), headers=api["other"], json={"version": 1}), 403)
    stranger = factories.user(agency="Elsewhere")
    headers = bearer(tokens.create_token(stranger, name="t")[1])
    db.session.commit()
    _problem(
        client.post(
            _one(sent["id"], "decline"), headers=headers, json={"version": 1, "decline_reason": "No"}
        ),
        404,
    )
    _problem(client.get(_one(sent["id"]), headers=headers), 404)


def test_decline_needs_a_reason_the_coordinator_records_it(client, world, api):
    sent = _send(client, world, api).get_json()
    _problem(
        client.post(_one(sent["id"], "decline"), headers=api["coordinator"], json={"version": 1}),
        422,
        "decline_reason",
    )
    blank = client.post(
        _one(sent["id"], "decline"), headers=api["coordinator"], json={"version": 1, "decline_reason": " "}
    )
    _problem(blank, 422, "decline_reason")
    done = client.post(
        _one(sent["id"], "decline"),
        headers=api["coordinator"],
        json={"version": 1, "decline_reason": "No worker free until May"},
    )
    assert done.status_code == 200
    assert (done.get_json()["status"], done.get_json()["recorded_for_provider"]) == ("declined", True)


def test_withdraw_is_the_coordinators_with_a_reason(client, world, api):
    sent = _send(client, world, api).get_json()
    _problem(
        client.post(
            _one(sent["id"], "withdraw"),
            headers=api["provider"],
            json={"version": 1, "withdrawn_reason": "x"},
        ),
        403,
    )
    _problem(
        client.post(_one(sent["id"], "withdraw"), headers=api["coordinator"], json={"version": 1}),
        422,
        "withdrawn_reason",
    )
    done = client.post(
        _one(sent["id"], "withdraw"),
        headers=api["coordinator"],
        json={"version": 1, "withdrawn_reason": "Not needed"},
    )
    assert done.status_code == 200 and done.get_json()["status"] == "withdrawn"


def test_the_service_assignments_contract_still_lists_accepted_requests(client, world, api):
    sent = _send(client, world, api).get_json()
    path = f"/api/v1/cases/{world['case_id']}/service-assignments"
    assert client.get(path, headers=api["coordinator"]).get_json()["items"] == []
    client.post(_one(sent["id"], "accept"), headers=api["provider"], json={"version": 1})
    (item,) = client.get(path, headers=api["coordinator"]).get_json()["items"]
    assert (item["id"], item["service"], item["status"]) == (sent["id"], "parcs", "accepted")


def test_the_openapi_document_describes_the_routes(client, world, api):
    paths = client.get("/api/v1/openapi.json", headers=api["lead"]).get_json()["paths"]
    for path in (
        "/api/v1/cases/{case_id}/service-requests",
        "/api/v1/service-requests/{service_request_id}",
        "/api/v1/service-requests/{service_request_id}/accept",
        "/api/v1/service-requests/{service_request_id}/decline",
        "/api/v1/service-requests/{service_request_id}/withdraw",
    ):
        assert path in paths, path
    created = paths["/api/v1/cases/{case_id}/service-requests"]["post"]["responses"]["201"]
    assert "warning" in str(created) or "ServiceRequestSent" in str(created)


def test_flagged_wording_is_a_422_until_saved_anyway(client, world, api):
    seed_phrases()
    db.session.commit()
    sent = _send(client, world, api).get_json()
    body = {"version": 1, "decline_reason": FLAGGED}
    flagged = _problem(client.post(_one(sent["id"], "decline"), headers=api["coordinator"], json=body), 422)
    assert "decline_reason" in flagged["errors"] and flagged["findings"]
    saved = client.post(
        _one(sent["id"], "decline"), headers=api["coordinator"], json=body | {"save_anyway": True}
    )
    assert saved.status_code == 200 and saved.get_json()["decline_reason"] == FLAGGED
    rows = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "service_request.declined")
    )
    (detail,) = list(rows)
    assert FLAGGED not in detail and "language" in detail
