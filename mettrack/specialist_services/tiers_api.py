"""/api/v1/cases/{case_id}/police-tier: a case's police tier record and its history.

The same use cases as the pages (mettrack/specialist_services/tiers.py). Reading is for
the case team (404 outside your need-to-know); setting is the MET chair's (403 for other
roles). On a case in MET review, setting the tier is the set_police_tier move (the case
moves to police_tiered); on a case already tiered it records a change. 409 when the case
changed since the version you send, 422 naming the field (or `state`) otherwise; nothing
is changed then.
"""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import CASE_ID, ApiBlueprint
from mettrack.core.permissions import Perm, requires
from mettrack.language import documents_language_check
from mettrack.specialist_services import tiers
from mettrack.specialist_services.tier_schemas import (
    PoliceTierSchema,
    PoliceTierSetResultSchema,
    PoliceTierSetSchema,
)

blp = ApiBlueprint("api_police_tiers", __name__, path="/cases", description="A case's police tier record")


def _body(found: tiers.TierHistory) -> dict:
    case = found.case
    return {
        "case_id": case.id,
        "case_state": case.state,
        "case_version": case.version,
        "current": found.current,
        "history": found.history,
        "may_set": found.may_set,
    }


@blp.route(f"/{CASE_ID}/police-tier")
class PoliceTier(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, PoliceTierSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int):
        """A case's police tier and its history

        The tier now (tier, holding team, officer in charge, from when) and every record,
        newest first, each with how it was set (`source`: the move, the MET chair, a MET
        meeting's decision with its `meeting_id`). For the case team. Audited as
        police_tier.viewed.
        """
        return _body(tiers.tier_for(current_user, case_id))

    @requires(Perm.POLICE_TIER_SET)
    @blp.arguments(PoliceTierSetSchema, unknown=RAISE)
    @blp.response(200, PoliceTierSetResultSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @documents_language_check(blp)
    def put(self, body: dict, case_id: int):
        """Set or change a case's police tier

        The MET chair. `police_tier` and `police_team` (a team of that tier), `officer`
        (optional), `from_date` (not in the future, nor before the current tier's),
        `note` (optional, checked for wording that blames the child), `version` (the
        case version you last read). In met_review this is the set_police_tier move
        (`case_moved` true); in police_tiered or service_assigned a change recorded in
        the history; any other state is a 422 on `state`. Audited as
        police_tier.recorded.
        """
        save_anyway = body.pop("save_anyway")
        version = body.pop("version")
        done = tiers.set_tier(current_user, case_id, body, version, save_anyway=save_anyway)
        return _body(tiers.history_for(done.case, current_user)) | {"case_moved": done.moved}
