"""GET /api/v1/openapi.json: generated from the code, valid OpenAPI 3, behind a token."""

import re

from openapi_spec_validator import validate

from mettrack.core.choices import Role

OPENAPI = "/api/v1/openapi.json"


def _spec(client, make_api_user) -> dict:
    user = make_api_user(Role.ANALYST)  # any signed-in role may read it
    response = client.get(OPENAPI, headers=user.headers)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_openapi_document_is_valid_openapi_3(client, make_api_user):
    spec = _spec(client, make_api_user)
    assert spec["openapi"].startswith("3.")
    validate(spec)


def test_openapi_document_lists_every_api_route(app, client, make_api_user):
    spec = _spec(client, make_api_user)
    served = {
        re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api-docs.openapi_json"
    }
    assert served == set(spec["paths"])
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/children/{child_id}"} <= set(spec["paths"])


def test_openapi_document_declares_bearer_auth_for_every_operation(client, make_api_user):
    spec = _spec(client, make_api_user)
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    assert spec["security"] == [{"bearerAuth": []}]


def test_openapi_document_describes_errors_as_problem_details(client, make_api_user):
    spec = _spec(client, make_api_user)
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "errors"}
    responses = spec["components"]["responses"]
    for name in ("UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "UNPROCESSABLE_ENTITY", "DEFAULT_ERROR"):
        assert responses[name]["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert {"401", "403", "default"} <= set(operation["responses"]), f"{method} {path}"


def test_openapi_document_needs_a_token(auth, client):
    assert client.get(OPENAPI).status_code == 401
    auth.as_role(Role.MET_CHAIR)
    # One rule for all of /api/: a signed-in browser session is not a token.
    assert client.get(OPENAPI).status_code == 401


def test_no_html_documentation_pages_are_served(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {e for e in endpoints if e.startswith("api-docs.")} == {"api-docs.openapi_json"}
