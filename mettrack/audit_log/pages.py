"""Searching the audit log: chairs by user, record and date; admins by user and date.
The querying, the refusal of a record search to admins and the audit row every search
writes live in mettrack/audit_log/search.py.

The user is given by their number (the log shows it after each name). "Find a user" looks
a user up by part of their name or e-mail address: a POST, so that no one's name or
address is put in a URL, listing at most a page of matches, each a link to their entries
(a regional deployment has thousands of users: no drop-down of them all)."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.audit_log import search as audit_search
from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, can, requires
from mettrack.ui.paging import page_arg

bp = Blueprint("audit_log", __name__, url_prefix="/audit")


def _render(args, *, errors=None, page=None, matches=None, more_matches=False, user_text="", status=200):
    values = {name: (args.get(name) or "") for name in audit_search.FIELDS}
    actor = values["actor"].strip()
    by_record = can(current_user, Perm.AUDIT_SEARCH_RECORDS)
    return render_template(
        "audit_log/index.html",
        page=page,
        errors=errors or {},
        values=values,
        # The other filters, for the links that choose a user.
        kept={name: value for name, value in values.items() if value and name != "actor"},
        # isascii: "²".isdigit() is true, and int("²") fails.
        actor_label=audit_search.actor_label(int(actor))
        if actor.isascii() and actor.isdigit() and len(actor) < 10
        else None,
        matches=matches,
        more_matches=more_matches,
        user_text=user_text,
        by_record=by_record,
        record_types=audit_search.record_type_choices() if by_record else [],
    ), status


@bp.route("/")
@requires(Perm.AUDIT_SEARCH)
def index():
    try:
        page = audit_search.search(
            current_user, request.args, page=page_arg(), per_page=current_app.config["PAGE_SIZE"]
        )
    except ValidationError as e:
        return _render(request.args, errors=e.errors, status=400)
    return _render(request.args, page=page)


@bp.route("/users", methods=["POST"])
@requires(Perm.AUDIT_SEARCH)
def find_user():
    """The users whose name or e-mail address contains what was typed; one alone leads
    straight to their entries, with the other filters the form carried."""
    text = request.form.get("user", "")
    try:
        found, more = audit_search.find_users(text)
    except ValidationError as e:
        return _render(request.form, errors=e.errors, user_text=text, status=400)
    if not found:
        errors = {"user": "No user's name or e-mail address contains that: check the spelling"}
        return _render(request.form, errors=errors, user_text=text, status=400)
    if len(found) == 1:
        kept = {name: request.form[name] for name in audit_search.FIELDS if request.form.get(name)}
        return redirect(url_for("audit_log.index", **{**kept, "actor": found[0][0]}))
    return _render(request.form, matches=found, more_matches=more, user_text=text)
