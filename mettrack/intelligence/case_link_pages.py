"""Pages for a reviewer's direct links from a child's case to a location or a person of
concern: the form, and removing one. Thin: the rules live in intelligence/case_links.py."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.core.choices import LinkReliability
from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, requires
from mettrack.intelligence import case_links
from mettrack.language import WordingFlagged, save_anyway_ticked

bp = Blueprint("intelligence_case_links", __name__)


def _form(case_id: int, *, errors=None, values=None, flagged=None, status=200):
    case_links.check_may_add(current_user, case_id)
    return render_template(
        "intelligence/case_link_form.html",
        case_id=case_id,
        case_url=url_for("cases.detail", case_id=case_id),
        action_url=url_for("intelligence_case_links.new", case_id=case_id),
        reliabilities=LinkReliability.choices(),
        errors=errors or {},
        values=values or {},
        flagged=flagged,
    ), status


def _back(case_id: int):
    if case_links.sees_whole_record(current_user, case_id):
        return redirect(url_for("cases.detail", case_id=case_id, _anchor="intelligence"))
    return redirect(url_for("intelligence_case_links.new", case_id=case_id))


@bp.route("/cases/<int:case_id>/subject-links/new", methods=["GET", "POST"])
@requires(Perm.INTEL_REVIEW)
def new(case_id: int):
    if request.method == "GET":
        return _form(case_id)
    data = {k: v for k, v in request.form.items() if k not in ("csrf_token", "save_anyway")}
    try:
        case_links.add(current_user, case_id, data, save_anyway=save_anyway_ticked(request.form))
    except WordingFlagged as e:
        return _form(case_id, values=data, flagged=e, status=400)
    except ValidationError as e:
        return _form(case_id, errors=e.errors, values=data, status=400)
    flash("The link has been saved.", "success")
    return _back(case_id)


@bp.route("/cases/<int:case_id>/subject-links/<int:link_id>/remove", methods=["POST"])
@requires(Perm.INTEL_REVIEW)
def remove(case_id: int, link_id: int):
    case_links.remove(current_user, case_id, link_id)
    flash("The link has been removed.", "success")
    return _back(case_id)
