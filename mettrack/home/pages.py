"""The signed-in home page: each role sees its own work (home/queues.py, docs/home.md)."""

from flask import Blueprint, render_template
from flask_login import current_user

from mettrack.core.choices import RiskLevel
from mettrack.core.permissions import Perm, can, requires
from mettrack.home import queues
from mettrack.meetings import my_meetings

bp = Blueprint("main", __name__)

NEXT_MEETINGS = 3  # the next meetings shown on the home page


@bp.route("/")
@requires(Perm.SIGNED_IN)
def home():
    sees_meetings = can(current_user, Perm.MEETING_VIEW)
    return render_template(
        "main/home.html",
        user=current_user,
        home=queues.home_for(current_user),
        risk_levels={level.value: level for level in RiskLevel},
        sees_meetings=sees_meetings,
        next_meetings=my_meetings(current_user).upcoming[:NEXT_MEETINGS] if sees_meetings else [],
    )
