"""The signed-in home page: each role sees its own work."""

from flask import Blueprint, render_template
from flask_login import current_user

from mettrack.cases import count_to_reassign
from mettrack.core.permissions import Perm, can, requires
from mettrack.reminders import failed_count

bp = Blueprint("main", __name__)


@bp.route("/")
@requires(Perm.SIGNED_IN)
def home():
    return render_template(
        "main/home.html",
        user=current_user,
        cases_to_reassign=count_to_reassign(current_user),
        failed_reminders=failed_count() if can(current_user, Perm.REMINDER_LOG) else 0,
    )
