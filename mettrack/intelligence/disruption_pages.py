"""Pages for disruption actions (/intelligence/disruptions: the list, one action, the
reviewers' new and change forms) and the disruption catalogue's admin pages
(/admin/disruption-kinds, the generic reference-list pages). Thin: the rules live in
intelligence/disruptions.py and intelligence/disruption_catalogue.py.
docs/intelligence-disruption.md."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.form_input import date_parts
from mettrack.core.permissions import Perm, requires
from mettrack.intelligence import disruption_catalogue as catalogue
from mettrack.intelligence import disruptions as service
from mettrack.intelligence.paths import link_to
from mettrack.language import WordingFlagged, save_anyway_ticked
from mettrack.reference import CODE_COLUMN, AdminList, Column, FormField, Section, code_field, register

bp = Blueprint("intelligence_disruptions", __name__, url_prefix="/intelligence/disruptions")

TEXT_FIELDS = ("kind", "person_id", "location_id", "owner_agency_id", "owner_user_id", "status", "details")
CONFLICT = (
    "Someone else changed this action while you were looking at it. Nothing was saved: "
    "check the action as it is now and try again."
)


def _form_input(form) -> dict:
    """The form as the use case reads it: only the fields sent (a change keeps the rest)."""
    data = {name: form.get(name) for name in TEXT_FIELDS if name in form}
    for name in service.DATE_LABELS:
        if any(f"{name}-{part}" in form for part in ("day", "month", "year")):
            data[name] = date_parts(form, name)
    if "protected_case_ids" in form:  # a hidden blank one comes with the boxes
        data["protected_case_ids"] = [v for v in form.getlist("protected_case_ids") if v.strip()]
    if "version" in form:
        data["version"] = form.get("version")
    return data


def _date_values(name: str, day) -> dict:
    if day is None:
        return {}
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def _values_of(view: service.DisruptionView) -> dict:
    values = {
        "kind": view.kind_code,
        "person_id": str(view.person_id or ""),
        "location_id": str(view.location_id or ""),
        "owner_agency_id": str(view.owner_agency_id),
        "owner_user_id": str(view.owner_user_id or ""),
        "status": view.status,
        "details": view.details or "",
        "protected_case_ids": [str(c) for c in view.protected_case_ids],
    }
    for name in service.DATE_LABELS:
        values.update(_date_values(name, getattr(view, name)))
    return values


def _typed(form) -> dict:
    values = form.to_dict()
    values["protected_case_ids"] = [v for v in form.getlist("protected_case_ids") if v.strip()]
    return values


def _links(view: service.DisruptionView) -> dict:
    return {
        "show": link_to("disruption", view.id),
        "person": link_to("person", view.person_id) if view.person_id else None,
        "location": link_to("location", view.location_id) if view.location_id else None,
        "children": [link_to("case", p.case_id) if p.case_id else None for p in view.protected],
    }


@bp.route("")
@requires(Perm.INTEL_VIEW)
def index():
    views = service.list_for(current_user)
    return render_template(
        "intelligence/disruption_list.html",
        rows=[(v, _links(v)) for v in views],
        new_url=url_for("intelligence_disruptions.new") if service.is_reviewer(current_user) else None,
    )


@bp.route("/<int:action_id>")
@requires(Perm.INTEL_VIEW)
def show(action_id: int):
    view = service.get_for(current_user, action_id)
    return render_template(
        "intelligence/disruption.html",
        action=view,
        links=_links(view),
        edit_url=url_for("intelligence_disruptions.edit", action_id=view.id) if view.may_edit else None,
        list_url=url_for("intelligence_disruptions.index"),
    )


def _form_page(*, view=None, values=None, errors=None, status=200, conflict=False, flagged=None):
    options = service.form_options(current_user, view)
    return render_template(
        "intelligence/disruption_form.html",
        action=view,
        options=options,
        values=values or {},
        errors=errors or {},
        conflict=conflict,
        conflict_text=CONFLICT,
        flagged=flagged,
        cancel_url=(
            url_for("intelligence_disruptions.show", action_id=view.id)
            if view
            else url_for("intelligence_disruptions.index")
        ),
    ), status


def _prefill() -> dict:
    """?person_id= or ?location_id= from a person's or a place's page: ids only."""
    return {name: request.args[name] for name in ("person_id", "location_id") if request.args.get(name)}


@bp.route("/new", methods=["GET", "POST"])
@requires(Perm.INTEL_REVIEW)
def new():
    if request.method == "GET":
        start = {"status": "planned", "owner_agency_id": str(current_user.agency_id)}
        return _form_page(values={**start, **_prefill()})
    data = {**_prefill(), **_form_input(request.form)}
    try:
        saved = service.create(current_user, data, save_anyway=save_anyway_ticked(request.form))
    except WordingFlagged as e:
        return _form_page(values={**_prefill(), **_typed(request.form)}, flagged=e, status=400)
    except ValidationError as e:
        return _form_page(values={**_prefill(), **_typed(request.form)}, errors=e.errors, status=400)
    flash(_saved_message("The disruption action has been recorded.", saved), "success")
    return redirect(url_for("intelligence_disruptions.show", action_id=saved.action.id))


def _saved_message(text: str, saved: service.Saved) -> str:
    return f"{text} {saved.cawn_reason}" if saved.cawn_reason else text


@bp.route("/<int:action_id>/edit", methods=["GET", "POST"])
@requires(Perm.INTEL_REVIEW)
def edit(action_id: int):
    view = service.get_for(current_user, action_id)
    if request.method == "GET":
        return _form_page(view=view, values=_values_of(view))
    try:
        saved = service.update(
            current_user, action_id, _form_input(request.form), save_anyway=save_anyway_ticked(request.form)
        )
    except WordingFlagged as e:
        return _form_page(view=view, values=_typed(request.form), flagged=e, status=400)
    except ValidationError as e:
        return _form_page(view=view, values=_typed(request.form), errors=e.errors, status=400)
    except Conflict:
        return _form_page(view=view, values=_typed(request.form), status=409, conflict=True)
    flash(_saved_message("The disruption action has been changed.", saved), "success")
    return redirect(url_for("intelligence_disruptions.show", action_id=action_id))


# --- the catalogue, for administrators ----------------------------------------------------

kinds_bp = Blueprint("disruption_kinds_admin", __name__, url_prefix="/admin/disruption-kinds")
YES_NO = [("yes", "Yes"), ("no", "No")]


def _kind_sections() -> list[Section]:
    kinds = catalogue.list_all()
    return [Section(rows=kinds, caption="Kinds of disruption action")] if kinds else []


def _yes(value: bool) -> str:
    return "Yes" if value else "No"


KIND_COLUMNS = [
    Column("Name", lambda k: k.name),
    CODE_COLUMN,
    Column("Has an expiry", lambda k: _yes(k.has_expiry)),
    Column("CAWN check", lambda k: _yes(k.checks_cawn)),
    Column("Order", lambda k: k.sort_order, numeric=True),
]

KIND_SPEC = AdminList(
    title="Disruption catalogue",
    id_arg="kind_id",
    item_rule="/<int:kind_id>",
    anchor="kind",
    intro="intelligence/disruption_kinds_intro.html",
    sections=_kind_sections,
    columns=lambda section: KIND_COLUMNS,
    status_text="Offered",
    name_of=lambda k: k.name,
    empty="The catalogue is empty: add the starting list.",
    fields=(
        code_field(
            "Lower-case letters, digits and underscores, like closure_order. The API uses it; it "
            "cannot be changed later."
        ),
        FormField("name", "Name", hint="As practitioners know it, for example “Sexual Risk Order”."),
        FormField(
            "description",
            "Description (optional)",
            widget="textarea",
            rows=3,
            hint="The law it rests on and when it is used.",
        ),
        FormField(
            "has_expiry",
            "Does it have an expiry date?",
            widget="select",
            choices=lambda: YES_NO,
            blank="Choose yes or no",
            hint="Orders and notices do: an expiry is then needed while it is in force, and its owner is "
            "reminded before it.",
        ),
        FormField(
            "checks_cawn",
            "Does it need the CAWN check?",
            widget="select",
            choices=lambda: YES_NO,
            blank="Choose yes or no",
            hint="Yes only for a Child Abduction Warning Notice: one child per notice, whose age and "
            "looked-after status decide the section it cites.",
        ),
        FormField(
            "sort_order",
            "Order (optional)",
            classes="govuk-input--width-5",
            numeric=True,
            hint="Smaller numbers come first. Leave blank to put a new kind last.",
        ),
    ),
    heading=lambda c: "Change the kind" if c["row"] else "Add a kind of disruption action",
    back_text="Back to the disruption catalogue",
    back_url=lambda c: url_for("disruption_kinds_admin.index"),
    submit="Save the kind",
    get=catalogue.get,
    add=catalogue.add_kind,
    update=catalogue.update_kind,
    set_active=catalogue.set_active,
    values_of=lambda k: {
        "name": k.name,
        "description": k.description or "",
        "has_expiry": "yes" if k.has_expiry else "no",
        "checks_cawn": "yes" if k.checks_cawn else "no",
        "sort_order": k.sort_order,
    },
    added=lambda k: f"“{k.name}” has been added to the catalogue.",
    changed="The kind has been changed.",
    deactivated=lambda k: f"“{k.name}” is no longer offered. Actions already recorded keep it.",
    reactivated=lambda k: f"“{k.name}” is offered on new disruption actions.",
    defaults=catalogue.add_starting_list,
    defaults_added=lambda n: f"{n} kind{'s' if n != 1 else ''} from the starting list added.",
    page_values=lambda: {"missing_defaults": catalogue.missing_defaults()},
)
register(kinds_bp, KIND_SPEC)
