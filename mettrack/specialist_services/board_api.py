"""/api/v1/services/board: the coordinator's board (specialist_services/board.py), the
same data and filters as the page /services/board."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import ApiBlueprint
from mettrack.core.permissions import Perm, requires
from mettrack.specialist_services import board
from mettrack.specialist_services.board_schemas import BoardQuerySchema, BoardSchema

blp = ApiBlueprint(
    "api_service_board", __name__, path="/services", description="The coordinator's services board"
)


@blp.route("/board")
class ServiceBoard(MethodView):
    @requires(Perm.SERVICE_BOARD)
    @blp.arguments(BoardQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, BoardSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args: dict):
        """Read the services board

        For the coordinator and the MET chair (403 otherwise): every case in met_review,
        police_tiered or service_assigned you may see, with its police tier, risk level
        and services (requested, with the working days waited and whether the answer is
        overdue; active; declined, with the provider's reason), cases no service works
        with first, then the longest wait, then the highest risk; and each service's load
        against its capacity (`at_capacity` true when one more would take it over).
        Filters are codes only: repeat `service`, `state` or `risk_level` for "any of
        these". A bad value is a 422 naming the parameter. Audited with the filters and
        the case ids returned.
        """
        return board.board_for(current_user, board.filters_from(args))
