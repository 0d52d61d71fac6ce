"""Pages for locations of concern: the list, one place's page, and the reviewers' forms
(/intelligence/locations...). Thin: the rules live in intelligence/locations.py. The one
blueprint of places, persons and search ("intelligence_subjects") is defined here;
person_pages.py and search_pages.py add their routes to it."""

from dataclasses import replace

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.core.choices import LocationType
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.permissions import Perm, requires
from mettrack.intelligence import access
from mettrack.intelligence import locations as service
from mettrack.intelligence.paths import link_to
from mettrack.language import WordingFlagged, save_anyway_ticked
from mettrack.ui.paging import page_arg

bp = Blueprint("intelligence_subjects", __name__, url_prefix="/intelligence")

CONFLICT = (
    "Someone else changed this record while you were looking at it. Nothing was saved: "
    "check it as it is now and try again."
)


def nav_links() -> dict:
    """The links every page of places, persons and search shows at its top."""
    return {
        "locations": url_for("intelligence_subjects.locations"),
        "persons": url_for("intelligence_subjects.persons"),
        "search": url_for("intelligence_subjects.search_form"),
    }


def linked_with_links(linked: service.Linked) -> service.Linked:
    """What is linked to a place or a person, with each record's page (paths.link_to)."""
    return replace(
        linked,
        items=[replace(i, url=link_to("item", i.id)) for i in linked.items],
        cases=[replace(c, url=link_to("case", c.id)) for c in linked.cases],
        disruptions=[replace(d, url=link_to("disruption", d.id)) for d in linked.disruptions],
        associations=[replace(a, url=link_to(a.kind, a.record_id)) for a in linked.associations],
    )


def rows_with_links(listing, kind: str):
    return replace(listing, items=[replace(r, url=link_to(kind, r.id)) for r in listing.items])


def paging(listing, endpoint: str) -> dict:
    return {
        "previous": url_for(endpoint, page=listing.page - 1) if listing.page > 1 else None,
        "next": url_for(endpoint, page=listing.page + 1) if listing.page < listing.pages else None,
    }


@bp.route("/locations")
@requires(Perm.INTEL_VIEW)
def locations():
    listing = rows_with_links(
        service.list_for(current_user, page=page_arg(), per_page=service.DEFAULT_PER_PAGE), "location"
    )
    reviewer = access.is_reviewer(current_user)
    return render_template(
        "intelligence/locations.html",
        listing=listing,
        paging=paging(listing, "intelligence_subjects.locations"),
        new_url=url_for("intelligence_subjects.new_location") if reviewer else None,
        nav=nav_links(),
    )


def _form(*, location=None, values=None, errors=None, status=200, conflict=False, flagged=None):
    if location is not None:
        action = url_for("intelligence_subjects.update_location", location_id=location.id)
        back = url_for("intelligence_subjects.location", location_id=location.id)
    else:
        action, back = (
            url_for("intelligence_subjects.create_location"),
            url_for("intelligence_subjects.locations"),
        )
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
    try:
        created = service.create_location(current_user, values, save_anyway=save_anyway_ticked(request.form))
    except WordingFlagged as e:
        return _form(values=values, flagged=e, status=400)
    except ValidationError as e:
        return _form(values=values, errors=e.errors, status=400)
    flash("The place has been added.", "success")
    return redirect(url_for("intelligence_subjects.location", location_id=created.id))


@bp.route("/locations/<int:location_id>")
@requires(Perm.INTEL_VIEW)
def location(location_id: int):
    found = service.location_page(current_user, location_id)
    found = replace(found, linked=linked_with_links(found.linked))
    return render_template(
        "intelligence/location.html",
        found=found,
        edit_url=url_for("intelligence_subjects.edit_location", location_id=location_id)
        if found.may_edit
        else None,
        nav=nav_links(),
    )


@bp.route("/locations/<int:location_id>/edit")
@requires(Perm.INTEL_REVIEW)
def edit_location(location_id: int):
    found = service.location_for_edit(current_user, location_id)
    return _form(location=found, values=_values_of(found))


@bp.route("/locations/<int:location_id>/edit", methods=["POST"])
@requires(Perm.INTEL_REVIEW)
def update_location(location_id: int):
    values = _submitted()
    try:
        service.update_location(
            current_user, location_id, values, save_anyway=save_anyway_ticked(request.form)
        )
    except WordingFlagged as e:
        return _form(
            location=service.location_for_edit(current_user, location_id),
            values=values,
            flagged=e,
            status=400,
        )
    except ValidationError as e:
        return _form(
            location=service.location_for_edit(current_user, location_id),
            values=values,
            errors=e.errors,
            status=400,
        )
    except Conflict:
        return _form(
            location=service.location_for_edit(current_user, location_id),
            values=values,
            status=409,
            conflict=True,
        )
    flash("The place has been changed.", "success")
    return redirect(url_for("intelligence_subjects.location", location_id=location_id))
