"""/api/v1/cases/to-reassign: the MET chair's list of open cases that need a new lead
professional (mettrack/cases/team.py, the same list as the chair's page).

Chair only (403 otherwise). Each item names the case and why it is listed, not the
child: GET /cases/{id} reads the case, and PUT /cases/{id}/lead gives it a new lead.
"""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import Schema, fields

from mettrack.api.blueprint import ApiBlueprint
from mettrack.api.schemas import UTCDateTime
from mettrack.cases import team as case_team
from mettrack.core.permissions import Perm, requires

blp = ApiBlueprint("api_reassign", __name__, path="/cases", description="Cases to reassign")


class LeadOfCaseSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    agency = fields.String(attribute="agency.name", required=True, metadata={"description": "Agency name."})
    active = fields.Boolean(required=True, metadata={"description": "False: the account is deactivated."})


class CaseToReassignSchema(Schema):
    case_id = fields.Integer(attribute="case.id", required=True)
    version = fields.Integer(
        attribute="case.version",
        required=True,
        metadata={"description": "The case's version: send it with PUT /cases/{id}/lead."},
    )
    state = fields.String(attribute="case.state", required=True)
    opened_at = UTCDateTime(attribute="case.opened_at", required=True)
    lead_professional = fields.Nested(
        LeadOfCaseSchema,
        attribute="case.lead_professional",
        required=True,
        allow_none=True,
        metadata={"description": "The lead to replace; null when the case has none."},
    )
    reason = fields.String(
        required=True,
        metadata={
            "description": "lead_deactivated, lead_not_a_lead_professional (the lead no longer holds "
            "the role) or no_lead."
        },
    )
    reason_label = fields.String(required=True, metadata={"description": "The reason, in words."})


class CasesToReassignSchema(Schema):
    items = fields.List(
        fields.Nested(CaseToReassignSchema),
        required=True,
        metadata={
            "description": "Deactivated leads first, then leads without the role, then no lead; oldest first."
        },
    )


@blp.route("/to-reassign")
class CasesToReassign(MethodView):
    @requires(Perm.CASE_REASSIGN)
    @blp.response(200, CasesToReassignSchema)
    def get(self):
        """Cases to reassign

        The MET chair's list of open cases whose lead professional's account is
        deactivated, who no longer holds the lead professional role, or who is missing.
        Until a case has a new lead, its reminders go to the chair. Audited as one
        case.reassign_listed row naming the ids shown.
        """
        return {"items": case_team.cases_to_reassign(current_user)}
