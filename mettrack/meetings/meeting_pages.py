"""Pages for scheduling MET meetings: the meetings list and month calendar, "My meetings",
the forms for a meeting and a series (MET chairs), a meeting's overview with its tabs,
changing and cancelling it, and its calendar file (docs/meetings-schedule.md).

Each view parses the request, calls one use case (meetings/schedule.py, meetings/ics.py)
and renders. Dates and times are typed in Europe/London time; the use cases read them.
"""

import re
from datetime import date

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.core.choices import MeetingFrequency, MeetingStatus
from mettrack.core.clock import local, today
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.form_input import date_parts
from mettrack.core.permissions import Perm, can, requires
from mettrack.meetings import ics
from mettrack.meetings import recurrence as rules
from mettrack.meetings import schedule as service

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

DATE_FIELDS = ("date", "first_on", "until_on")
LIST_FIELDS = ("member_ids", "agency_ids")
MEETING_FORM = (*service.MEETING_FIELDS, *LIST_FIELDS)
SERIES_FORM = (*service.SERIES_FIELDS, *LIST_FIELDS)
_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
WEEKDAYS = [(str(i), name) for i, name in enumerate(rules.WEEKDAY_LABELS)]
WEEKS_OF_MONTH = [(str(n), label) for n, label in rules.WEEK_OF_MONTH_LABELS.items()]


def _form_data(fields) -> dict:
    data = {}
    for name in fields:
        if name in DATE_FIELDS:
            data[name] = date_parts(request.form, name)
        elif name in LIST_FIELDS:
            data[name] = request.form.getlist(name)
        else:
            data[name] = request.form.get(name, "")
    return data


def _ordered(errors: dict, fields) -> dict:
    return {f: errors[f] for f in fields if f in errors} | {
        f: m for f, m in errors.items() if f not in fields
    }


def _form_values() -> dict:
    values = request.form.to_dict()
    for name in LIST_FIELDS:
        values[name] = request.form.getlist(name)
    return values


def _render_form(template: str, fields, errors: dict, values: dict, **context):
    errors = _ordered(errors, fields)
    anchors = {name: f"{name}-day" for name in DATE_FIELDS}
    anchors |= {"member_ids": "member_ids", "agency_ids": "agency_ids", "status": "title"}
    return render_template(
        template,
        errors=errors,
        values=values,
        anchors=anchors,
        choices=service.form_choices(current_user),
        frequencies=MeetingFrequency.choices(),
        weekdays=WEEKDAYS,
        weeks_of_month=WEEKS_OF_MONTH,
        **context,
    ), (400 if errors else 200)


def _date_values(name: str, day: date | None) -> dict:
    if day is None:
        return {}
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


# --- lists


@bp.route("")
@requires(Perm.MEETING_VIEW)
def index():
    past = request.args.get("when") == "past"
    series_id = request.args.get("series", type=int)
    if series_id is not None and not 1 <= series_id <= 2**31 - 1:
        series_id = None
    series = service.series_of(current_user, series_id) if series_id else None
    meetings = service.meetings_for(current_user, past=past, series_id=series.id if series else None)
    return render_template(
        "meetings/index.html",
        meetings=meetings,
        past=past,
        series=series,
        series_rule=_rule_of(series) if series else None,
        may_schedule=can(current_user, Perm.MEETING_MANAGE),
        statuses=MeetingStatus,
    )


def _rule_of(series) -> str:
    return rules.describe(
        rules.SeriesRule(
            series.frequency, series.first_on, series.weekday, series.week_of_month, series.until_on
        )
    )


@bp.route("/calendar")
@requires(Perm.MEETING_VIEW)
def calendar():
    errors = {}
    shown = today()
    asked = request.args.get("month")
    if asked:
        found = _MONTH.fullmatch(asked.strip())
        if found and 1 <= int(found[2]) <= 12 and 1900 <= int(found[1]) <= 9998:
            shown = date(int(found[1]), int(found[2]), 1)
        else:
            errors["month"] = "Month must be a year and month, like 2026-03"
    month = service.month_of(current_user, shown.year, shown.month)
    return render_template(
        "meetings/calendar.html",
        month=month,
        today=today(),
        errors=errors,
        may_schedule=can(current_user, Perm.MEETING_MANAGE),
    ), (400 if errors else 200)


