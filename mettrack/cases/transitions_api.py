"""/api/v1/cases/{case_id}/transitions: what a case can do next, and moving it.

The same service as the pages (mettrack/cases/transitions.py): 403 when your role may
not take the move, 404 outside your need-to-know, 409 when the case changed since the
version you send, 422 when a field or the move's guard refuses (nothing is changed).
"""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import CASE_ID, ApiBlueprint
from mettrack.cases import projection, transitions
from mettrack.cases import queries as cases
from mettrack.cases.schemas import LifecycleCaseSchema, TransitionOptionsSchema, TransitionRequestSchema
from mettrack.core.permissions import Perm, requires
from mettrack.language import documents_language_check

blp = ApiBlueprint("api_transitions", __name__, path="/cases", description="Case moves")



@blp.route(f"/{CASE_ID}/transitions")
class Transitions(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, TransitionOptionsSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int):
        """What the case can do next

        The case's state and version, and each move your roles may take from this state:
        possible now, or not yet with what is missing.
        """
        # The moves of a case summary: a coordinator records a service on any open case.
        case = cases.get_summary_for(current_user, case_id, action="case.transitions_listed")
        return {
            "case_id": case.id,
            "state": case.state,
            "version": case.version,
            "moves": [
                {
                    "action": o.action.value,
                    "label": o.action.label,
                    "possible": o.possible,
                    "reasons": o.reasons,
                }
                for o in transitions.offered_moves(case, current_user)
            ],
        }

    @requires(Perm.CASE_TRANSITION)
    @blp.arguments(TransitionRequestSchema, unknown=RAISE)
    @blp.response(200, LifecycleCaseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @documents_language_check(blp)
    def post(self, body: dict, case_id: int):
        """Move a case

        `action` names the move and `version` the case version you last read; the other
        fields are the move's own (see each field). Answers the moved case with its new
        version. 403: your role may not take this move. 409: the case changed since
        that version; nothing was saved. 422: a field or the move's rule refuses it,
        with each message in `errors`, or the language check flagged the move's free
        text (`reason`, `note`, `override_reason`, `referral_outcome`) and `save_anyway`
        is false, with the phrases in `findings`; nothing was changed.
        """
        action, version = body.pop("action"), body.pop("version")
        save_anyway = body.pop("save_anyway")
        moved = transitions.apply(current_user, case_id, action, body, version, save_anyway=save_anyway)
        return projection.project_for(current_user, moved)
