"""Moving a case: one form per move, offered on the case page by the workflow table.
Thin: mettrack/cases/transitions.py decides and applies every move."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.cases import queries as cases
from mettrack.cases import transitions, workflow
from mettrack.cases.page import offered_moves
from mettrack.cases.scopes import SUMMARY_MOVES
from mettrack.core.choices import CaseAction, ReferenceKind
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.form_input import with_date_parts
from mettrack.core.permissions import Perm, requires
from mettrack.language import WordingFlagged, save_anyway_ticked
from mettrack.reference import list_active
from mettrack.specialist_services import service_options

bp = Blueprint("transitions", __name__)

# What the move did, then what comes next in the workflow (the case page's next steps).
SUCCESS = {
    CaseAction.REFER: "The referral to Children's Services has been recorded. "
    "Next: with a risk assessment recorded, send the case to MET review.",
    CaseAction.CLOSE_NO_FURTHER_ACTION: "The case has been closed: no further action. "
    "If there are new concerns, the case can be reopened.",
    CaseAction.SEND_TO_MET_REVIEW: "The case has been sent to MET review. "
    "Next: the MET chair sets the police tier at the MET meeting.",
    CaseAction.SET_POLICE_TIER: "The police tier has been set. "
    "Next: the coordinator arranges a specialist service.",
    CaseAction.ASSIGN_SERVICE: "The specialist service has been recorded as assigned. "
    "Next: keep the risk assessment under review by its review date.",
    CaseAction.SEND_BACK_TO_REVIEW: "The case has been sent back to MET review. "
    "Next: the MET group reviews it at its next meeting.",
    CaseAction.CLOSE: "The case has been closed. If there are new concerns, the case can be reopened.",
    CaseAction.REOPEN: "The case has been reopened as a referral. "
    "Next: update the risk assessment, then send the case to MET review.",
}
# The date inputs of a move's form (day, month and year fields, _macros.html date_input).
DATE_FIELDS = {CaseAction.ASSIGN_SERVICE: ("accepted_on",)}


def _move_or_404(action: str) -> workflow.Move:
    move = workflow.move_for(action)
    if move is None or move.action not in transitions.ACTION_FIELDS:
        abort(404)
    return move


def _options(kind: ReferenceKind) -> list[tuple[str, str]]:
    return [(item.code, item.label) for item in list_active(kind)]


def _team_options() -> list[tuple[str, str]]:
    # A team is named with its tier's code ("Hants MET Team (high tier)"): the tier's
    # label already names the teams, and repeating it would read twice.
    return [
        (item.code, f"{item.label} ({item.parent_code} tier)")
        for item in list_active(ReferenceKind.POLICE_TEAM)
    ]


def _form_page(
    case, move, errors: dict, values: dict, status: int = 200, conflict: bool = False, flagged=None
):
    this = next((m for m in offered_moves(case, current_user) if m["action"] == move.action.value), None)
    # A move not possible now shows what is missing and where to record it, never a form
    # with a live button (a POST to it is refused by transitions.apply, nothing changed).
    possible = this is not None and this["possible"]
    return render_template(
        f"transitions/{move.action.value}.html",
        case=case,
        move=move,
        offered=this,
        possible=possible,
        errors=errors,
        values=values,
        conflict=conflict,
        flagged=flagged,
        tiers=_options(ReferenceKind.POLICE_TIER),
        teams=_team_options(),
        services=service_options(),
        exit_reasons=_options(ReferenceKind.EXIT_REASON),
    ), status


def _read_case(move: workflow.Move, case_id: int):
    """The case for the move's form: a coordinator records a service on any open case
    (the case summary), every other move needs the whole record in need-to-know."""
    read = cases.get_summary_for if move.action in SUMMARY_MOVES else cases.get_for
    return read(current_user, case_id)


@bp.route("/cases/<int:case_id>/moves/<action>", methods=["GET", "POST"])
@requires(Perm.CASE_TRANSITION)
def move(case_id: int, action: str):
    move = _move_or_404(action)
    transitions.check_role(current_user, case_id, move.action)
    if request.method == "GET":
        case = _read_case(move, case_id)
        return _form_page(case, move, {}, {})
    values = request.form.to_dict()
    try:
        transitions.apply(
            current_user,
            case_id,
            move.action,
            with_date_parts(request.form, DATE_FIELDS.get(move.action, ())),
            request.form.get("version"),
            save_anyway=save_anyway_ticked(request.form),
        )
    except WordingFlagged as flagged:
        # Nothing saved: the form comes back with the wording, the findings and the box.
        case = _read_case(move, case_id)
        return _form_page(case, move, {}, values, flagged=flagged)
    except Conflict:
        # The page keeps what the user typed, shows the case as it is now, and carries
        # the new version: saving again applies the move to the case they can now see.
        case = _read_case(move, case_id)
        return _form_page(case, move, {}, values, 409, conflict=True)
    except ValidationError as e:
        case = _read_case(move, case_id)
        return _form_page(case, move, e.errors, values, 400)
    flash(SUCCESS[move.action], "success")
    return redirect(url_for("cases.detail", case_id=case_id))
