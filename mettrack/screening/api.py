"""CSERQ4 screenings: /api/v1/cases/{case_id}/screenings and
/api/v1/children/{child_id}/screenings (which opens a case if the child has no open one).
The same service as the pages (mettrack/screening/screenings.py)."""

from dataclasses import replace

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import ApiBlueprint
from mettrack.cases import get_for, project_for
from mettrack.core.clock import today
from mettrack.core.permissions import Perm, requires
from mettrack.language import documents_language_check
from mettrack.screening import screenings
from mettrack.screening.schemas import ScreeningRecordedSchema, ScreeningRequestSchema, ScreeningSchema

blp = ApiBlueprint("api_screenings", __name__, path="", description="CSERQ4 screenings")


def _answer(recorded: screenings.ScreeningRecorded):
    # The case as the screener may see it (mettrack/cases/projection.py).
    return replace(recorded, case=project_for(current_user, recorded.case))


@blp.route("/cases/<int:case_id>/screenings")
class CaseScreenings(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, ScreeningSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int):
        """List a case's screenings

        Newest first. The read is written to the audit log.
        """
        _case, found = screenings.screenings_for_case(current_user, case_id)
        return found

    @requires(Perm.CASE_SCREEN)
    @blp.arguments(ScreeningRequestSchema, unknown=RAISE)
    @blp.response(201, ScreeningRecordedSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @documents_language_check(blp)
    def post(self, body: dict, case_id: int):
        """Screen the case's child

        Records a CSERQ4 screening of the child of this case, on the child's open case
        (a new one if this case is closed and the child has no open case). You join the
        case's team. When a question is yes, `mash_contact` says where to refer.
        `notes` is checked for wording that blames the child (see the 422 answer).
        """
        case = get_for(current_user, case_id, action="case.viewed")
        save_anyway = body.pop("save_anyway")
        return _answer(
            screenings.screen_child(current_user, case.child_id, body, today=today(), save_anyway=save_anyway)
        )


@blp.route("/children/<int:child_id>/screenings")
class ChildScreenings(MethodView):
    @requires(Perm.CASE_SCREEN)
    @blp.arguments(ScreeningRequestSchema, unknown=RAISE)
    @blp.response(201, ScreeningRecordedSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @documents_language_check(blp)
    def post(self, body: dict, child_id: int):
        """Screen a child

        Records a CSERQ4 screening on the child's open case, opening a case in
        `screened` if the child has none (a child never has two open cases). You join
        the case's team, as its lead professional if you hold that role and the case is
        new. When a question is yes, `mash_contact` says where to refer. `notes` is
        checked for wording that blames the child (see the 422 answer).
        """
        save_anyway = body.pop("save_anyway")
        return _answer(
            screenings.screen_child(current_user, child_id, body, today=today(), save_anyway=save_anyway)
        )
