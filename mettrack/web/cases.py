"""The case list and the case page."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from mettrack.domain.choices import CaseState
from mettrack.permissions import Perm, requires
from mettrack.services import cases

bp = Blueprint("cases", __name__, url_prefix="/cases")


def _page_arg() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


@bp.route("/")
@requires(Perm.CASE_LIST)
def index():
    state = request.args.get("state") or None
    if state not in {s.value for s in CaseState}:
        state = None
    page = cases.list_for(current_user, state=state, page=_page_arg())
    return render_template("cases/index.html", page=page, state=state, states=list(CaseState))


@bp.route("/<int:case_id>")
@requires(Perm.CASE_VIEW)
def detail(case_id: int):
    case = cases.get_for(current_user, case_id)
    return render_template("cases/detail.html", case=case)
