"""Why a police user opens a case (cases/access_reasons.py): the question before the case
page, for every role that views cases, on a case within their case summary scope. The
test users' agencies are not police, so the question sends them straight on (302)."""

from tests.access import CASE_ROLES, Route

ROUTES = [
    Route(
        "GET",
        "cases.access_reason",
        "/cases/{case}/access-reason",
        allowed=CASE_ROLES,
        ok=302,
        need_to_know=True,
        case_summary=True,
    ),
    Route(
        "POST",
        "cases.access_reason",
        "/cases/{case}/access-reason",
        allowed=CASE_ROLES,
        ok=302,
        need_to_know=True,
        case_summary=True,
    ),
]
