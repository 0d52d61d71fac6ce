"""Reference data for administrators: the police tiers and their holding teams, the
specialist services and the exit reasons (services/reference_data.py). Each list can be
added to, its items relabelled, reordered, (for a team) moved to another tier, and
deactivated or reactivated. A code is what cases store: it can change only while nothing
uses it. A deactivated item stays readable on the cases that hold it but is no longer
offered. Thin: the service checks and audits each change.

The language list has its own pages (web/phrases_admin.py); the risk indicators too
(web/risk_indicators.py).
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.domain.choices import ReferenceKind
from mettrack.permissions import Perm, requires
from mettrack.services import ValidationError, reference_data

bp = Blueprint("reference_admin", __name__, url_prefix="/admin/reference")


def _call(function, *args):
    try:
        return function(current_user, *args)
    except reference_data.NotAllowed:
        abort(403)


def _kind_or_404(kind: str) -> ReferenceKind:
    found = reference_data.kind_or_none(kind)
    if found is None:
        abort(404)
    return found


def _index_url(item=None) -> str:
    if item is None:
        return url_for("reference_admin.index")
    return url_for("reference_admin.index", _anchor=f"item-{item.id}")


def _form_page(kind: ReferenceKind, errors: dict, values: dict, item=None):
    fields = reference_data.ITEM_FIELDS
    return render_template(
        "reference_admin/form.html",
        kind=kind,
        kind_label=reference_data.KIND_SINGULAR[kind],
        errors={f: errors[f] for f in fields if f in errors}
        | {f: m for f, m in errors.items() if f not in fields},
        values=values,
        item=item,
        code_locked=item is not None and reference_data.code_locked(item),
        tiers=reference_data.tier_choices(),
        max_code=reference_data.MAX_CODE[kind],
    ), (400 if errors else 200)


@bp.route("")
@requires(Perm.REFERENCE_DATA_ADMIN)
def index():
    lists = [(kind, kind.label, reference_data.list_all(kind)) for kind in ReferenceKind]
    tier_labels = dict(reference_data.tier_choices())
    return render_template(
        "reference_admin/index.html",
        lists=lists,
        tier_labels=tier_labels,
        missing_defaults=reference_data.missing_defaults(),
        has_risk_indicators="risk_indicators.index" in current_app.view_functions,
    )


@bp.route("/<kind>/new", methods=["GET", "POST"])
@requires(Perm.REFERENCE_DATA_ADMIN)
def new(kind: str):
    found = _kind_or_404(kind)
    if request.method == "GET":
        return _form_page(found, {}, {})
    try:
        item = _call(reference_data.add_item, found, request.form)
    except ValidationError as e:
        return _form_page(found, e.errors, request.form.to_dict())
    flash(f"“{item.label}” has been added and is offered from now on.", "success")
    return redirect(_index_url(item))


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@requires(Perm.REFERENCE_DATA_ADMIN)
def edit(item_id: int):
    item = reference_data.get_item(item_id)
    kind = ReferenceKind(item.kind)
    if request.method == "GET":
        values = {
            "code": item.code,
            "label": item.label,
            "parent_code": item.parent_code or "",
            "sort_order": item.sort_order,
        }
        return _form_page(kind, {}, values, item)
    try:
        _call(reference_data.update_item, item_id, request.form)
    except ValidationError as e:
        return _form_page(kind, e.errors, request.form.to_dict(), reference_data.get_item(item_id))
    flash("The item has been changed.", "success")
    return redirect(_index_url(item))


@bp.route("/items/<int:item_id>/deactivate", methods=["POST"])
@requires(Perm.REFERENCE_DATA_ADMIN)
def deactivate(item_id: int):
    item = _call(reference_data.set_item_active, item_id, False)
    flash(f"“{item.label}” is no longer offered. Cases that hold it still show it.", "success")
    return redirect(_index_url(item))


@bp.route("/items/<int:item_id>/reactivate", methods=["POST"])
@requires(Perm.REFERENCE_DATA_ADMIN)
def reactivate(item_id: int):
    item = _call(reference_data.set_item_active, item_id, True)
    flash(f"“{item.label}” is offered again.", "success")
    return redirect(_index_url(item))


@bp.route("/defaults", methods=["POST"])
@requires(Perm.REFERENCE_DATA_ADMIN)
def defaults():
    added = _call(reference_data.add_missing_defaults)
    flash(f"{added} default item{'s' if added != 1 else ''} added.", "success")
    return redirect(_index_url())
