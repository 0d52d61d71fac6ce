"""The risk assessment toolkit: assessment pages and API, the indicator catalogue's admin
pages, and the API's list of indicators."""

from datetime import date

from mettrack.core.choices import Role
from mettrack.core.extensions import db
from mettrack.risk.models import RiskAssessment, RiskIndicator, RiskRating
from mettrack.risk.rules import DEFAULT_INDICATORS
from tests.access import ALL_ROLES, CASE_ROLES, Route

ASSESSORS = frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL})
ADMIN = frozenset({Role.ADMIN})

RATED = "missing_from_home_or_care"
FORM = {
    "version": "1",
    **{f"ratings.{i.code}.rating": "none" for i in DEFAULT_INDICATORS},
    f"ratings.{RATED}.rating": "medium",
    f"ratings.{RATED}.period": "current",
    f"ratings.{RATED}.reason": "Missing twice this month.",
    "chosen_level": "medium",
    "rationale": "Moderate risk: agree with the suggestion.",
}
JSON = {
    "version": 1,
    "ratings": {RATED: {"rating": "medium", "period": "current", "reason": "Missing twice this month."}},
    "chosen_level": "medium",
    "rationale": "Moderate risk: agree with the suggestion.",
}
INDICATOR = {"code": "matrix_indicator", "label": "A new indicator", "group": "online", "sort_order": "5"}


def build_records(visible_case, hidden_case, assessor) -> dict:
    """For tests/access/world.py: the default catalogue, and an assessment on each case.
    The cases themselves are not changed (their version stays 1)."""
    from mettrack.risk import catalogue as risk_catalogue

    risk_catalogue.seed_defaults()
    indicator = db.session.scalar(db.select(RiskIndicator).where(RiskIndicator.code == RATED))
    ids = {}
    for name, case in (("risk_assessment", visible_case), ("hidden_risk_assessment", hidden_case)):
        assessment = RiskAssessment(
            case_id=case.id,
            assessed_by_id=assessor.id,
            suggested_level="medium",
            chosen_level="medium",
            rationale="Agree with the suggestion.",
            next_review_on=date(2026, 3, 1),
        )
        assessment.ratings = [
            RiskRating(indicator_id=indicator.id, rating="medium", period="current", reason="Missing twice.")
        ]
        db.session.add(assessment)
        db.session.flush()
        ids[name] = assessment.id
    db.session.commit()
    return {**ids, "risk_indicator": indicator.id}


R = dict(allowed=CASE_ROLES, need_to_know=True)
ASSESS = dict(allowed=ASSESSORS, need_to_know=True)
BASE = "/cases/{case}/risk-assessments"
API_BASE = "/api/v1/cases/{case}/risk-assessments"
ADMIN_BASE = "/admin/risk-indicators"

ROUTES = [
    Route("GET", "risk_assessments.history", BASE, **R),
    Route("GET", "risk_assessments.detail", BASE + "/{risk_assessment}", **R),
    Route("GET", "risk_assessments.new", BASE + "/new", **ASSESS),
    Route("POST", "risk_assessments.new", BASE + "/new", ok=302, data=FORM, **ASSESS),
    Route("GET", "api_risk_assessments.RiskAssessments", API_BASE, api=True, **R),
    Route("POST", "api_risk_assessments.RiskAssessments", API_BASE, ok=201, data=JSON, api=True, **ASSESS),
    Route("GET", "api_risk_assessments.RiskAssessmentItem", API_BASE + "/{risk_assessment}", api=True, **R),
    Route(
        "GET", "api_risk_indicators.RiskIndicators", "/api/v1/risk-indicators", allowed=ALL_ROLES, api=True
    ),
    Route("GET", "risk_indicators.index", ADMIN_BASE, allowed=ADMIN),
    Route("GET", "risk_indicators.new", ADMIN_BASE + "/new", allowed=ADMIN),
    Route("POST", "risk_indicators.new", ADMIN_BASE + "/new", allowed=ADMIN, ok=302, data=INDICATOR),
    Route("GET", "risk_indicators.edit", ADMIN_BASE + "/{risk_indicator}/edit", allowed=ADMIN),
    Route(
        "POST",
        "risk_indicators.edit",
        ADMIN_BASE + "/{risk_indicator}/edit",
        allowed=ADMIN,
        ok=302,
        data={"label": "Going missing from home or care", "group": "missing", "sort_order": "10"},
    ),
    Route(
        "POST",
        "risk_indicators.deactivate",
        ADMIN_BASE + "/{risk_indicator}/deactivate",
        allowed=ADMIN,
        ok=302,
    ),
    Route(
        "POST",
        "risk_indicators.reactivate",
        ADMIN_BASE + "/{risk_indicator}/reactivate",
        allowed=ADMIN,
        ok=302,
    ),
]
