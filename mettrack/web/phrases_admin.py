"""The language list for administrators: the phrases the language check flags in notes,
each with its suggested wording and why (services/language_phrases.py). Add, change,
deactivate and reactivate; add the starting list's phrases when setting up. Thin: the
service checks and audits each change.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.permissions import Perm, requires
from mettrack.services import ValidationError
from mettrack.services import language_phrases as service

bp = Blueprint("phrases_admin", __name__, url_prefix="/admin/phrases")


def _call(function, *args):
    try:
        return function(current_user, *args)
    except service.NotAllowed:
        abort(403)


def _index_url(entry=None) -> str:
    if entry is None:
        return url_for("phrases_admin.index")
    return url_for("phrases_admin.index", _anchor=f"phrase-{entry.id}")


def _form_page(errors: dict, values: dict, entry=None):
    fields = service.FIELDS
    return render_template(
        "phrases_admin/form.html",
        errors={f: errors[f] for f in fields if f in errors}
        | {f: m for f, m in errors.items() if f not in fields},
        values=values,
        entry=entry,
    ), (400 if errors else 200)


@bp.route("")
@requires(Perm.REFERENCE_DATA_ADMIN)
def index():
    return render_template(
        "phrases_admin/index.html", phrases=service.list_all(), missing_defaults=service.missing_defaults()
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Perm.REFERENCE_DATA_ADMIN)
def new():
    if request.method == "GET":
        return _form_page({}, {})
    try:
        entry = _call(service.add_phrase, request.form)
    except ValidationError as e:
        return _form_page(e.errors, request.form.to_dict())
    flash(f"“{entry.phrase}” has been added: notes are checked for it from now on.", "success")
    return redirect(_index_url(entry))


@bp.route("/<int:phrase_id>/edit", methods=["GET", "POST"])
@requires(Perm.REFERENCE_DATA_ADMIN)
def edit(phrase_id: int):
    entry = service.get(phrase_id)
    if request.method == "GET":
        values = {"phrase": entry.phrase, "suggestion": entry.suggestion, "why": entry.why or ""}
        return _form_page({}, values, entry)
    try:
        _call(service.update_phrase, phrase_id, request.form)
    except ValidationError as e:
        return _form_page(e.errors, request.form.to_dict(), service.get(phrase_id))
    flash("The phrase has been changed.", "success")
    return redirect(_index_url(entry))


@bp.route("/<int:phrase_id>/deactivate", methods=["POST"])
@requires(Perm.REFERENCE_DATA_ADMIN)
def deactivate(phrase_id: int):
    entry = _call(service.set_active, phrase_id, False)
    flash(f"“{entry.phrase}” is no longer checked for. Notes already saved keep what was flagged.", "success")
    return redirect(_index_url(entry))


@bp.route("/<int:phrase_id>/reactivate", methods=["POST"])
@requires(Perm.REFERENCE_DATA_ADMIN)
def reactivate(phrase_id: int):
    entry = _call(service.set_active, phrase_id, True)
    flash(f"“{entry.phrase}” is checked for again.", "success")
    return redirect(_index_url(entry))


@bp.route("/defaults", methods=["POST"])
@requires(Perm.REFERENCE_DATA_ADMIN)
def defaults():
    added = _call(service.add_starting_list)
    flash(f"{added} phrase{'s' if added != 1 else ''} from the starting list added.", "success")
    return redirect(_index_url())