@bp.route("/mine")
@requires(Perm.MEETING_VIEW)
def mine():
    return render_template(
        "meetings/mine.html", mine=service.my_meetings(current_user), statuses=MeetingStatus
    )


# --- scheduling


@bp.route("/new", methods=["GET", "POST"])
@requires(Perm.MEETING_MANAGE)
def new():
    errors, values = {}, {"chair_id": str(current_user.id), "time": "10:00", "duration_minutes": "120"}
    if request.method == "POST":
        values = _form_values()
        try:
            meeting = service.create_meeting(current_user, _form_data(MEETING_FORM))
        except ValidationError as e:
            errors = e.errors
        else:
            flash("The meeting has been scheduled.", "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return _render_form("meetings/meeting_form.html", MEETING_FORM, errors, values, meeting=None)


@bp.route("/series/new", methods=["GET", "POST"])
@requires(Perm.MEETING_MANAGE)
def new_series():
    errors = {}
    values = {
        "chair_id": str(current_user.id),
        "time": "10:00",
        "duration_minutes": "120",
        "frequency": "monthly_weekday",
    }
    if request.method == "POST":
        values = _form_values()
        try:
            series, meetings = service.create_series(current_user, _form_data(SERIES_FORM))
        except ValidationError as e:
            errors = e.errors
        else:
            flash(f"The series has been scheduled: {len(meetings)} meetings.", "success")
            return redirect(url_for("meetings.index", series=series.id))
    return _render_form("meetings/series_form.html", SERIES_FORM, errors, values)


# --- one meeting


def _overview(meeting, errors=None, values=None):
    return render_template(
        "meetings/detail.html",
        meeting=meeting,
        starts=local(meeting.starts_at),
        statuses=MeetingStatus,
        may_manage=can(current_user, Perm.MEETING_MANAGE),
        errors=errors or {},
        values=values or {},
        tab="overview",
    ), (400 if errors else 200)


@bp.route("/<int:meeting_id>")
@requires(Perm.MEETING_VIEW)
def detail(meeting_id: int):
    return _overview(service.get_meeting(current_user, meeting_id))


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@requires(Perm.MEETING_MANAGE)
def edit(meeting_id: int):
    meeting = service.get_meeting(current_user, meeting_id)
    shown = local(meeting.starts_at)
    values = {
        **_date_values("date", shown.date()),
        "title": meeting.title,
        "time": shown.strftime("%H:%M"),
        "duration_minutes": str(meeting.duration_minutes),
        "place": meeting.place or "",
        "online_link": meeting.online_link or "",
        "chair_id": str(meeting.chair_id),
        "member_ids": [str(m.user_id) for m in meeting.members],
        "agency_ids": [str(a.agency_id) for a in meeting.agencies],
        "version": str(meeting.version),
    }
    errors = {}
    if request.method == "POST":
        values = _form_values()
        data = _form_data(MEETING_FORM) | {"version": request.form.get("version", "")}
        try:
            service.update_meeting(current_user, meeting_id, data)
        except ValidationError as e:
            errors = e.errors
        except Conflict as e:
            errors = {"title": str(e)}
        else:
            flash("The meeting has been changed.", "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting_id))
    return _render_form("meetings/meeting_form.html", MEETING_FORM, errors, values, meeting=meeting)


@bp.route("/<int:meeting_id>/cancel", methods=["POST"])
@requires(Perm.MEETING_MANAGE)
def cancel(meeting_id: int):
    reason = request.form.get("reason", "")
    try:
        service.cancel_meeting(current_user, meeting_id, reason)
    except ValidationError as e:
        return _overview(service.get_meeting(current_user, meeting_id), e.errors, {"reason": reason})
    flash(
        "The meeting has been cancelled. Invitees can update their calendars from its calendar file.",
        "success",
    )
    return redirect(url_for("meetings.detail", meeting_id=meeting_id))


@bp.route("/<int:meeting_id>/meeting.ics")
@requires(Perm.MEETING_VIEW)
def calendar_file(meeting_id: int):
    meeting, content = ics.calendar_file(current_user, meeting_id)
    response = make_response(content)
    response.mimetype = "text/calendar"
    response.headers["Content-Disposition"] = f'attachment; filename="{ics.filename(meeting)}"'
    response.headers["Cache-Control"] = "no-store"
    return response
