"""The JSON API under /api/v1 (bearer tokens)."""

from tests.access import ALL_ROLES, CASE_ROLES, Route

ROUTES = [
    Route("GET", "api-docs.openapi_json", "/api/v1/openapi.json", allowed=ALL_ROLES, api=True),
    Route("GET", "api_cases.Cases", "/api/v1/cases", allowed=CASE_ROLES, api=True),
    Route(
        "GET",
        "api_cases.CaseItem",
        "/api/v1/cases/{case}",
        allowed=CASE_ROLES,
        need_to_know=True,
        case_summary=True,
        api=True,
    ),
    Route(
        "GET",
        "api_children.ChildItem",
        "/api/v1/children/{child}",
        allowed=CASE_ROLES,
        need_to_know=True,
        api=True,
    ),
]
