"""Pages for the case team: adding and removing members, changing the lead professional,
and the MET chair's list of cases to reassign. Thin: the rules, the audit rows and the
timeline events live in mettrack/cases/team.py.

URLs carry ids only. The case page's "Team" section (cases/_team_section.html) gets its
data from mettrack/cases/page.py.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.cases import team as service
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.permissions import Perm, can, requires

bp = Blueprint("case_team", __name__)

RETURN_TO_REASSIGN = "reassign"


def _case_page(case_id: int):
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="team"))


def _status(errors: dict, conflict: bool) -> int:
    return 409 if conflict else (400 if errors else 200)


# --- adding someone


def _add_page(case, errors: dict, values: dict, conflict: bool = False):
    people = [(str(u.id), f"{u.name} – {u.agency.name}") for u in service.member_candidates(case)]
    return render_template(
        "case_team/add_member.html",
        case=case,
        people=people,
        errors=errors,
        values=values,
        conflict=conflict,
    ), _status(errors, conflict)


@bp.route("/cases/<int:case_id>/team/add", methods=["GET", "POST"])
@requires(Perm.CASE_TEAM_MANAGE)
def add_member(case_id: int):
    if request.method == "GET":
        return _add_page(service.case_to_manage(current_user, case_id), {}, {})
    values = request.form.to_dict()
    try:
        row = service.add_member(current_user, case_id, request.form)
    except ValidationError as e:
        return _add_page(service.case_to_manage(current_user, case_id), e.errors, values)
    except Conflict:
        return _add_page(service.case_to_manage(current_user, case_id), {}, values, conflict=True)
    flash(f"{row.user.name} has been added to the team and can now open this case.", "success")
    return _case_page(case_id)


# --- taking someone off


@bp.route("/cases/<int:case_id>/team/<int:user_id>/remove", methods=["GET", "POST"])
@requires(Perm.CASE_TEAM_MANAGE)
def remove_member(case_id: int, user_id: int):
    case = service.case_to_manage(current_user, case_id)
    member = next((m for m in case.team if m.user_id == user_id), None)
    if member is None:
        abort(404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        name = member.user.name
        try:
            service.remove_member(current_user, case_id, user_id)
        except service.NotOnTeam:
            abort(404)
        except ValidationError as e:
            errors = e.errors
            case = service.case_to_manage(current_user, case_id)
            member = next((m for m in case.team if m.user_id == user_id), None) or abort(404)
        else:
            flash(f"{name} has been taken off the team.", "success")
            return _case_page(case_id)
    return render_template(
        "case_team/remove_member.html",
        case=case,
        member=member,
        is_lead=member.user_id == case.lead_professional_id,
        errors=errors,
    ), (400 if errors else 200)


# --- the lead professional


def _lead_page(case, errors: dict, values: dict, conflict: bool = False):
    leads = [(str(u.id), f"{u.name} – {u.agency.name}") for u in service.lead_candidates(case)]
    return render_template(
        "case_team/change_lead.html",
        case=case,
        leads=leads,
        errors=errors,
        values=values,
        conflict=conflict,
        return_to=_return_to(),
    ), _status(errors, conflict)


def _return_to() -> str | None:
    wanted = request.values.get("return_to") == RETURN_TO_REASSIGN
    return RETURN_TO_REASSIGN if wanted and can(current_user, Perm.CASE_REASSIGN) else None


@bp.route("/cases/<int:case_id>/lead", methods=["GET", "POST"])
@requires(Perm.CASE_TEAM_MANAGE)
def change_lead(case_id: int):
    if request.method == "GET":
        return _lead_page(service.case_to_manage(current_user, case_id), {}, {})
    values = request.form.to_dict()
    try:
        case = service.change_lead(current_user, case_id, request.form, request.form.get("version"))
    except Conflict:
        # The page shows the case as it is now and carries its new version: saving
        # again changes the lead of the case the user can now see.
        return _lead_page(service.case_to_manage(current_user, case_id), {}, values, conflict=True)
    except ValidationError as e:
        return _lead_page(service.case_to_manage(current_user, case_id), e.errors, values)
    message = f"{case.lead_professional.name} is now the lead professional for case #{case.id}."
    flash(message, "success")
    if _return_to() == RETURN_TO_REASSIGN:
        return redirect(url_for("case_team.reassign"))
    if not service.user_sees_case(current_user, case_id):
        flash("You are no longer on this case's team, so it is no longer open to you.")
        return redirect(url_for("main.home"))
    return _case_page(case_id)


# --- the chair's list of cases to reassign


@bp.route("/reassign-cases")
@requires(Perm.CASE_REASSIGN)
def reassign():
    items = service.cases_to_reassign(current_user)
    leads = [(str(u.id), f"{u.name} – {u.agency.name}") for u in service.lead_candidates()]
    return render_template("case_team/reassign.html", items=items, leads=leads)
