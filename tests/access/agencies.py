"""Agencies and their sector, for administrators (accounts/agency_pages.py)."""

from mettrack.core.choices import Role
from tests.access import Route

ADMIN = frozenset({Role.ADMIN})
AGENCIES = "/admin/agencies"

ROUTES = [
    Route("GET", "agency_admin.index", AGENCIES, allowed=ADMIN),
    Route("GET", "agency_admin.new", AGENCIES + "/new", allowed=ADMIN),
    Route(
        "POST",
        "agency_admin.new",
        AGENCIES + "/new",
        allowed=ADMIN,
        ok=302,
        data={"name": "Access matrix agency", "sector": "housing"},
    ),
    Route("GET", "agency_admin.edit", AGENCIES + "/{agency}/edit", allowed=ADMIN),
    Route(
        "POST",
        "agency_admin.edit",
        AGENCIES + "/{agency}/edit",
        allowed=ADMIN,
        ok=302,
        data={"name": "Target agency", "sector": "voluntary"},
    ),
    Route("GET", "api_agencies.Agencies", "/api/v1/agencies", allowed=ADMIN, api=True),
]
