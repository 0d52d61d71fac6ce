"""Searching the audit log: chairs by user, record and date; admins by user and date.
The querying, the refusal of a record search to admins and the audit row every search
writes live in mettrack/audit_log/search.py."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from mettrack.audit_log import search as audit_search
from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, can, requires
from mettrack.ui.paging import page_arg

bp = Blueprint("audit_log", __name__, url_prefix="/audit")


@bp.route("/")
@requires(Perm.AUDIT_SEARCH)
def index():
    errors, page = {}, None
    try:
        page = audit_search.search(
            current_user, request.args, page=page_arg(), per_page=current_app.config["PAGE_SIZE"]
        )
    except ValidationError as e:
        errors = e.errors
    return render_template(
        "audit_log/index.html",
        page=page,
        errors=errors,
        values={name: request.args.get(name, "") for name in audit_search.FIELDS},
        by_record=can(current_user, Perm.AUDIT_SEARCH_RECORDS),
        actors=audit_search.actor_choices(),
        record_types=audit_search.record_type_choices()
        if can(current_user, Perm.AUDIT_SEARCH_RECORDS)
        else [],
    ), (400 if errors else 200)
