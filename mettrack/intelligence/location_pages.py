"""Pages for locations of concern: the list, one place's page, and the reviewers' forms
(/intelligence/locations...). Thin: the rules live in intelligence/locations.py. The one
blueprint of places, persons and search ("intelligence_subjects") is defined here;
person_pages.py and search_pages.py add their routes to it. What the pages of places and
persons share is subject_pages.py."""

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from mettrack.core.choices import LocationType
from mettrack.core.permissions import Perm, requires
from mettrack.intelligence import locations as service
from mettrack.intelligence.subject_pages import CONFLICT, form_urls, list_page, record_page, saved
from mettrack.language import save_anyway_ticked
from mettrack.ui.paging import page_arg

bp = Blueprint("intelligence_subjects", __name__, url_prefix="/intelligence")


@bp.route("/locations")
@requires(Perm.INTEL_VIEW)
def locations():
    listing = service.list_for(current_user, page=page_arg(), per_page=service.DEFAULT_PER_PAGE)
    return list_page("location", listing, "intelligence/locations.html")


def _form(*, location=None, values=None, errors=None, status=200, conflict=False, flagged=None):
    action, back = form_urls("location", location)
    return render_template(
        "intelligence/location_form.html",
        location=location,
        flagged=flagged,
        values=values or {},
        errors=errors or {},
        conflict=conflict,
        conflict_text=CONFLICT,
        types=LocationType.choices(),
        action=action,
        back=back,
    ), status


def _values_of(location) -> dict:
    return {
        "name": location.name,
        "location_type": location.location_type,
        "address": location.address or "",
        "postcode": location.postcode or "",
        "latitude": "" if location.latitude is None else f"{location.latitude:g}",
        "longitude": "" if location.longitude is None else f"{location.longitude:g}",
        "description": location.description or "",
        "version": str(location.version),
    }


def _submitted() -> dict:
    return {name: request.form.get(name, "") for name in service.LOCATION_FIELDS}


@bp.route("/locations/new")
@requires(Perm.INTEL_REVIEW)
def new_location():
    return _form()


@bp.route("/locations/new", methods=["POST"])
@requires(Perm.INTEL_REVIEW)
def create_location():
    values = _submitted()
    return saved(
        lambda: service.create_location(current_user, values, save_anyway=save_anyway_ticked(request.form)),
        lambda **shown: _form(values=values, **shown),
        message="The place has been added.",
        then=lambda created: url_for("intelligence_subjects.location", location_id=created.id),
    )


@bp.route("/locations/<int:location_id>")
@requires(Perm.INTEL_VIEW)
def location(location_id: int):
    found = service.location_page(current_user, location_id)
    return record_page("location", location_id, found, "intelligence/location.html")


@bp.route("/locations/<int:location_id>/edit")
@requires(Perm.INTEL_REVIEW)
def edit_location(location_id: int):
    found = service.location_for_edit(current_user, location_id)
    return _form(location=found, values=_values_of(found))


@bp.route("/locations/<int:location_id>/edit", methods=["POST"])
@requires(Perm.INTEL_REVIEW)
def update_location(location_id: int):
    values = _submitted()
    return saved(
        lambda: service.update_location(
            current_user, location_id, values, save_anyway=save_anyway_ticked(request.form)
        ),
        lambda **shown: _form(
            location=service.location_for_edit(current_user, location_id), values=values, **shown
        ),
        message="The place has been changed.",
        then=lambda _: url_for("intelligence_subjects.location", location_id=location_id),
    )
