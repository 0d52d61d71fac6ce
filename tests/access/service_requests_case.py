"""Service requests, the case's side: the coordinator's pages (request, withdraw, record
an answer given by phone) and the API (a case's requests, one request, accept, decline,
withdraw). The records are tests/access/service_requests.py's.

{case} is in met_review, where a service may be requested: a new request for Barnardo's ICTG is
sent (PARCS and DASS already have requests waiting). The API's answers are made by the
coordinator (recorded for the provider) or, on {service_request}, by the test partner,
whose agency provides PARCS; the chair and the lead reach the request through the case
but do not answer for the service: 403.
"""

from mettrack.core.choices import Role
from tests.access import CASE_ROLES, Route

COORDINATOR_ONLY = frozenset({Role.COORDINATOR})
ANSWERERS = frozenset({Role.COORDINATOR, Role.PARTNER})
# The coordinator acts on every open case's requests, on its team or not.
COORDINATOR = dict(allowed=COORDINATOR_ONLY, need_to_know=True, case_summary=True)

PAGE = "/cases/{case}/service-requests"
ONE = PAGE + "/{service_request}"
API_CASE = "/api/v1/cases/{case}/service-requests"
API_ONE = "/api/v1/service-requests/{service_request}"
# A page's version "01" is the request's 1: the matrix puts the case's version in place of a
# plain "1" on a path naming a case (tests/web/test_route_access.py), and these are requests.
REASON = {"reason": "The MET group asked for one-to-one work."}

ROUTES = [
    Route("GET", "service_requests.new", PAGE + "/new", **COORDINATOR),
    Route(
        "POST",
        "service_requests.new",
        PAGE + "/new",
        ok=302,
        data={"service": "barnardos_ictg", "urgency": "routine", **REASON},
        **COORDINATOR,
    ),
    Route("GET", "service_requests.withdraw", ONE + "/withdraw", **COORDINATOR),
    Route(
        "POST",
        "service_requests.withdraw",
        ONE + "/withdraw",
        ok=302,
        data={"version": "01", "withdrawn_reason": "Another service has started."},
        **COORDINATOR,
    ),
    Route("GET", "service_requests.decline", ONE + "/decline", **COORDINATOR),
    Route(
        "POST",
        "service_requests.decline",
        ONE + "/decline",
        ok=302,
        data={"version": "01", "decline_reason": "No worker free until May."},
        **COORDINATOR,
    ),
    Route("GET", "service_requests.accept", ONE + "/accept", **COORDINATOR),
    Route(
        "POST",
        "service_requests.accept",
        ONE + "/accept",
        ok=400,  # no start nor acceptance date: refused naming the field, neither 403 nor 404
        data={"version": "01", "worker": "A. Worker"},
        **COORDINATOR,
    ),
    Route(
        "GET",
        "api_case_service_requests.CaseServiceRequests",
        API_CASE,
        allowed=CASE_ROLES,
        need_to_know=True,
        case_summary=True,
        api=True,
    ),
    Route(
        "POST",
        "api_case_service_requests.CaseServiceRequests",
        API_CASE,
        ok=201,
        api=True,
        data={"service": "barnardos_ictg", **REASON},
        **COORDINATOR,
    ),
    Route(
        "GET",
        "api_service_request_items.ServiceRequestItem",
        API_ONE,
        allowed=CASE_ROLES,
        need_to_know=True,
        case_summary=True,
        api=True,
    ),
    Route(
        "POST",
        "api_service_request_items.ServiceRequestAccept",
        API_ONE + "/accept",
        allowed=ANSWERERS,
        need_to_know=True,
        case_summary=True,
        api=True,
        data={"version": 1, "worker": "A. Worker", "starts_on": "2026-01-12"},
    ),
    Route(
        "POST",
        "api_service_request_items.ServiceRequestDecline",
        API_ONE + "/decline",
        allowed=ANSWERERS,
        need_to_know=True,
        case_summary=True,
        api=True,
        data={"version": 1, "decline_reason": "No worker free until May."},
    ),
    Route(
        "POST",
        "api_service_request_items.ServiceRequestWithdraw",
        API_ONE + "/withdraw",
        api=True,
        data={"version": 1, "withdrawn_reason": "Another service has started."},
        **COORDINATOR,
    ),
]
