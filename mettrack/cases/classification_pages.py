"""The page for a case's exploitation types, flags, places of harm and National Referral
Mechanism details. Thin: the rules and the audit rows live in
mettrack/cases/classification.py. The case page's section
(cases/_classification_section.html) gets its data from mettrack/cases/page.py.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.cases import classification as service
from mettrack.core.choices import CaseFlag, ExploitationType, HarmLocation, NrmDecision
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.permissions import Perm, requires

bp = Blueprint("case_classification", __name__)

DATE_FIELDS = ("nrm_referred_on", "nrm_reasonable_grounds_on", "nrm_conclusive_grounds_on")
PARTS = ("day", "month", "year")
CHOICES = {
    "exploitation_types": ExploitationType.choices(),
    "flags": CaseFlag.choices(),
    "harm_locations": HarmLocation.choices(),
}
DECISIONS = NrmDecision.choices()
LABELS = {
    **{value: label for choices in CHOICES.values() for value, label in choices},
    **{value: label for value, label in DECISIONS},
}
# Where the error summary links for each field: the first box, radio or date part.
ANCHORS = {name: f"{name}-day" for name in DATE_FIELDS}


def _values_of(classification) -> dict:
    values: dict = {name: list(getattr(classification, name)) for name in CHOICES}
    for name in ("nrm_reasonable_grounds", "nrm_conclusive_grounds"):
        values[name] = getattr(classification, name) or ""
    for name in DATE_FIELDS:
        day = getattr(classification, name)
        for part in PARTS:
            values[f"{name}-{part}"] = str(getattr(day, part)) if day else ""
    return values


def _values_from(form) -> dict:
    values: dict = {name: form.getlist(name) for name in CHOICES}
    for name in ("nrm_reasonable_grounds", "nrm_conclusive_grounds", "version"):
        values[name] = form.get(name, "")
    for name in DATE_FIELDS:
        for part in PARTS:
            values[f"{name}-{part}"] = form.get(f"{name}-{part}", "")
    return values


def _data_from(values: dict) -> dict:
    data: dict = {name: values[name] for name in CHOICES}
    data["nrm_reasonable_grounds"] = values["nrm_reasonable_grounds"]
    data["nrm_conclusive_grounds"] = values["nrm_conclusive_grounds"]
    for name in DATE_FIELDS:
        data[name] = tuple(values[f"{name}-{part}"] for part in PARTS)
    return data


def _page(case, errors: dict, values: dict, conflict: bool = False):
    status = 409 if conflict else (400 if errors else 200)
    return render_template(
        "case_classification/edit.html",
        case=case,
        errors=errors,
        values=values,
        conflict=conflict,
        choices=CHOICES,
        decisions=DECISIONS,
        anchors=ANCHORS,
        type_required=case.state in service.TYPE_REQUIRED_STATES,
    ), status


@bp.route("/cases/<int:case_id>/classification", methods=["GET", "POST"])
@requires(Perm.CASE_CLASSIFY)
def edit(case_id: int):
    if request.method == "GET":
        case, classification = service.case_to_edit(current_user, case_id)
        return _page(case, {}, _values_of(classification))
    values = _values_from(request.form)
    try:
        service.save(current_user, case_id, _data_from(values), request.form.get("version"), form=True)
    except Conflict:
        case, _current = service.case_to_edit(current_user, case_id)
        return _page(case, {}, values, conflict=True)
    except ValidationError as e:
        case, _current = service.case_to_edit(current_user, case_id)
        return _page(case, e.errors, values)
    flash("The exploitation types, flags, places of harm and NRM details have been saved.", "success")
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="classification"))
