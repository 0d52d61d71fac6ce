"""The case team, the lead professional, the chair's cases to reassign, and the case's
exploitation types, flags and NRM details (pages and API).

Changing a team or a classification is for the MET chair and lead professionals by role
(others 403), on a case within their need-to-know (others 404); the world's lead
professional leads the visible case. The changes that carry a case version send one
far beyond the case's, so an allowed role gets past 403 and 404 to the version check
(409); adding someone names a user who does not exist (400 / 422). Taking the world's
extra team member off the team succeeds (302 / 204).
"""

from mettrack.core.choices import Role
from tests import factories
from tests.access import CASE_ROLES, Route

CHAIR_ONLY = frozenset({Role.MET_CHAIR})
CHAIR_AND_LEAD = frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL})
STALE = "999999"


def build_records(visible_case, hidden_case, lead) -> dict:
    """For tests/access/world.py: a partner of another agency on the visible case's team
    (taken off by the remove routes). Returns the ids to add."""
    from mettrack.cases.models import CaseTeamMember
    from mettrack.core.choices import TeamRole
    from mettrack.core.extensions import db

    member = factories.user(roles=[Role.PARTNER], agency="Team member agency")
    visible_case.team.append(CaseTeamMember(user=member, team_role=TeamRole.MEMBER.value))
    db.session.commit()
    return {"team_member": member.id}


PAGE = dict(allowed=CHAIR_AND_LEAD, need_to_know=True)
API = dict(PAGE, api=True)
CLASSIFICATION_FORM = {
    "version": STALE,
    "exploitation_types": "cse",
    "flags": "county_lines",
    "harm_locations": "hotel",
    "nrm_referred_on-day": "1",
    "nrm_referred_on-month": "2",
    "nrm_referred_on-year": "2026",
    "nrm_reasonable_grounds": "pending",
}
CLASSIFICATION_JSON = {
    "exploitation_types": ["cce"],
    "flags": [],
    "harm_locations": [],
    "nrm": {
        "referred_on": None,
        "reasonable_grounds": None,
        "reasonable_grounds_on": None,
        "conclusive_grounds": None,
        "conclusive_grounds_on": None,
    },
    "version": int(STALE),
}

ROUTES = [
    # Pages.
    Route("GET", "case_team.add_member", "/cases/{case}/team/add", **PAGE),
    Route(
        "POST",
        "case_team.add_member",
        "/cases/{case}/team/add",
        ok=400,
        data={"user_id": "2147483647"},
        **PAGE,
    ),
    Route("GET", "case_team.remove_member", "/cases/{case}/team/{team_member}/remove", **PAGE),
    Route("POST", "case_team.remove_member", "/cases/{case}/team/{team_member}/remove", ok=302, **PAGE),
    Route("GET", "case_team.change_lead", "/cases/{case}/lead", **PAGE),
    Route(
        "POST",
        "case_team.change_lead",
        "/cases/{case}/lead",
        ok=409,
        data={"user_id": "2147483647", "version": STALE},
        **PAGE,
    ),
    Route("GET", "case_team.reassign", "/reassign-cases", allowed=CHAIR_ONLY),
    Route("GET", "case_classification.edit", "/cases/{case}/classification", **PAGE),
    Route(
        "POST",
        "case_classification.edit",
        "/cases/{case}/classification",
        ok=409,
        data=CLASSIFICATION_FORM,
        **PAGE,
    ),
    # API.
    Route(
        "GET",
        "api_case_team.CaseTeam",
        "/api/v1/cases/{case}/team",
        allowed=CASE_ROLES,
        need_to_know=True,
        api=True,
    ),
    Route(
        "POST",
        "api_case_team.CaseTeam",
        "/api/v1/cases/{case}/team",
        ok=422,
        data={"user_id": 2147483647},
        **API,
    ),
    Route(
        "DELETE",
        "api_case_team.CaseTeamMember",
        "/api/v1/cases/{case}/team/{team_member}",
        ok=204,
        **API,
    ),
    Route(
        "PUT",
        "api_case_team.CaseLead",
        "/api/v1/cases/{case}/lead",
        ok=409,
        data={"user_id": 2147483647, "version": int(STALE)},
        **API,
    ),
    Route("GET", "api_reassign.CasesToReassign", "/api/v1/cases/to-reassign", allowed=CHAIR_ONLY, api=True),
    Route(
        "GET",
        "api_case_classification.CaseClassification",
        "/api/v1/cases/{case}/classification",
        allowed=CASE_ROLES,
        need_to_know=True,
        api=True,
    ),
    Route(
        "PUT",
        "api_case_classification.CaseClassification",
        "/api/v1/cases/{case}/classification",
        ok=409,
        data=CLASSIFICATION_JSON,
        **API,
    ),
]
