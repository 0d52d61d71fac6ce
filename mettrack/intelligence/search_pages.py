"""The search page (/intelligence/search): the form by GET, the results by POST, so that
what was searched for is in the request body, never in an address, a browser's history or
a server log."""

from dataclasses import replace

from flask import render_template, request, url_for
from flask_login import current_user

from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, requires
from mettrack.intelligence import search as service
from mettrack.intelligence.location_pages import bp
from mettrack.intelligence.paths import link_to
from mettrack.intelligence.subject_pages import nav_links


def _page(*, values=None, errors=None, results=None, status=200):
    return render_template(
        "intelligence/search.html",
        values=values or {"kind": service.NAME},
        errors=errors or {},
        results=results,
        kinds=service.kind_choices(),
        action=url_for("intelligence_subjects.search"),
        nav=nav_links(),
    ), status


@bp.route("/search")
@requires(Perm.INTEL_VIEW)
def search_form():
    return _page()


@bp.route("/search", methods=["POST"])
@requires(Perm.INTEL_VIEW)
def search():
    values = {"query": request.form.get("query", ""), "kind": request.form.get("kind", service.NAME)}
    try:
        results = service.search(current_user, values)
    except ValidationError as e:
        return _page(values=values, errors=e.errors, status=400)
    results = replace(
        results,
        items=[replace(h, url=link_to("item", h.id)) for h in results.items],
        locations=[replace(h, url=link_to("location", h.id)) for h in results.locations],
        persons=[replace(h, url=link_to("person", h.id)) for h in results.persons],
    )
    return _page(values=values, results=results)
