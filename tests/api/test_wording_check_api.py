"""The language check on every API request that saves free text about a child (besides
notes, tests/api/test_notes.py): flagged wording is a 422 problem naming the field with
the findings, and nothing is saved; `save_anyway: true` saves it as written and the audit
row names the list entry flagged (never the text); clean wording saves at once. And the
OpenAPI document says so."""

import pytest

from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from tests.api.conftest import audit_rows
from tests.wording_scenarios import (
    CLEAN,
    FLAGGED,
    NOW,
    PHRASE,
    SCENARIOS,
    SUGGESTION,
    WRITTEN,
    rhi_learning,
    seed_lists,
)


@pytest.fixture(params=list(SCENARIOS))
def writer(request, app, make_api_user):
    """(the API user, the scenario) for each form's request."""
    set_now(NOW)
    with app.app_context():
        seed_lists()
    role, build = SCENARIOS[request.param]
    user = make_api_user(role)
    with app.app_context():
        return user, build(user.id)


def _send(client, writer, text: str, **extra):
    user, scenario = writer
    return client.open(
        scenario.path, method=scenario.method, json={**scenario.body(text), **extra}, headers=user.headers
    )


def _stored(app, scenario):
    with app.app_context():
        return scenario.stored()


def test_flagged_wording_is_a_422_naming_the_field_with_the_findings(app, client, writer):
    _user, scenario = writer

    response = _send(client, writer, FLAGGED)

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert list(problem["errors"]) == [scenario.field]
    assert WRITTEN in problem["errors"][scenario.field] and "save_anyway" in problem["errors"][scenario.field]
    [finding] = problem["findings"]
    assert (finding["field"], finding["text"], finding["phrase"]) == (scenario.field, WRITTEN, PHRASE)
    assert finding["suggestion"] == SUGGESTION and finding["why"]
    assert FLAGGED[finding["start"] : finding["end"]] == WRITTEN
    assert _stored(app, scenario) is None
    assert audit_rows(app, scenario.action)[scenario.audit_before :] == []


def test_save_anyway_saves_as_written_and_the_audit_row_names_the_phrase(app, client, writer):
    _user, scenario = writer

    response = _send(client, writer, FLAGGED, save_anyway=True)

    assert response.status_code in (200, 201), response.get_json()
    assert _stored(app, scenario) == FLAGGED
    [row] = audit_rows(app, scenario.action)[scenario.audit_before :]
    assert row["detail"]["language_flagged"] == {scenario.field: [PHRASE]}
    assert row["detail"]["saved_anyway"] is True
    assert WRITTEN not in str(row["detail"]) and "park" not in str(row["detail"])


def test_clean_wording_saves_at_once(app, client, writer):
    _user, scenario = writer

    response = _send(client, writer, CLEAN)

    assert response.status_code in (200, 201), response.get_json()
    assert _stored(app, scenario) == CLEAN
    [row] = audit_rows(app, scenario.action)[scenario.audit_before :]
    assert "language_flagged" not in row["detail"]


def test_save_anyway_must_be_true_or_false(app, client, writer):
    _user, scenario = writer

    response = _send(client, writer, FLAGGED, save_anyway="perhaps")

    assert response.status_code == 422
    assert "save_anyway" in response.get_json()["errors"]
    assert _stored(app, scenario) is None


def test_wording_already_saved_on_an_episode_is_not_flagged_again(app, client, make_api_user):
    set_now(NOW)
    with app.app_context():
        seed_lists()
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    with app.app_context():
        scenario = rhi_learning(lead.id)
    first = client.patch(
        scenario.path, json={**scenario.body(FLAGGED), "save_anyway": True}, headers=lead.headers
    )
    assert first.status_code == 200

    # Correcting who held the interview sends the saved wording again, unchanged.
    again = client.patch(
        scenario.path,
        json={**scenario.body(FLAGGED), "rhi_by": "Another independent worker"},
        headers=lead.headers,
    )

    assert again.status_code == 200, again.get_json()
    assert [("language_flagged" in row["detail"]) for row in audit_rows(app, "missing.updated")] == [
        True,
        False,
    ]


# Each operation whose free text is checked, as the OpenAPI document names it.
CHECKED_OPERATIONS = [
    ("post", "/api/v1/cases/{case_id}/notes"),
    ("post", "/api/v1/cases/{case_id}/transitions"),
    ("post", "/api/v1/cases/{case_id}/screenings"),
    ("post", "/api/v1/children/{child_id}/screenings"),
    ("post", "/api/v1/cases/{case_id}/risk-assessments"),
    ("post", "/api/v1/cases/{case_id}/missing-episodes"),
    ("patch", "/api/v1/cases/{case_id}/missing-episodes/{episode_id}"),
    ("patch", "/api/v1/cases/{case_id}/service-assignments/{service_assignment_id}"),
]


def _resolve(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = spec["components"][kind][name]
    return node


@pytest.mark.parametrize(("method", "path"), CHECKED_OPERATIONS)
def test_the_openapi_document_describes_save_anyway_and_the_findings(client, make_api_user, method, path):
    user = make_api_user(Role.ANALYST)
    spec = client.get("/api/v1/openapi.json", headers=user.headers).get_json()
    operation = spec["paths"][path][method]

    request = _resolve(spec, operation["requestBody"]["content"]["application/json"]["schema"])
    assert request["properties"]["save_anyway"]["type"] == "boolean"
    assert request["properties"]["save_anyway"]["default"] is False
    answer = operation["responses"]["422"]
    assert "language check" in answer["description"] and "save_anyway" in answer["description"]
    problem = _resolve(spec, answer["content"]["application/problem+json"]["schema"])
    assert {"type", "title", "status", "detail", "errors"} <= set(problem["required"])
    finding = _resolve(spec, problem["properties"]["findings"]["items"])
    assert {"field", "text", "start", "end", "phrase", "suggestion", "why"} <= set(finding["properties"])
