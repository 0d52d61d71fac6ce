"""The page for recording the outcome of a referral to Children's Services (and its MASH
reference) after the referral. Thin: the rules, the audit rows and the timeline event
live in mettrack/cases/referral.py. The case page shows the referral in its "Next
steps" section (cases/_actions_section.html, data from mettrack/cases/page.py)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.cases import referral as service
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.permissions import Perm, requires
from mettrack.language import WordingFlagged, save_anyway_ticked

bp = Blueprint("referrals", __name__)


def _page(case, errors: dict, values: dict, *, conflict: bool = False, flagged=None):
    status = 409 if conflict else (400 if errors else 200)
    return render_template(
        "referrals/outcome_form.html",
        case=case,
        errors=errors,
        values=values,
        conflict=conflict,
        flagged=flagged,
        refusal=service.refusal_for(case),
    ), status


@bp.route("/cases/<int:case_id>/referral", methods=["GET", "POST"])
@requires(Perm.REFERRAL_RECORD)
def record_outcome(case_id: int):
    if request.method == "GET":
        case = service.case_to_record(current_user, case_id)
        return _page(case, {}, {name: getattr(case, name) or "" for name in service.FIELDS})
    values = {name: request.form.get(name, "") for name in service.FIELDS}
    try:
        service.record_outcome(
            current_user,
            case_id,
            request.form,
            request.form.get("version"),
            save_anyway=save_anyway_ticked(request.form),
        )
    except WordingFlagged as flagged:
        # Nothing saved: the form comes back with the wording, the findings and the box.
        return _page(service.case_to_record(current_user, case_id), {}, values, flagged=flagged)
    except Conflict:
        return _page(service.case_to_record(current_user, case_id), {}, values, conflict=True)
    except ValidationError as e:
        return _page(service.case_to_record(current_user, case_id), e.errors, values)
    flash("The outcome of the referral has been recorded.", "success")
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="referral"))
