"""The police tier record (specialist_services/tiers.py): the case team reads it; the MET
chair sets or changes it (the page and the API). The world's {case} is in MET review and
the tier sent is not in the reference list, so the chair's change is refused by its
fields (400 on the page, 422 by the API): neither 403 nor 404, which is what the matrix
checks."""

from mettrack.core.choices import Role
from tests.access import CASE_ROLES, Route

CHAIR = frozenset({Role.MET_CHAIR})
PAGE = "/cases/{case}/police-tier"
API = "/api/v1/cases/{case}/police-tier"
FORM = {
    "version": "1",
    "police_tier": "not-seeded",
    "police_team": "not-seeded",
    "officer": "PC 1234 Example",
    "from_date-day": "5",
    "from_date-month": "1",
    "from_date-year": "2026",
    "note": "",
}
BODY = {"version": 1, "police_tier": "not-seeded", "police_team": "not-seeded", "from_date": "2026-01-05"}

ROUTES = [
    Route("GET", "police_tiers.change", PAGE, allowed=CHAIR, need_to_know=True),
    Route("POST", "police_tiers.change", PAGE, allowed=CHAIR, ok=400, data=FORM, need_to_know=True),
    Route("GET", "api_police_tiers.PoliceTier", API, allowed=CASE_ROLES, need_to_know=True, api=True),
    Route(
        "PUT",
        "api_police_tiers.PoliceTier",
        API,
        allowed=CHAIR,
        ok=422,
        data=BODY,
        need_to_know=True,
        api=True,
    ),
]
