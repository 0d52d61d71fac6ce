"""The attendance page of a meeting: /meetings/<id>/attendance.

The chair records each person's attendance (a member, or someone by name and agency;
an observer only once they have signed the confidentiality statement shown on the
page); the members may read it. The quorum is shown above the sheet.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.core.choices import AttendanceStatus
from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, can, requires
from mettrack.meetings import attendance as service

bp = Blueprint("meeting_attendance", __name__, url_prefix="/meetings/<int:meeting_id>")

FIELDS = ("user_id", "name", "agency_id", "status", "information_sent", "observer", "confidentiality_signed")


def _page(meeting_id: int, errors: dict | None = None, values: dict | None = None):
    sheet = service.sheet_for(current_user, meeting_id)
    return render_template(
        "meetings/attendance.html",
        sheet=sheet,
        errors=errors or {},
        values=values or {},
        statuses=AttendanceStatus.choices(),
        may_record=can(current_user, Perm.MEETING_MANAGE),
        tab="attendance",
    ), (400 if errors else 200)


@bp.get("/attendance")
@requires(Perm.MEETING_VIEW)
def show(meeting_id: int):
    return _page(meeting_id)


@bp.post("/attendance")
@requires(Perm.MEETING_MANAGE)
def record(meeting_id: int):
    data = {name: request.form.get(name, "") for name in FIELDS}
    try:
        service.record(current_user, meeting_id, data)
    except ValidationError as e:
        return _page(meeting_id, e.errors, request.form.to_dict())
    flash("Attendance recorded.", "success")
    return redirect(url_for("meeting_attendance.show", meeting_id=meeting_id))
