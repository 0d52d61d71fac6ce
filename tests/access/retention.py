"""Retention and subject access (mettrack/retention/pages.py, docs/retention.md): the
review list and deletion for administrators, a legal hold for an administrator or the MET
chair, the subject access export for the MET chair. `{case}` is open, so confirming its
deletion is refused (a redirect to the list saying why) and nothing is deleted."""

from mettrack.core.choices import Role
from tests.access import Route

ADMIN = frozenset({Role.ADMIN})
HOLDERS = frozenset({Role.ADMIN, Role.MET_CHAIR})
CHAIR = frozenset({Role.MET_CHAIR})
DELETE = "/admin/retention/cases/{case}/delete"
HOLD_API = "/api/v1/retention/legal-holds/{case}"

ROUTES = [
    Route("GET", "retention.index", "/admin/retention", allowed=ADMIN),
    Route("POST", "retention.scan", "/admin/retention/scan", allowed=ADMIN, ok=302),
    Route("GET", "retention.delete", DELETE, allowed=ADMIN),
    Route("POST", "retention.delete", DELETE, allowed=ADMIN, ok=302, data={"confirm": "yes"}),
    Route("GET", "retention.hold", "/cases/{case}/legal-hold", allowed=HOLDERS),
    Route(
        "POST",
        "retention.hold",
        "/cases/{case}/legal-hold",
        allowed=HOLDERS,
        ok=302,
        data={"action": "set", "reason": "Kept for an inquiry"},
    ),
    Route("GET", "retention.subject_access_export", "/children/{child}/subject-access.json", allowed=CHAIR),
    Route("GET", "api_retention.DueForReview", "/api/v1/retention/due", allowed=ADMIN, api=True),
    Route("GET", "api_retention.LegalHolds", HOLD_API, allowed=HOLDERS, api=True),
    Route(
        "PUT", "api_retention.LegalHolds", HOLD_API, allowed=HOLDERS, api=True, data={"reason": "An inquiry"}
    ),
    Route("DELETE", "api_retention.LegalHolds", HOLD_API, allowed=HOLDERS, api=True),
    Route(
        "GET",
        "api_retention.SubjectAccess",
        "/api/v1/retention/subject-access/{child}",
        allowed=CHAIR,
        api=True,
    ),
]
