"""The CSERQ4 screening form and its result. Thin: the rules, the case a screening
opens and the audit rows live in mettrack/screening/screenings.py."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.cases import may_edit, screening_rows
from mettrack.cases import page_offered_moves as offered_moves
from mettrack.children import get_for
from mettrack.core.choices import ScreeningOutcome
from mettrack.core.clock import today
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.form_input import with_date_parts
from mettrack.core.permissions import Perm, requires
from mettrack.language import WordingFlagged, save_anyway_ticked
from mettrack.screening import screenings
from mettrack.screening.cserq4 import PARTNER_AGE_GAP_FOR_YES, SEVENTEEN_YEAR_OLD_ACCEPTABLE_GAP, age_on

bp = Blueprint("screenings", __name__)

# The questions as DESIGN.md ("Rules from practice", CSERQ4) words them.
QUESTIONS = {
    "went_missing": ("1", "Stayed out overnight or longer without permission (going missing)"),
    "controlling_relationship": ("3", "Controlling relationship"),
    "frequents_exploitation_areas": (
        "4",
        "Frequenting areas known for sexual exploitation (anyone worried about their safety)",
    ),
}
PARTNER_HINT = (
    f"Question 2, older partner: an age difference of {PARTNER_AGE_GAP_FOR_YES} or more years is a yes. "
    f"For a 17-year-old, with no yes to question 1, 3 or 4, a difference of up to "
    f"{SEVENTEEN_YEAR_OLD_ACCEPTABLE_GAP} years may be acceptable. Leave blank if not known: it is "
    "recorded as unknown and is not a yes."
)


def _form_page(child, errors: dict, values: dict, status: int = 200, conflict: bool = False, flagged=None):
    age = age_on(child.date_of_birth, today()) if child.date_of_birth else None
    return render_template(
        "screenings/new.html",
        child=child,
        age=age,
        errors=errors,
        values=values,
        questions=QUESTIONS,
        partner_hint=PARTNER_HINT,
        conflict=conflict,
        flagged=flagged,
    ), status


@bp.route("/children/<int:child_id>/screen", methods=["GET", "POST"])
@requires(Perm.CASE_SCREEN)
def new(child_id: int):
    if request.method == "GET":
        child = get_for(current_user, child_id)
        day = today()
        values = {"screened_on-day": day.day, "screened_on-month": day.month, "screened_on-year": day.year}
        return _form_page(child, {}, values)
    values = request.form.to_dict()
    try:
        recorded = screenings.screen_child(
            current_user,
            child_id,
            with_date_parts(request.form, ("screened_on",)),
            today=today(),
            save_anyway=save_anyway_ticked(request.form),
        )
    except WordingFlagged as flagged:
        return _form_page(get_for(current_user, child_id), {}, values, flagged=flagged)
    except ValidationError as e:
        return _form_page(get_for(current_user, child_id), e.errors, values, 400)
    except Conflict:
        return _form_page(get_for(current_user, child_id), {}, values, 409, conflict=True)
    message = "The screening has been saved."
    if recorded.case_started:
        message += " A case has been opened and you are on its team."
    flash(f"{message} {recorded.result.explanation}", "success")
    return redirect(url_for("screenings.for_case", case_id=recorded.case.id))


@bp.route("/cases/<int:case_id>/screenings")
@requires(Perm.CASE_VIEW)
def for_case(case_id: int):
    case, found = screenings.screenings_for_case(current_user, case_id)
    latest = found[0] if found else None
    refer = next((m for m in offered_moves(case, current_user) if m["action"] == "refer"), None)
    return render_template(
        "screenings/for_case.html",
        case=case,
        section=screening_rows(found),
        refer=refer,
        may_classify=may_edit(current_user, case),
        latest=latest,
        mash=screenings.mash_contact() if latest and latest.outcome == ScreeningOutcome.REFER else None,
        questions=QUESTIONS,
    )
