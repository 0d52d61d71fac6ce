"""/api/v1/cases/{case_id}/team and /lead: the case team and its lead professional.

The same service as the pages (mettrack/cases/team.py): 403 when your role may
not change teams, or when you are neither the MET chair nor the case's lead
professional; 404 outside your need-to-know; 409 when the case changed since the
version you send (lead changes); 422 naming the field (nothing is changed).
"""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import CASE_ID, ApiBlueprint
from mettrack.cases import team as service
from mettrack.cases.schemas import CaseLeadChangeSchema, CaseTeamAddSchema, CaseTeamSchema
from mettrack.core.permissions import Perm, requires

blp = ApiBlueprint("api_case_team", __name__, path="/cases", description="Case team")

USER_ID = "<int:user_id>"


def _team(view: service.TeamView) -> dict:
    case = view.case
    return {
        "case_id": case.id,
        "version": case.version,
        "lead_professional": case.lead_professional,
        "members": view.members,
    }


@blp.route(f"/{CASE_ID}/team")
class CaseTeam(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, CaseTeamSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int):
        """The case team

        The lead professional and everyone on the team, with their agency. Being on the
        team is what opens a case to a partner. Audited as case.team_viewed.
        """
        return _team(service.team_for(current_user, case_id))

    @requires(Perm.CASE_TEAM_MANAGE)
    @blp.arguments(CaseTeamAddSchema, unknown=RAISE)
    @blp.response(201, CaseTeamSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, body: dict, case_id: int):
        """Add someone to the team

        The MET chair or the case's lead professional adds an active user of any agency
        who holds a case role; the case opens to them at once. Answers the team. 422
        naming `user_id` for someone who cannot be added (unknown, deactivated, no case
        role, already on the team). Audited as case.team_member_added.
        """
        return _team(service.team_of(service.add_member(current_user, case_id, body).case))


@blp.route(f"/{CASE_ID}/team/{USER_ID}")
class CaseTeamMember(MethodView):
    @requires(Perm.CASE_TEAM_MANAGE)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def delete(self, case_id: int, user_id: int):
        """Take someone off the team

        The MET chair or the case's lead professional. The case closes to them unless a
        role of theirs covers it. The lead professional cannot be taken off (422: change
        the lead first); someone not on the team is a 404 naming `user_id`. Audited as
        case.team_member_removed.
        """
        service.remove_member(current_user, case_id, user_id)
        return ""


@blp.route(f"/{CASE_ID}/lead")
class CaseLead(MethodView):
    @requires(Perm.CASE_TEAM_MANAGE)
    @blp.arguments(CaseLeadChangeSchema, unknown=RAISE)
    @blp.response(200, CaseTeamSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def put(self, body: dict, case_id: int):
        """Change the lead professional

        The MET chair, or the current lead handing the case over. `user_id`: an active
        user holding the lead_professional role; they join the team as lead and the
        case's lead agency becomes theirs. The previous lead stays a member unless
        `remove_previous` is true. `version`: the case version you last read (409 if it
        changed; nothing saved). Answers the team with the case's new version. Audited
        as case.lead_changed.
        """
        version = body.pop("version")
        return _team(service.team_of(service.change_lead(current_user, case_id, body, version)))
