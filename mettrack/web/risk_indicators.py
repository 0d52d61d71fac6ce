"""The risk indicator catalogue for administrators: list, add, change, deactivate and
reactivate. Thin: mettrack/services/risk_catalogue.py checks and audits each change."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.permissions import Perm, requires
from mettrack.services import ValidationError, risk_catalogue

bp = Blueprint("risk_indicators", __name__, url_prefix="/admin/risk-indicators")


def _form_page(errors: dict, values: dict, indicator=None):
    return render_template(
        "risk/indicator_form.html",
        errors={f: errors[f] for f in risk_catalogue.FIELDS if f in errors}
        | {f: m for f, m in errors.items() if f not in risk_catalogue.FIELDS},
        values=values,
        indicator=indicator,
        groups=risk_catalogue.group_choices(),
    ), (400 if errors else 200)


def _call(function, *args):
    try:
        return function(current_user, *args)
    except risk_catalogue.NotAllowed:
        abort(403)


@bp.route("")
@requires(Perm.REFERENCE_DATA_ADMIN)
def index():
    indicators = risk_catalogue.list_all()
    return render_template("risk/indicators.html", groups=risk_catalogue.grouped(indicators))


@bp.route("/new", methods=["GET", "POST"])
@requires(Perm.REFERENCE_DATA_ADMIN)
def new():
    if request.method == "GET":
        return _form_page({}, {})
    try:
        indicator = _call(risk_catalogue.add_indicator, request.form)
    except ValidationError as e:
        return _form_page(e.errors, request.form.to_dict())
    flash(f"The indicator “{indicator.label}” has been added.", "success")
    return redirect(url_for("risk_indicators.index", _anchor=f"indicator-{indicator.id}"))


@bp.route("/<int:indicator_id>/edit", methods=["GET", "POST"])
@requires(Perm.REFERENCE_DATA_ADMIN)
def edit(indicator_id: int):
    indicator = risk_catalogue.get(indicator_id)
    if request.method == "GET":
        values = {"label": indicator.label, "group": indicator.group, "sort_order": indicator.sort_order}
        return _form_page({}, values, indicator)
    try:
        _call(risk_catalogue.update_indicator, indicator_id, request.form)
    except ValidationError as e:
        return _form_page(e.errors, request.form.to_dict(), risk_catalogue.get(indicator_id))
    flash("The indicator has been changed.", "success")
    return redirect(url_for("risk_indicators.index", _anchor=f"indicator-{indicator_id}"))


@bp.route("/<int:indicator_id>/deactivate", methods=["POST"])
@requires(Perm.REFERENCE_DATA_ADMIN)
def deactivate(indicator_id: int):
    indicator = _call(risk_catalogue.set_active, indicator_id, False)
    flash(
        f"“{indicator.label}” is no longer offered. Assessments that rated it keep their rating.", "success"
    )
    return redirect(url_for("risk_indicators.index", _anchor=f"indicator-{indicator_id}"))


@bp.route("/<int:indicator_id>/reactivate", methods=["POST"])
@requires(Perm.REFERENCE_DATA_ADMIN)
def reactivate(indicator_id: int):
    indicator = _call(risk_catalogue.set_active, indicator_id, True)
    flash(f"“{indicator.label}” is offered again on new assessments.", "success")
    return redirect(url_for("risk_indicators.index", _anchor=f"indicator-{indicator_id}"))
