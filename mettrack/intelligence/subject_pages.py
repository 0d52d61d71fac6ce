"""What the pages of places and of persons of concern share (location_pages.py,
person_pages.py; search_pages.py uses the links at the top): the list, one record's page,
the form's addresses and what a save leads to. Each page passes its kind ("location" or
"person"), which names its endpoints on the "intelligence_subjects" blueprint."""

from collections.abc import Callable
from dataclasses import replace

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from mettrack.core.errors import Conflict, ValidationError
from mettrack.intelligence import access
from mettrack.intelligence.locations import Linked
from mettrack.intelligence.paths import link_to
from mettrack.language import WordingFlagged

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


def linked_with_links(linked: Linked) -> Linked:
    """What is linked to a place or a person, with each record's page (paths.link_to)."""
    return replace(
        linked,
        items=[replace(i, url=link_to("item", i.id)) for i in linked.items],
        cases=[replace(c, url=link_to("case", c.id)) for c in linked.cases],
        disruptions=[replace(d, url=link_to("disruption", d.id)) for d in linked.disruptions],
        associations=[replace(a, url=link_to(a.kind, a.record_id)) for a in linked.associations],
    )


def _paging(listing, endpoint: str) -> dict:
    return {
        "previous": url_for(endpoint, page=listing.page - 1) if listing.page > 1 else None,
        "next": url_for(endpoint, page=listing.page + 1) if listing.page < listing.pages else None,
    }


def list_page(kind: str, listing, template: str):
    """A page of the list (locations.list_for, persons.list_for), each row with its link."""
    listing = replace(listing, items=[replace(r, url=link_to(kind, r.id)) for r in listing.items])
    reviewer = access.is_reviewer(current_user)
    return render_template(
        template,
        listing=listing,
        reviewer=reviewer,
        paging=_paging(listing, f"intelligence_subjects.{kind}s"),
        new_url=url_for(f"intelligence_subjects.new_{kind}") if reviewer else None,
        nav=nav_links(),
    )


def record_page(kind: str, record_id: int, found, template: str):
    """One place's or person's page (`found`: locations.LocationPage, persons.PersonPage)."""
    found = replace(found, linked=linked_with_links(found.linked))
    return render_template(
        template,
        found=found,
        edit_url=url_for(f"intelligence_subjects.edit_{kind}", **{f"{kind}_id": record_id})
        if found.may_edit
        else None,
        nav=nav_links(),
    )


def form_urls(kind: str, record) -> tuple[str, str]:
    """Where the form posts to and where its back link goes: the change form of `record`,
    or the new form when it is None."""
    if record is not None:
        ids = {f"{kind}_id": record.id}
        return (
            url_for(f"intelligence_subjects.update_{kind}", **ids),
            url_for(f"intelligence_subjects.{kind}", **ids),
        )
    return url_for(f"intelligence_subjects.create_{kind}"), url_for(f"intelligence_subjects.{kind}s")


def saved(save: Callable, form: Callable, *, message: str, then: Callable[[object], str]):
    """Runs the use case `save`: then `message` and the page `then(what it returned)`; on a
    refusal the form again, `form(**what to show)`: 400 with the flagged wording or the
    errors, 409 when someone else changed the record meanwhile."""
    try:
        result = save()
    except WordingFlagged as e:
        return form(flagged=e, status=400)
    except ValidationError as e:
        return form(errors=e.errors, status=400)
    except Conflict:
        return form(status=409, conflict=True)
    flash(message, "success")
    return redirect(then(result))
