"""Risk assessment pages: the form (with the system's suggestion on "Check the
suggestion"), a case's assessment history and one assessment.

Thin: mettrack/risk/assessments.py parses, decides and audits. Form fields are
named as the service names its errors (`ratings.<code>.rating`, `ratings.<code>.period`,
`ratings.<code>.reason`, `chosen_level`, `rationale`), so each message sits beside its
field. The case page's "Risk assessment" section (cases/_risk_section.html) gets its data
from mettrack/cases/page.py.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.cases import get_for
from mettrack.core.choices import IndicatorPeriod, IndicatorRating, RiskLevel
from mettrack.core.clock import today
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.permissions import Perm, requires
from mettrack.language import WordingFlagged, save_anyway_ticked
from mettrack.risk import assessments as service
from mettrack.risk import catalogue as risk_catalogue

bp = Blueprint("risk_assessments", __name__, url_prefix="/cases/<int:case_id>/risk-assessments")
SUGGESTION_ANCHOR = "suggestion"  # the id of the form's "The system's suggestion" section


@bp.app_context_processor
def _risk_globals():
    return {
        "rating_label": lambda value: IndicatorRating.labels().get(value, value),
        "period_label": lambda value: IndicatorPeriod(value).label if value else "",
    }


def _form_data(indicators) -> dict:
    form = request.form
    return {
        "ratings": {
            i.code: {
                "rating": form.get(f"ratings.{i.code}.rating"),
                "period": form.get(f"ratings.{i.code}.period"),
                "reason": form.get(f"ratings.{i.code}.reason"),
            }
            for i in indicators
        },
        "chosen_level": form.get("chosen_level"),
        "rationale": form.get("rationale"),
    }


def _ordered(errors: dict, indicators) -> dict:
    # The error summary lists problems in the order of the fields on the page.
    order = ["request", "case", "version", "ratings"]
    for i in indicators:
        order += [f"ratings.{i.code}", *(f"ratings.{i.code}.{p}" for p in ("rating", "period", "reason"))]
    order += ["chosen_level", "rationale"]
    return {f: errors[f] for f in order if f in errors} | {f: m for f, m in errors.items() if f not in order}


def _cadence_hints() -> dict[str, str]:
    cadence = service.review_cadence()
    hints = {}
    for level in RiskLevel:
        weeks = cadence.weeks_for(level)
        hint = f"Next review within {weeks} weeks"
        if level is RiskLevel.HIGH:
            hint += ", and at every MET meeting"
        hints[level.value] = hint
    return hints


def _form_page(
    case, indicators, errors: dict, values: dict, status: int, *, preview=None, conflict=False, flagged=None
):
    anchors = {"case": "assessment-case", "version": "assessment-case", "request": "assessment-case"}
    anchors["ratings"] = "assessment-ratings"
    return render_template(
        "risk/form.html",
        case=case,
        groups=risk_catalogue.grouped(indicators),
        errors=_ordered(errors, indicators),
        anchors=anchors,
        values=values,
        preview=preview,
        conflict=conflict,
        flagged=flagged,
        ratings=IndicatorRating.choices(),
        periods=[(p.value, p.short_label) for p in IndicatorPeriod],
        levels=list(RiskLevel),
        cadence_hints=_cadence_hints(),
        rules=service.suggestion_rules(),
        child_age=service.child_age(case, today()),
        # "Check the suggestion" sends the form to this page's own address with the
        # suggestion's fragment, so the answer opens where the user pressed (no script).
        check_url=url_for("risk_assessments.new", case_id=case.id, _anchor=SUGGESTION_ANCHOR),
    ), status


@bp.route("/new", methods=["GET", "POST"])
@requires(Perm.RISK_ASSESS)
def new(case_id: int):
    indicators = risk_catalogue.list_active()
    if request.method == "GET":
        case = get_for(current_user, case_id, action="risk_assessment.form")
        values = {f"ratings.{i.code}.rating": IndicatorRating.NONE.value for i in indicators}
        return _form_page(case, indicators, {}, {**values, "version": case.version}, 200)
    values = request.form.to_dict()
    data = _form_data(indicators)
    if request.form.get("check"):
        case, preview = service.preview(current_user, case_id, data)
        return _form_page(
            case, indicators, preview.errors, values, 400 if preview.errors else 200, preview=preview
        )
    try:
        view = service.record(
            current_user,
            case_id,
            data,
            request.form.get("version"),
            save_anyway=save_anyway_ticked(request.form),
        )
    except Conflict:
        # The page keeps what the user typed and carries the case's new version: saving
        # again records the assessment on the case as it is now.
        case = get_for(current_user, case_id, action="risk_assessment.form")
        return _form_page(case, indicators, {}, {**values, "version": case.version}, 409, conflict=True)
    except WordingFlagged as flagged:
        case, preview = service.preview(current_user, case_id, data)
        return _form_page(case, indicators, {}, values, 200, preview=preview, flagged=flagged)
    except ValidationError as e:
        case, preview = service.preview(current_user, case_id, data)
        return _form_page(case, indicators, e.errors, values, 400, preview=preview)
    a = view.assessment
    suggested, chosen = RiskLevel(a.suggested_level).label.lower(), RiskLevel(a.chosen_level).label.lower()
    message = (
        f"The risk assessment has been saved. The system suggested {suggested}; you set {chosen}. "
        f"Next review by {a.next_review_on:%-d %B %Y}."
    )
    flash(message, "success")
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="risk"))


@bp.route("")
@requires(Perm.CASE_VIEW)
def history(case_id: int):
    case, views = service.list_for(current_user, case_id)
    return render_template("risk/history.html", case=case, views=views)


@bp.route("/<int:assessment_id>")
@requires(Perm.CASE_VIEW)
def detail(case_id: int, assessment_id: int):
    case, view = service.get_one(current_user, case_id, assessment_id)
    return render_template("risk/detail.html", case=case, view=view)
