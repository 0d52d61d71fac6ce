"""The MET chair's reminder log and "send again". Thin: the querying, the rules of a
resend and the audit rows live in mettrack/reminders/log.py. Nothing here calls
the broker: a resent reminder goes out with the next scan."""

import math

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, requires
from mettrack.reminders import log as service
from mettrack.reminders.rules import ReminderState
from mettrack.ui.paging import page_arg

bp = Blueprint("reminder_log", __name__, url_prefix="/reminders")


@bp.route("/")
@requires(Perm.REMINDER_LOG)
def index():
    state = request.args.get("state", "")
    errors, page = {}, None
    try:
        page = service.log(current_user, state, page=page_arg(), per_page=current_app.config["PAGE_SIZE"])
    except ValidationError as e:
        errors = e.errors
    return render_template(
        "reminder_log/index.html",
        page=page,
        errors=errors,
        state=state,
        states=ReminderState.choices(),
    ), (400 if errors else 200)


def scan_minutes() -> int:
    return max(1, math.ceil(current_app.config["REMINDER_SCAN_SECONDS"] / 60))


@bp.route("/<int:reminder_id>/resend", methods=["POST"])
@requires(Perm.REMINDER_LOG)
def resend(reminder_id: int):
    try:
        reminder = service.resend(current_user, reminder_id)
    except service.ResendRefused as e:
        flash(str(e))
    else:
        flash(
            f"Reminder {reminder.id} will be sent again to {reminder.recipient.name}. It will go out at "
            f"the next reminder scan (within {scan_minutes()} minutes).",
            "success",
        )
    # Back to the list as the chair filtered it (the form carries the filter).
    state = request.form.get("state", "")
    back = state if state in ReminderState.values() else None
    return redirect(url_for("reminder_log.index", state=back))
