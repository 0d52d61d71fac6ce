"""The child's record: record a new child, read the record, edit it.

Each view parses the form, calls one service in mettrack.children.records, and
renders. The rules (need-to-know, likely duplicates, optimistic locking, audit rows)
live in the service. URLs carry ids only, never a name.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.cases import AccessReasonRequired
from mettrack.children import records as children_service
from mettrack.core.choices import LookedAfterStatus
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.form_input import date_parts
from mettrack.core.permissions import Perm, can, requires

bp = Blueprint("children", __name__, url_prefix="/children")

# The order the form shows the fields, for the order of the error summary.
FORM_FIELDS = (
    "first_name",
    "last_name",
    "aliases",
    "date_of_birth",
    "gender",
    "ethnicity",
    "address",
    "school",
    "parent_carer_contacts",
    "looked_after",
    "looked_after_status",
    "social_worker",
    "nhs_number",
    "local_identifier",
    "consistent_child_identifier",
    "version",
    "confirmed_no_match",
)
# Where the error summary links to, when not the field's own id.
ANCHORS = {
    "date_of_birth": "date_of_birth-day",
    "looked_after": "looked_after",
    "confirmed_no_match": "matches",
}


def _child_input() -> children_service.ChildInput:
    form = request.form
    text = {name: form.get(name) for name in children_service.RECORD_FIELDS}
    looked_after = form.get("looked_after")
    return children_service.ChildInput(
        **{
            **text,
            "date_of_birth": date_parts(form, "date_of_birth"),
            "looked_after": looked_after == "yes",
        }
    )


def _values_of_form() -> dict:
    return {**request.form}


def _values_of(child) -> dict:
    values = children_service.values_of(child)
    dob = child.date_of_birth
    values.update(
        {
            "date_of_birth-day": str(dob.day) if dob else "",
            "date_of_birth-month": str(dob.month) if dob else "",
            "date_of_birth-year": str(dob.year) if dob else "",
            "looked_after": "yes" if child.looked_after else "no",
            "version": child.version,
        }
    )
    return {k: ("" if v is None else v) for k, v in values.items()}


def _form_page(errors: dict, values: dict, *, child=None, matches=None, status: int | None = None):
    errors = {f: errors[f] for f in FORM_FIELDS if f in errors} | {
        f: m for f, m in errors.items() if f not in FORM_FIELDS
    }
    return render_template(
        "children/form.html",
        errors=errors,
        anchors=ANCHORS,
        values=values,
        child=child,
        matches=matches,
        looked_after_labels=LookedAfterStatus.labels(),
        looked_after_options=LookedAfterStatus.choices(),
    ), status or (400 if errors else 200)


@bp.route("/new", methods=["GET", "POST"])
@requires(Perm.CHILD_CREATE)
def new():
    if request.method == "GET":
        return _form_page({}, {"looked_after": "no"})
    confirmed = request.form.get("confirmed_no_match") == "yes"
    try:
        child = children_service.create_child(current_user, _child_input(), confirmed_no_match=confirmed)
    except children_service.LikelyDuplicate as e:
        return _form_page(e.errors, _values_of_form(), matches=e.report, status=409)
    except ValidationError as e:
        return _form_page(e.errors, _values_of_form())
    flash(
        "The child’s record has been created. Next: screen the child (CSERQ4): a screening opens a case.",
        "success",
    )
    return redirect(url_for("children.detail", child_id=child.id))


@bp.route("/<int:child_id>")
@requires(Perm.CASE_VIEW)
def detail(child_id: int):
    try:
        child = children_service.get_for(current_user, child_id, ask_reason=True)
    except AccessReasonRequired as needed:
        # A police user says why first (cases/access_reasons.py), then comes back here.
        return redirect(url_for("cases.access_reason", case_id=needed.case_id, to="child"))
    cases = children_service.visible_cases_of(current_user, child)
    open_case = next((c for c in cases if c.is_open), None)
    return render_template(
        "children/detail.html",
        child=child,
        cases=cases,
        open_case=open_case,
        # The next step for a child with no open case: a screening opens one.
        may_screen=can(current_user, Perm.CASE_SCREEN),
        looked_after_labels=LookedAfterStatus.labels(),
    )


@bp.route("/<int:child_id>/edit", methods=["GET", "POST"])
@requires(Perm.CHILD_EDIT)
def edit(child_id: int):
    if request.method == "GET":
        child = children_service.get_for(current_user, child_id)
        return _form_page({}, _values_of(child), child=child)
    try:
        child = children_service.update_child(
            current_user, child_id, _child_input(), request.form.get("version")
        )
    except Conflict:
        child = children_service.get_for(current_user, child_id)
        errors = {
            "version": "Someone else changed this record while you were editing it. Your changes "
            "are below but have not been saved: check the record, then save again."
        }
        values = {**_values_of_form(), "version": child.version}
        return _form_page(errors, values, child=child, status=409)
    except ValidationError as e:
        child = children_service.get_for(current_user, child_id)
        return _form_page(e.errors, _values_of_form(), child=child)
    flash("The child’s record has been saved. Its changes show on the child’s cases.", "success")
    return redirect(url_for("children.detail", child_id=child.id))
