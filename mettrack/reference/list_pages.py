"""One admin page for every list an administrator keeps: a list (with each row's status
and its change, deactivate and reactivate links), the add and change form, and the
defaults button. Each list describes itself in an `AdminList` (its blueprint, URLs,
words, columns and form fields); `register(bp, spec)` adds the same views to its
blueprint. The use cases are reference/lists.py, reached through the list's
own service functions, which check and audit each change.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, requires


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]  # the row -> what the cell shows (Markup for markup)
    numeric: bool = False
    classes: str = ""


@dataclass(frozen=True)
class Section:
    """One table of the list page: reference data has one per kind, indicators one per group."""

    rows: list
    caption: str
    heading: str | None = None
    anchor: str | None = None  # the heading's id
    empty: str | None = None  # said when the section has no rows
    add_text: str | None = None  # a link below the table to add to this section
    add_url: str | None = None


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    widget: str = "text"  # text, textarea or select
    hint: Any = ""  # text, or (form context) -> text
    classes: str = ""
    spellcheck: bool | None = None
    numeric: bool = False
    choices: Callable[[], list] | None = None  # for a select
    blank: str | None = None
    rows: int = 5
    # (form context) -> Markup shown instead of the input (a code that can no longer
    # change), or None to show the input; or whether the field is shown at all.
    fixed_text: Callable[[dict], Any] | None = None
    shown: Callable[[dict], bool] = field(default=lambda context: True)


CODE_COLUMN = Column("Code", lambda row: Markup("<code>{}</code>").format(row.code))


def _fixed_code(context: dict):
    row = context["row"]
    if row is None:
        return None
    return Markup('<p class="govuk-body">Code: <code>{}</code> (codes never change).</p>').format(row.code)


def code_field(hint: str) -> FormField:
    """The code of a list whose codes never change (reference/lists.py check_code): an input
    on the new form, the code as text on the change form."""
    return FormField(
        "code",
        "Code",
        classes="govuk-input--width-20",
        spellcheck=False,
        hint=hint,
        fixed_text=_fixed_code,
    )


@dataclass(frozen=True)
class AdminList:
    """What one list's pages say and call. The service functions take the user first."""

    title: str
    id_arg: str  # the URL's name for a row id: item_id, indicator_id, phrase_id
    item_rule: str  # the rule of a row's pages before /edit: "/<int:indicator_id>"
    anchor: str  # a row's id on the list page: "<anchor>-<id>"
    intro: str  # template of the words and buttons above the tables
    sections: Callable[[], list[Section]]
    columns: Callable[[Section], list[Column]]
    status_text: str  # the tag of an active row: Offered, Checked
    name_of: Callable[[Any], str]  # a row's name in link text and messages
    empty: str | None  # said when there are no sections at all
    fields: tuple[FormField, ...]
    heading: Callable[[dict], str]  # (form context) -> the form's heading
    back_text: str
    back_url: Callable[[dict], str]
    submit: str
    get: Callable[[int], Any]
    add: Callable[..., Any]  # (user, data, **new_args)
    update: Callable[[Any, int, dict], Any]
    set_active: Callable[[Any, int, bool], Any]
    values_of: Callable[[Any], dict]  # a row -> the form's values
    added: Callable[[Any], str]
    changed: str
    deactivated: Callable[[Any], str]
    reactivated: Callable[[Any], str]
    new_rule: str = "/new"
    # For lists on one page (reference data): the new-row URL's arguments -> the fixed
    # values of the new row and the form context, or abort(404).
    new_args: Callable[..., dict] = field(default=lambda: {})
    context_of: Callable[[Any], dict] = field(default=lambda row: {})  # a row -> form context
    defaults: Callable[[Any], int] | None = None  # adds the defaults (user) -> how many
    defaults_added: Callable[[int], str] | None = None
    page_values: Callable[[], dict] = field(default=lambda: {})  # more for the intro


def register(bp: Blueprint, spec: AdminList) -> None:
    """Adds index, new, edit, deactivate, reactivate (and defaults) to `bp`."""

    def index_url(row=None) -> str:
        if row is None:
            return url_for(f"{bp.name}.index")
        return url_for(f"{bp.name}.index", _anchor=f"{spec.anchor}-{row.id}")

    def form_page(errors: dict, values: dict, context: dict, row=None):
        context = {**context, "row": row}
        return render_template(
            "reference_lists/form.html",
            spec=spec,
            context=context,
            errors=errors,  # in the form's order already (reference/lists.py)
            values=values,
            row=row,
        ), (400 if errors else 200)

    @requires(Perm.REFERENCE_DATA_ADMIN)
    def index():
        return render_template(
            "reference_lists/index.html",
            spec=spec,
            sections=spec.sections(),
            **spec.page_values(),
        )

    @requires(Perm.REFERENCE_DATA_ADMIN)
    def new(**args):
        fixed = spec.new_args(**args)
        context = fixed.pop("context", {})
        if request.method == "GET":
            return form_page({}, {}, context)
        try:
            row = spec.add(current_user, request.form, **fixed)
        except ValidationError as e:
            return form_page(e.errors, request.form.to_dict(), context)
        flash(spec.added(row), "success")
        return redirect(index_url(row))

    @requires(Perm.REFERENCE_DATA_ADMIN)
    def edit(**ids):
        row_id = ids[spec.id_arg]
        row = spec.get(row_id)
        if request.method == "GET":
            return form_page({}, spec.values_of(row), spec.context_of(row), row)
        try:
            spec.update(current_user, row_id, request.form)
        except ValidationError as e:
            row = spec.get(row_id)
            return form_page(e.errors, request.form.to_dict(), spec.context_of(row), row)
        flash(spec.changed, "success")
        return redirect(index_url(row))

    @requires(Perm.REFERENCE_DATA_ADMIN)
    def deactivate(**ids):
        row = spec.set_active(current_user, ids[spec.id_arg], False)
        flash(spec.deactivated(row), "success")
        return redirect(index_url(row))

    @requires(Perm.REFERENCE_DATA_ADMIN)
    def reactivate(**ids):
        row = spec.set_active(current_user, ids[spec.id_arg], True)
        flash(spec.reactivated(row), "success")
        return redirect(index_url(row))

    bp.add_url_rule("", "index", index)
    bp.add_url_rule(spec.new_rule, "new", new, methods=["GET", "POST"])
    bp.add_url_rule(f"{spec.item_rule}/edit", "edit", edit, methods=["GET", "POST"])
    bp.add_url_rule(f"{spec.item_rule}/deactivate", "deactivate", deactivate, methods=["POST"])
    bp.add_url_rule(f"{spec.item_rule}/reactivate", "reactivate", reactivate, methods=["POST"])
    if spec.defaults is not None:

        @requires(Perm.REFERENCE_DATA_ADMIN)
        def defaults():
            added = spec.defaults(current_user)
            flash(spec.defaults_added(added), "success")
            return redirect(index_url())

        bp.add_url_rule("/defaults", "defaults", defaults, methods=["POST"])
