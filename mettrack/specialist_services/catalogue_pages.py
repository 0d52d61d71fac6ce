"""The service catalogue's admin pages (/admin/services): the generic reference-list pages
(reference/list_pages.py) over specialist_services/catalogue.py, which checks and audits
each change. Each row shows the provider, the capacity and how many children the service
works with now. docs/services-catalogue.md."""

from flask import Blueprint, url_for
from markupsafe import Markup

from mettrack.core.choices import ExploitationType
from mettrack.reference import AdminList, Column, FormField, Section, register
from mettrack.specialist_services import catalogue

bp = Blueprint("service_catalogue_admin", __name__, url_prefix="/admin/services")

TYPE_CHOICES = [(catalogue.ANY_TYPE, "Any (CSE or CCE)")] + [
    (code, f"{label} only") for code, label in ExploitationType.choices()
]


def _sections() -> list[Section]:
    services = catalogue.admin_views()
    return [Section(rows=services, caption="Specialist services")] if services else []


def _code_fixed(context: dict):
    service = context["row"]
    if service is None:
        return None
    return Markup('<p class="govuk-body">Code: <code>{}</code> (codes never change).</p>').format(
        service.code
    )


def _service_cell(view) -> Markup:
    if view.agency_name is None:
        provider = Markup("<strong>No provider agency chosen yet</strong>: nobody can answer its requests.")
    else:
        provider = Markup("Provided by {}.").format(view.agency_name)
    return Markup('{}<br><span class="govuk-body-s">{} Code <code>{}</code>.</span>').format(
        view.name, provider, view.code
    )


def _load_cell(view) -> str:
    now = f"{view.load} (no set limit)" if view.capacity is None else f"{view.load} of {view.capacity}"
    if view.waiting:
        now += f"; {view.waiting} request{'s' if view.waiting != 1 else ''} waiting"
    return now


COLUMNS = [
    Column("Service", _service_cell),
    Column("Children now", _load_cell),
]

FIELDS = (
    FormField(
        "code",
        "Code",
        classes="govuk-input--width-20",
        spellcheck=False,
        hint="Lower-case letters, digits and underscores, like youth_justice. Requests and the API store "
        "it; it cannot be changed later.",
        fixed_text=_code_fixed,
    ),
    FormField("name", "Name", hint="As practitioners know it, for example “PARCS”."),
    FormField(
        "agency_id",
        "Provider agency",
        widget="select",
        choices=catalogue.agency_options,
        blank="Choose the agency",
        hint="Its users with a case role answer the requests sent to the service. Add a missing agency "
        "on the Agencies page first.",
    ),
    FormField(
        "offers",
        "What it offers (optional)",
        widget="textarea",
        rows=3,
        hint="What the service does, in a sentence or two, for the coordinator choosing it.",
    ),
    FormField(
        "exploitation_types",
        "Exploitation types it takes",
        widget="select",
        choices=lambda: TYPE_CHOICES,
    ),
    FormField(
        "min_age",
        "Youngest age it takes (optional)",
        classes="govuk-input--width-3",
        numeric=True,
        hint="A whole number from 0 to 25. Leave blank for no lower limit.",
    ),
    FormField(
        "max_age",
        "Oldest age it takes (optional)",
        classes="govuk-input--width-3",
        numeric=True,
        hint="A whole number from 0 to 25, not less than the youngest age. Leave blank for no upper limit.",
    ),
    FormField(
        "contact",
        "Contact (optional)",
        hint="The team's telephone number or shared e-mail address, not a person's own.",
    ),
    FormField(
        "capacity",
        "Capacity (optional)",
        classes="govuk-input--width-5",
        numeric=True,
        hint="How many children it can work with at once, from 0 to 10000. Leave blank for no set limit. "
        "A request that would take it over is a warning to the coordinator, not a refusal.",
    ),
    FormField(
        "sort_order",
        "Order (optional)",
        classes="govuk-input--width-5",
        numeric=True,
        hint="Smaller numbers come first. Leave blank to put a new service last.",
    ),
)

SPEC = AdminList(
    title="Service catalogue",
    id_arg="service_id",
    item_rule="/<int:service_id>",
    anchor="service",
    intro="specialist_services/catalogue_intro.html",
    sections=_sections,
    columns=lambda section: COLUMNS,
    status_text="Offered",
    name_of=lambda s: s.name,
    empty="The catalogue is empty: add the default services.",
    fields=FIELDS,
    heading=lambda c: "Change the service" if c["row"] else "Add a specialist service",
    back_text="Back to the service catalogue",
    back_url=lambda c: url_for("service_catalogue_admin.index"),
    submit="Save the service",
    get=catalogue.get,
    add=catalogue.add_service,
    update=catalogue.update_service,
    set_active=catalogue.set_active,
    values_of=catalogue.form_values,
    added=lambda s: f"“{s.name}” has been added to the catalogue.",
    changed="The service has been changed.",
    deactivated=lambda s: (
        f"“{s.name}” is no longer offered. Requests already made and work under way keep it."
    ),
    reactivated=lambda s: f"“{s.name}” is offered on new requests.",
    defaults=catalogue.add_defaults_for,
    defaults_added=lambda n: f"{n} default service{'s' if n != 1 else ''} added.",
    page_values=lambda: {"missing_defaults": catalogue.missing_defaults()},
)
register(bp, SPEC)
