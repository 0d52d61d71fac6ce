"""Screening, referral and the other moves of a case (pages and API).

The world's visible case is in `met_review` and no reference data is seeded, so a move
that the role may take is refused by its fields (400 on a page, 422 by the API): neither
403 nor 404, which is what the matrix checks. Each move route is listed once per move,
as a move's roles come from the workflow table, not from the route.
"""

from mettrack.core.choices import Role
from tests.access import CASE_ROLES, Route
from tests.dates import date_fields

CHAIR_ONLY = frozenset({Role.MET_CHAIR})
COORDINATOR_ONLY = frozenset({Role.COORDINATOR})
CHAIR_AND_LEAD = frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL})

SCREENING = {
    **date_fields("screened_on", "2026-01-05"),
    "child_age": "15",
    "went_missing": "yes",
    "partner_age": "",
    "controlling_relationship": "no",
    "frequents_exploitation_areas": "no",
}
SCREENING_JSON = {
    "screened_on": "2026-01-05",
    "child_age": 15,
    "went_missing": True,
    "controlling_relationship": False,
    "frequents_exploitation_areas": False,
}

ROUTES = [
    # Screening pages: the child's screening form and the case's screenings.
    Route("GET", "screenings.new", "/children/{child}/screen", allowed=CASE_ROLES, need_to_know=True),
    Route(
        "POST",
        "screenings.new",
        "/children/{child}/screen",
        allowed=CASE_ROLES,
        need_to_know=True,
        ok=302,
        data=SCREENING,
    ),
    Route("GET", "screenings.for_case", "/cases/{case}/screenings", allowed=CASE_ROLES, need_to_know=True),
    # Move forms: the coordinator's assign_service (on any open case, team or not: the
    # closed hidden case is a 404), the chair's close, the lead's and chair's reopen.
    Route(
        "GET",
        "transitions.move",
        "/cases/{case}/moves/assign_service",
        allowed=COORDINATOR_ONLY,
        need_to_know=True,
        case_summary=True,
    ),
    Route(
        "POST",
        "transitions.move",
        "/cases/{case}/moves/assign_service",
        allowed=COORDINATOR_ONLY,
        need_to_know=True,
        case_summary=True,
        ok=400,
        data={"version": "1", "service": "not-seeded", **date_fields("accepted_on", "2026-01-05")},
    ),
    Route("GET", "transitions.move", "/cases/{case}/moves/close", allowed=CHAIR_ONLY),
    Route(
        "POST",
        "transitions.move",
        "/cases/{case}/moves/close",
        allowed=CHAIR_ONLY,
        ok=400,
        data={"version": "1", "exit_reason": "not-seeded"},
    ),
    Route(
        "POST",
        "transitions.move",
        "/cases/{case}/moves/reopen",
        allowed=CHAIR_AND_LEAD,
        need_to_know=True,
        ok=400,
        data={"version": "1", "reason": "New concerns from the school."},
    ),
    # API.
    Route(
        "GET",
        "api_transitions.Transitions",
        "/api/v1/cases/{case}/transitions",
        allowed=CASE_ROLES,
        need_to_know=True,
        case_summary=True,
        api=True,
    ),
    Route(
        "POST",
        "api_transitions.Transitions",
        "/api/v1/cases/{case}/transitions",
        allowed=COORDINATOR_ONLY,
        need_to_know=True,
        case_summary=True,
        ok=422,
        api=True,
        data={"action": "assign_service", "version": 1, "service": "not-seeded", "accepted_on": "2026-01-05"},
    ),
    Route(
        "GET",
        "api_screenings.CaseScreenings",
        "/api/v1/cases/{case}/screenings",
        allowed=CASE_ROLES,
        need_to_know=True,
        api=True,
    ),
    Route(
        "POST",
        "api_screenings.CaseScreenings",
        "/api/v1/cases/{case}/screenings",
        allowed=CASE_ROLES,
        need_to_know=True,
        ok=201,
        api=True,
        data=SCREENING_JSON,
    ),
    Route(
        "POST",
        "api_screenings.ChildScreenings",
        "/api/v1/children/{child}/screenings",
        allowed=CASE_ROLES,
        need_to_know=True,
        ok=201,
        api=True,
        data=SCREENING_JSON,
    ),
]
