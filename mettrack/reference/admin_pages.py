"""Reference data for administrators: the police tiers and their holding teams and the
exit reasons (reference/data.py), one section per
list on the generic admin list pages (reference/list_pages.py). Each list can be added
to, its items relabelled, reordered, (for a team) moved to another tier, and deactivated
or reactivated. A code is what cases store: it can change only while nothing uses it. A
deactivated item stays readable on the cases that hold it but is no longer offered.

The language list has its own pages (language/admin_pages.py); the risk indicators too
(risk/indicator_pages.py).
"""

from flask import Blueprint, abort, current_app, url_for
from markupsafe import Markup

from mettrack.core.choices import ReferenceKind
from mettrack.reference import data as reference_data
from mettrack.reference.list_pages import AdminList, Column, FormField, Section, register

bp = Blueprint("reference_admin", __name__, url_prefix="/admin/reference")


def _sections() -> list[Section]:
    return [
        Section(
            rows=reference_data.list_all(kind),
            caption=kind.label,
            heading=kind.label,
            anchor=kind.value,
            empty="This list is empty.",
            add_text=f"Add to {kind.label.lower()}",
            add_url=url_for("reference_admin.new", kind=kind.value),
        )
        for kind in ReferenceKind
    ]


def _columns(section: Section) -> list[Column]:
    columns = [
        Column("Label", lambda item: item.label),
        Column("Code", lambda item: Markup("<code>{}</code>").format(item.code)),
    ]
    if section.anchor == ReferenceKind.POLICE_TEAM.value:
        tier_labels = dict(reference_data.tier_choices())
        columns.append(
            Column("Tier", lambda item: tier_labels.get(item.parent_code, item.parent_code or "None"))
        )
    return [*columns, Column("Order", lambda item: item.sort_order, numeric=True)]


def _new_args(kind: str) -> dict:
    found = reference_data.kind_or_none(kind)
    if found is None:
        abort(404)
    return {"kind": found, "context": {"kind": found}}


def _code_fixed(context: dict):
    item = context["row"]
    if item is None or not reference_data.code_locked(item):
        return None
    return Markup(
        '<p class="govuk-body" id="code">Code: <code>{}</code>. It cannot be changed: cases or the system\n'
        "        use it.</p>"
    ).format(item.code)


def _code_hint(context: dict) -> str:
    return (
        f"Lower-case letters, digits and underscores, up to {reference_data.MAX_CODE[context['kind']]} "
        "characters, like npt_east. Cases and scripts store it: once a case uses it, it cannot be changed."
    )


SPEC = AdminList(
    title="Reference data",
    id_arg="item_id",
    item_rule="/items/<int:item_id>",
    anchor="item",
    intro="reference_admin/_intro.html",
    sections=_sections,
    columns=_columns,
    status_text="Offered",
    name_of=lambda item: item.label,
    empty=None,
    fields=(
        FormField(
            "code",
            "Code",
            classes="govuk-input--width-20",
            spellcheck=False,
            hint=_code_hint,
            fixed_text=_code_fixed,
        ),
        FormField("label", "Label", hint="What pages show."),
        FormField(
            "parent_code",
            "Police tier",
            widget="select",
            choices=reference_data.tier_choices,
            blank="Choose the tier",
            hint="The tier this team holds cases for.",
            shown=lambda context: context["kind"] is ReferenceKind.POLICE_TEAM,
        ),
        FormField(
            "sort_order",
            "Order (optional)",
            classes="govuk-input--width-5",
            numeric=True,
            hint="Smaller numbers come first. Leave blank to put a new item last.",
        ),
    ),
    heading=lambda c: ("Change the " if c["row"] else "Add a ") + reference_data.KIND_SINGULAR[c["kind"]],
    back_text="Back to reference data",
    back_url=lambda c: url_for("reference_admin.index", _anchor=c["kind"].value),
    submit="Save",
    get=reference_data.get_item,
    add=lambda user, data, kind: reference_data.add_item(user, kind, data),
    update=reference_data.update_item,
    set_active=reference_data.set_item_active,
    values_of=lambda item: {
        "code": item.code,
        "label": item.label,
        "parent_code": item.parent_code or "",
        "sort_order": item.sort_order,
    },
    added=lambda item: f"“{item.label}” has been added and is offered from now on.",
    changed="The item has been changed.",
    deactivated=lambda item: f"“{item.label}” is no longer offered. Cases that hold it still show it.",
    reactivated=lambda item: f"“{item.label}” is offered again.",
    new_rule="/<kind>/new",
    new_args=_new_args,
    context_of=lambda item: {"kind": ReferenceKind(item.kind)},
    defaults=reference_data.add_missing_defaults,
    defaults_added=lambda n: f"{n} default item{'s' if n != 1 else ''} added.",
    page_values=lambda: {
        "missing_defaults": reference_data.missing_defaults(),
        "has_risk_indicators": "risk_indicators.index" in current_app.view_functions,
    },
)
register(bp, SPEC)
