"""/api/v1/cases/{case_id}/risk-assessments and /api/v1/risk-indicators.

The same service as the pages (mettrack/risk/assessments.py): 403 when your
role may not record an assessment, 404 outside your need-to-know, 409 when the case
changed since the version you send, 422 naming each bad field (`ratings.<code>.reason`,
`chosen_level`, ...); nothing is saved on any error.
"""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import CASE_ID, ApiBlueprint
from mettrack.core.permissions import Perm, requires
from mettrack.language import documents_language_check
from mettrack.risk import assessments as service
from mettrack.risk import catalogue as risk_catalogue
from mettrack.risk.schemas import (
    RiskAssessmentListSchema,
    RiskAssessmentRecordedSchema,
    RiskAssessmentRequestSchema,
    RiskAssessmentSchema,
    RiskIndicatorListSchema,
)

blp = ApiBlueprint("api_risk_assessments", __name__, path="/cases", description="Risk assessments")
indicators_blp = ApiBlueprint(
    "api_risk_indicators", __name__, path="/risk-indicators", description="Risk assessment indicators"
)

ASSESSMENT_ID = "<int:assessment_id>"


@blp.route(f"/{CASE_ID}/risk-assessments")
class RiskAssessments(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, RiskAssessmentListSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int):
        """List a case's risk assessments

        Newest first; the first is the current one. Each has the system's suggested level
        beside the level the professional set, the rationale, the next review date and
        every indicator's rating. Audited.
        """
        _case, views = service.list_for(current_user, case_id)
        return {"items": views}

    @requires(Perm.RISK_ASSESS)
    @blp.arguments(RiskAssessmentRequestSchema, unknown=RAISE)
    @blp.response(201, RiskAssessmentRecordedSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @documents_language_check(blp)
    def post(self, body: dict, case_id: int):
        """Record a risk assessment

        MET chairs and lead professionals. Rate the active indicators by code (GET
        /api/v1/risk-indicators): `rating` none, low, medium or high; for any rating but
        none, `period` (current: last 3 months; previous: 3 to 6 months ago) and `reason`.
        An indicator left out is recorded as none. `chosen_level` and `rationale` are
        required: the system's suggestion is stored beside them, and the chosen level
        sets the case's risk level and next review date. Answers with the case's new
        `case_version`. The rationale and each reason are checked for wording that
        blames the child (see the 422 answer). Audited as risk_assessment.recorded.
        """
        version, save_anyway = body.pop("version"), body.pop("save_anyway")
        return service.record(current_user, case_id, body, version, save_anyway=save_anyway)


@blp.route(f"/{CASE_ID}/risk-assessments/{ASSESSMENT_ID}")
class RiskAssessmentItem(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, RiskAssessmentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int, assessment_id: int):
        """Read one risk assessment

        404 when it is not an assessment of this case, or the case is outside your
        need-to-know. Audited.
        """
        _case, view = service.get_one(current_user, case_id, assessment_id)
        return view


@indicators_blp.route("", strict_slashes=False)
class RiskIndicators(MethodView):
    @requires(Perm.SIGNED_IN)
    @indicators_blp.response(200, RiskIndicatorListSchema)
    def get(self):
        """List the active risk indicators

        The codes a risk assessment rates, with their group and label, in the order the
        form shows them. Reference data: nothing about any child.
        """
        return {"items": risk_catalogue.list_active()}
