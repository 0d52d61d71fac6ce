"""The case list's name search and the specialist services on a case (pages and API).

The world's visible case is in `met_review` and no reference data is seeded, so a new
service that the coordinator may record is refused by its fields (400 on a page, 422 by
the API): neither 403 nor 404, which is what the matrix checks. Each case has one
current service (build_records) whose end a coordinator may record.
"""

from datetime import date

from mettrack.core.choices import Role
from mettrack.core.extensions import db
from tests.access import CASE_ROLES, Route
from tests.dates import date_fields
from tests.factories import accepted_service

COORDINATOR_ONLY = frozenset({Role.COORDINATOR})


def build_records(visible_case, hidden_case, recorder) -> dict:
    """For tests/access/world.py: a current service on each case. Returns the ids to add."""
    rows = [
        accepted_service(case.id, recorder.id, "parcs", worker="Test Worker", accepted_on=date(2026, 1, 5))
        for case in (visible_case, hidden_case)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return {"service_assignment": rows[0].id, "hidden_service_assignment": rows[1].id}


NEW_SERVICE = {"version": "1", "service": "not-seeded", **date_fields("accepted_on", "2026-01-05")}
END_SERVICE = {**date_fields("ended_on", "2026-01-10"), "outcome": "completed"}
BASE = "/cases/{case}/services"
API_BASE = "/api/v1/cases/{case}/service-assignments"
# The coordinator records and ends services on every open case, on its team or not.
COORDINATOR = dict(allowed=COORDINATOR_ONLY, need_to_know=True, case_summary=True)

ROUTES = [
    Route("POST", "cases.search", "/cases/search", allowed=CASE_ROLES, ok=302, data={"q": "Testchild"}),
    Route("GET", "cases.new_service", BASE + "/new", **COORDINATOR),
    Route("POST", "cases.new_service", BASE + "/new", ok=400, data=NEW_SERVICE, **COORDINATOR),
    Route("GET", "cases.end_service", BASE + "/{service_assignment}/end", **COORDINATOR),
    Route(
        "POST",
        "cases.end_service",
        BASE + "/{service_assignment}/end",
        ok=302,
        data=END_SERVICE,
        **COORDINATOR,
    ),
    Route(
        "POST",
        "api_cases.CaseSearch",
        "/api/v1/cases/search",
        allowed=CASE_ROLES,
        api=True,
        data={"q": "Test"},
    ),
    Route(
        "GET",
        "api_service_assignments.ServiceAssignments",
        API_BASE,
        allowed=CASE_ROLES,
        need_to_know=True,
        case_summary=True,
        api=True,
    ),
    Route(
        "POST",
        "api_service_assignments.ServiceAssignments",
        API_BASE,
        ok=422,
        api=True,
        data={"version": 1, "service": "not-seeded", "accepted_on": "2026-01-05"},
        **COORDINATOR,
    ),
    Route(
        "GET",
        "api_service_assignments.ServiceAssignmentItem",
        API_BASE + "/{service_assignment}",
        allowed=CASE_ROLES,
        need_to_know=True,
        case_summary=True,
        api=True,
    ),
    Route(
        "PATCH",
        "api_service_assignments.ServiceAssignmentItem",
        API_BASE + "/{service_assignment}",
        api=True,
        data={"ended_on": "2026-01-10"},
        **COORDINATOR,
    ),
]
