"""The signed-in home page: each role sees its own work."""

from flask import Blueprint, render_template
from flask_login import current_user

from mettrack.cases import count_to_reassign
from mettrack.core.permissions import Perm, can, requires
from mettrack.meetings import count_open_actions, my_meetings
from mettrack.reminders import failed_count

bp = Blueprint("main", __name__)


NEXT_MEETINGS = 3  # the next meetings shown on the home page


@bp.route("/")
@requires(Perm.SIGNED_IN)
def home():
    sees_meetings = can(current_user, Perm.MEETING_VIEW)
    return render_template(
        "main/home.html",
        user=current_user,
        cases_to_reassign=count_to_reassign(current_user),
        failed_reminders=failed_count() if can(current_user, Perm.REMINDER_LOG) else 0,
        sees_meetings=sees_meetings,
        next_meetings=my_meetings(current_user).upcoming[:NEXT_MEETINGS] if sees_meetings else [],
        open_actions=count_open_actions(current_user) if sees_meetings else 0,
    )
