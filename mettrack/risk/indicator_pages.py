"""The risk indicator catalogue for administrators: list (grouped as the form shows
them), add, change, deactivate and reactivate, on the generic admin list pages
(reference/list_pages.py). mettrack/risk/catalogue.py checks and audits each change."""

from flask import Blueprint, url_for

from mettrack.reference import CODE_COLUMN, AdminList, Column, FormField, Section, code_field, register
from mettrack.risk import catalogue as risk_catalogue

bp = Blueprint("risk_indicators", __name__, url_prefix="/admin/risk-indicators")


def _sections() -> list[Section]:
    return [
        Section(rows=group.indicators, caption=group.label, heading=group.label)
        for group in risk_catalogue.grouped(risk_catalogue.list_all())
    ]


COLUMNS = [
    Column("Label", lambda i: i.label),
    CODE_COLUMN,
    Column("Order", lambda i: i.sort_order, numeric=True),
]

SPEC = AdminList(
    title="Risk indicators",
    id_arg="indicator_id",
    item_rule="/<int:indicator_id>",
    anchor="indicator",
    intro="risk/_indicators_intro.html",
    sections=_sections,
    columns=lambda section: COLUMNS,
    status_text="Offered",
    name_of=lambda i: i.label,
    empty="There are no indicators yet. Add them here; a new installation gets the defaults with "
    "<code>flask --app wsgi db upgrade</code>.",
    fields=(
        code_field(
            "Lower-case letters, digits and underscores, like older_partner. Scripts use it; it "
            "cannot be changed later."
        ),
        FormField(
            "label",
            "Label",
            hint="What is happening to the child, never the child's choices, for example “Contact with "
            "older people who may exploit”.",
        ),
        FormField(
            "group", "Group", widget="select", choices=risk_catalogue.group_choices, blank="Choose a group"
        ),
        FormField(
            "sort_order",
            "Order within the group (optional)",
            classes="govuk-input--width-5",
            numeric=True,
            hint="Smaller numbers come first. Leave blank to put a new indicator last.",
        ),
    ),
    heading=lambda c: "Change the indicator" if c["row"] else "Add an indicator",
    back_text="Back to the risk indicators",
    back_url=lambda c: url_for("risk_indicators.index"),
    submit="Save the indicator",
    get=risk_catalogue.get,
    add=risk_catalogue.add_indicator,
    update=risk_catalogue.update_indicator,
    set_active=risk_catalogue.set_active,
    values_of=lambda i: {"label": i.label, "group": i.group, "sort_order": i.sort_order},
    added=lambda i: f"The indicator “{i.label}” has been added.",
    changed="The indicator has been changed.",
    deactivated=lambda i: f"“{i.label}” is no longer offered. Assessments that rated it keep their rating.",
    reactivated=lambda i: f"“{i.label}” is offered again on new assessments.",
)
register(bp, SPEC)
