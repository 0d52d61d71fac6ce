"""Agencies for administrators, under the admin area: /admin/agencies (the list with each
agency's sector and users), /admin/agencies/new and /admin/agencies/<id>/edit. Thin: the
rules (a unique name ignoring case and spacing, a known sector, the audit rows) live in
accounts/agency_admin.py. URLs carry agency ids only."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.accounts import agency_admin as service
from mettrack.core.choices import AgencySector
from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, requires

bp = Blueprint("agency_admin", __name__, url_prefix="/admin/agencies")

REVIEWERS_NOTE = (
    "Users of a police agency who hold a case role (MET chair, lead professional, coordinator "
    "or partner) review intelligence: they grade Community Partnership Information, read its "
    "source and see every link, once a MET chair has approved it for each of them (they wait "
    "under Role grants). MET chairs review it whatever their agency. Set an agency's "
    "sector to Police only for a police force."
)


def _form_page(errors: dict, values: dict, agency=None):
    errors = {f: errors[f] for f in service.FIELDS if f in errors} | {
        f: m for f, m in errors.items() if f not in service.FIELDS
    }
    return render_template(
        "admin/agency_form.html",
        errors=errors,
        values=values,
        agency=agency,
        sectors=AgencySector.choices(),
        reviewers_note=REVIEWERS_NOTE,
        back_url=url_for("agency_admin.index"),
    ), (400 if errors else 200)


@bp.route("")
@requires(Perm.AGENCY_ADMIN)
def index():
    rows = service.list_agencies(current_user)
    return render_template(
        "admin/agencies.html",
        rows=[
            (
                row,
                url_for("agency_admin.edit", agency_id=row.agency.id),
                url_for("admin.users", agency=row.agency.id),
            )
            for row in rows
        ],
        new_url=url_for("agency_admin.new"),
        reviewers_note=REVIEWERS_NOTE,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Perm.AGENCY_ADMIN)
def new():
    errors, values = {}, {"sector": ""}
    if request.method == "POST":
        values = dict(request.form)
        try:
            agency = service.add_agency(current_user, request.form)
        except ValidationError as e:
            errors = e.errors
        else:
            flash(f"{agency.name} has been added.", "success")
            return redirect(url_for("agency_admin.index"))
    return _form_page(errors, values)


@bp.route("/<int:agency_id>/edit", methods=["GET", "POST"])
@requires(Perm.AGENCY_ADMIN)
def edit(agency_id: int):
    agency = service.agency_for_admin(current_user, agency_id)
    errors, values = {}, {"name": agency.name, "sector": agency.sector}
    if request.method == "POST":
        values = dict(request.form)
        try:
            _, changed = service.update_agency(current_user, agency_id, request.form)
        except ValidationError as e:
            errors = e.errors
        else:
            flash("The agency has been saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("agency_admin.index"))
    return _form_page(errors, values, agency)
