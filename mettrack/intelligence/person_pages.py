"""Pages for persons of concern: the list, one person's page, and the reviewers' forms
(/intelligence/persons...). Thin: the rules live in intelligence/persons.py."""

from flask import render_template, request, url_for
from flask_login import current_user

from mettrack.core.choices import LinkReliability
from mettrack.core.form_input import date_parts
from mettrack.core.permissions import Perm, requires
from mettrack.intelligence import persons as service
from mettrack.intelligence.location_pages import bp
from mettrack.intelligence.normalise import phone_display, registration_display
from mettrack.intelligence.subject_pages import CONFLICT, form_urls, list_page, record_page, saved
from mettrack.language import save_anyway_ticked
from mettrack.ui.paging import page_arg

TEXT_FIELDS = ("name", "aliases", "approximate_age", "description", "vehicles", "phones", "version")


@bp.route("/persons")
@requires(Perm.INTEL_VIEW)
def persons():
    listing = service.list_for(current_user, page=page_arg(), per_page=service.DEFAULT_PER_PAGE)
    return list_page("person", listing, "intelligence/persons.html")


def _date_values(name: str, day) -> dict:
    if day is None:
        return {}
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def _values_of(person) -> dict:
    values = {
        "name": person.name,
        "aliases": "\n".join(a.alias for a in person.aliases),
        "approximate_age": "" if person.approximate_age is None else str(person.approximate_age),
        "description": person.description or "",
        "vehicles": "\n".join(
            registration_display(v.registration) + (f", {v.description}" if v.description else "")
            for v in person.vehicles
        ),
        "phones": "\n".join(
            phone_display(p.number) + (f", {p.note}" if p.note else "") for p in person.phones
        ),
        "version": str(person.version),
    }
    values.update(_date_values("date_of_birth", person.date_of_birth))
    values.update(_date_values("review_on", person.review_on))
    return values


def _form(*, edit=None, values=None, errors=None, status=200, conflict=False, flagged=None):
    person = edit.person if edit else None
    action, back = form_urls("person", person)
    existing = []
    for row in edit.associations if edit else []:
        target = row.other_person if row.other_person_id else row.location
        existing.append(
            {
                "id": row.id,
                "name": target.name if target else "",
                "kind": "Person" if row.other_person_id else "Place",
                "relation": row.relation,
                "reliability": LinkReliability.labels().get(row.reliability, row.reliability),
            }
        )
    targets = [
        (value, text)
        for value, text in service.association_targets(current_user)
        if value != f"person:{person.id if person else 0}"
    ]
    return render_template(
        "intelligence/person_form.html",
        person=person,
        flagged=flagged,
        values=values or {},
        errors=errors or {},
        conflict=conflict,
        conflict_text=CONFLICT,
        existing=existing,
        removed=set(request.form.getlist("remove_association")) if request.method == "POST" else set(),
        targets=targets,
        reliabilities=LinkReliability.choices(),
        action=action,
        back=back,
    ), status


def _data(form, existing_rows) -> dict:
    """The form as the use case reads it: the lists as lines, the dates as their parts,
    the associations kept (not ticked for removal) and the one added."""
    data = {name: form.get(name, "") for name in TEXT_FIELDS}
    data["date_of_birth"] = date_parts(form, "date_of_birth")
    data["review_on"] = date_parts(form, "review_on")
    removed = set(form.getlist("remove_association"))
    associations = [
        {
            "person_id": row.other_person_id,
            "location_id": row.location_id,
            "relation": row.relation,
            "reliability": row.reliability,
        }
        for row in existing_rows
        if str(row.id) not in removed
    ]
    target = (form.get("association_target") or "").strip()
    if target:
        kind, _, record_id = target.partition(":")
        associations.append(
            {
                "location_id" if kind == "location" else "person_id": record_id,
                "relation": form.get("association_relation", ""),
                "reliability": form.get("association_reliability", ""),
            }
        )
    data["associations"] = associations
    return data


@bp.route("/persons/new")
@requires(Perm.INTEL_REVIEW)
def new_person():
    return _form(values=_date_values("review_on", service.default_review_on()))


@bp.route("/persons/new", methods=["POST"])
@requires(Perm.INTEL_REVIEW)
def create_person():
    values = request.form.to_dict()
    return saved(
        lambda: service.create_person(
            current_user, _data(request.form, []), save_anyway=save_anyway_ticked(request.form)
        ),
        lambda **shown: _form(values=values, **shown),
        message="The person has been added.",
        then=lambda created: url_for("intelligence_subjects.person", person_id=created.id),
    )


@bp.route("/persons/<int:person_id>")
@requires(Perm.INTEL_VIEW)
def person(person_id: int):
    found = service.person_page(current_user, person_id)
    return record_page("person", person_id, found, "intelligence/person.html")


@bp.route("/persons/<int:person_id>/edit")
@requires(Perm.INTEL_REVIEW)
def edit_person(person_id: int):
    edit = service.person_for_edit(current_user, person_id)
    return _form(edit=edit, values=_values_of(edit.person))


@bp.route("/persons/<int:person_id>/edit", methods=["POST"])
@requires(Perm.INTEL_REVIEW)
def update_person(person_id: int):
    edit = service.person_for_edit(current_user, person_id)
    values = request.form.to_dict()
    return saved(
        lambda: service.update_person(
            current_user,
            person_id,
            _data(request.form, edit.associations),
            save_anyway=save_anyway_ticked(request.form),
        ),
        lambda **shown: _form(edit=service.person_for_edit(current_user, person_id), values=values, **shown),
        message="The person has been changed.",
        then=lambda _: url_for("intelligence_subjects.person", person_id=person_id),
    )
