"""The services board page (/services/board) for the coordinator and the MET chair.

Its filters are a GET form of codes and numbers only (service, state, risk level, working
days waited, overdue, no active service), so a filtered board can be bookmarked and its
address names no one. A bad value is shown beside its field (status 400) and left out,
the good filters kept.
"""

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from mettrack.core.choices import CaseState, RiskLevel
from mettrack.core.permissions import Perm, requires
from mettrack.specialist_services import board, catalogue

bp = Blueprint("service_board", __name__, url_prefix="/services")

FIELD_LABELS = {
    "service": "Service",
    "state": "State",
    "risk_level": "Risk level",
    board.WAITING_PARAM: "Waiting more than (working days)",
    "overdue": "Answer overdue",
    "no_active_service": "No active service",
}


def _active_filters(filters: board.BoardFilters, choices: dict) -> list[dict]:
    """Each filter in use, as a label and the address of the board without it."""

    def without(param, value=None) -> str:
        return url_for("service_board.index", **filters.without(param, value).query_args())

    shown = []
    for param, attr in board.MULTI_PARAMS.items():
        for value in getattr(filters, attr):
            shown.append(
                {
                    "text": f"{FIELD_LABELS[param]}: {choices[param].get(value, value)}",
                    "href": without(param, value),
                }
            )
    if filters.waiting_more_than is not None:
        shown.append(
            {
                "text": f"Waiting more than {filters.waiting_more_than} working days",
                "href": without(board.WAITING_PARAM),
            }
        )
    for param, label in board.BOOL_PARAMS.items():
        if getattr(filters, param):
            shown.append({"text": label, "href": without(param)})
    return shown


@bp.route("/board")
@requires(Perm.SERVICE_BOARD)
def index():
    filters, errors = board.parse_filters(request.args)
    found = board.board_for(current_user, filters)
    choices = {
        "service": {s.code: s.name for s in catalogue.list_all()},
        "state": {state: CaseState(state).label for state in board.BOARD_STATES},
        "risk_level": RiskLevel.labels(),
    }
    return render_template(
        "specialist_services/board.html",
        board=found,
        filters=filters,
        errors=errors,
        choices=choices,
        field_labels=FIELD_LABELS,
        bool_params=board.BOOL_PARAMS,
        waiting_param=board.WAITING_PARAM,
        active_filters=_active_filters(filters, choices),
    ), (400 if errors else 200)
