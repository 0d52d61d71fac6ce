"""Searching the audit log: chairs by user, record and date; admins by user and date."""

from flask import Blueprint, render_template

from mettrack.permissions import Perm, requires

bp = Blueprint("audit_log", __name__, url_prefix="/audit")


@bp.route("/")
@requires(Perm.AUDIT_SEARCH)
def index():
    return render_template("audit_log/index.html", rows=[])
