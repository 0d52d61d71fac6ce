"""The provider's inbox (specialist_services/inbox_pages.py and inbox_api.py).

Only the test partner's agency provides a service (PARCS: tests/access/service_requests.py),
so the partner is the one role allowed; every other role, case role or not, gets 403 (a
case role whose agency provides nothing is refused by access.require_provider). Nobody
sees every request here: `{service_request}` becomes `{hidden_service_request}` (to
DASS, which no test user's agency provides) and `{open_service_request}` (DASS, on the
open case): both 404 for the partner. An answer with an impossible start date, or no
reason to decline, is refused by its fields (400): neither 403 nor 404.
"""

from mettrack.core.choices import Role
from tests.access import Route

PROVIDER = frozenset({Role.PARTNER})
ONE = dict(allowed=PROVIDER, need_to_know=True, sees_all=frozenset())
BASE = "/services/requests"
BAD_START = {"version": "1", "starts_on-day": "31", "starts_on-month": "2", "starts_on-year": "2026"}

ROUTES = [
    Route("GET", "service_inbox.index", BASE, allowed=PROVIDER),
    Route("GET", "service_inbox.detail", BASE + "/{service_request}", **ONE),
    Route("POST", "service_inbox.accept", BASE + "/{service_request}/accept", ok=400, data=BAD_START, **ONE),
    Route(
        "POST",
        "service_inbox.decline",
        BASE + "/{service_request}/decline",
        ok=400,
        data={"version": "1", "decline_reason": ""},
        **ONE,
    ),
    Route(
        "GET",
        "api_service_inbox.ServiceInbox",
        "/api/v1/service-requests/inbox",
        allowed=PROVIDER,
        api=True,
    ),
]
