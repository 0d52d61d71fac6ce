"""Recording the outcome of a referral to Children's Services (page and API).

Reading the referral is for every case role on a case within need-to-know; recording
it for the MET chair and lead professionals by role (others 403), on a case within
their need-to-know (others 404). The recording routes send a version far beyond the
case's, so an allowed role gets past 403 and 404 to the version check (409).
"""

from mettrack.core.choices import Role
from tests.access import CASE_ROLES, Route

CHAIR_AND_LEAD = frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL})
STALE = "999999"
OUTCOME = {"mash_reference": "MASH/2026/1", "referral_outcome": "Strategy discussion held."}

ROUTES = [
    Route(
        "GET", "referrals.record_outcome", "/cases/{case}/referral", allowed=CHAIR_AND_LEAD, need_to_know=True
    ),
    Route(
        "POST",
        "referrals.record_outcome",
        "/cases/{case}/referral",
        allowed=CHAIR_AND_LEAD,
        need_to_know=True,
        ok=409,
        data={"version": STALE, **OUTCOME},
    ),
    Route(
        "GET",
        "api_referrals.CaseReferral",
        "/api/v1/cases/{case}/referral",
        allowed=CASE_ROLES,
        need_to_know=True,
        api=True,
    ),
    Route(
        "PUT",
        "api_referrals.CaseReferral",
        "/api/v1/cases/{case}/referral",
        allowed=CHAIR_AND_LEAD,
        need_to_know=True,
        ok=409,
        api=True,
        data={"version": int(STALE), **OUTCOME},
    ),
]
