"""/api/v1/meetings: the meetings a user reaches; scheduling, changing and cancelling one
(MET chairs); a meeting's calendar file. The same use cases as the pages
(meetings/schedule.py, meetings/ics.py)."""

from datetime import timedelta

from flask import make_response
from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import ApiBlueprint
from mettrack.core.clock import local
from mettrack.core.permissions import Perm, requires
from mettrack.meetings import ics
from mettrack.meetings import recurrence as rules
from mettrack.meetings import schedule as service
from mettrack.meetings.schemas import (
    MeetingCancelSchema,
    MeetingCreateSchema,
    MeetingListArgsSchema,
    MeetingListSchema,
    MeetingSchema,
    MeetingUpdateSchema,
    SeriesCreatedSchema,
    SeriesCreateSchema,
)

blp = ApiBlueprint("api_meetings", __name__, path="/meetings", description="MET meetings: scheduling")

MEETING_ID = "<int:meeting_id>"


def _meeting(meeting) -> dict:
    shown = local(meeting.starts_at)
    return {
        **{c.key: getattr(meeting, c.key) for c in meeting.__table__.columns},
        "ends_at": meeting.starts_at + timedelta(minutes=meeting.duration_minutes),
        "local_date": shown.date(),
        "local_time": shown.strftime("%H:%M"),
        "chair": {"id": meeting.chair.id, "name": meeting.chair.name},
        "members": [{"id": m.user.id, "name": m.user.name} for m in meeting.members],
        "agencies": [{"id": a.agency.id, "name": a.agency.name} for a in meeting.agencies],
    }


@blp.route("")
class Meetings(MethodView):
    @requires(Perm.MEETING_VIEW)
    @blp.arguments(MeetingListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, MeetingListSchema)
    def get(self, args: dict):
        """List the meetings you reach

        A MET chair reaches every meeting; anyone else the meetings they chair or are
        invited to. Upcoming (from today, soonest first) or past (newest first), of one
        series when `series_id` is given.
        """
        meetings = service.meetings_for(
            current_user, past=args["when"] == "past", series_id=args.get("series_id")
        )
        return {"items": [_meeting(m) for m in meetings]}

    @requires(Perm.MEETING_MANAGE)
    @blp.arguments(MeetingCreateSchema, unknown=RAISE)
    @blp.response(201, MeetingSchema)
    def post(self, data: dict):
        """Schedule a meeting

        MET chairs only. `date` and `time` are in Europe/London; a `place` or an
        `online_link` (or both) is needed. The chair must hold the MET chair role and
        invitees must be active users with a case-working role (422 naming the field).
        Audited as meeting.created.
        """
        return _meeting(service.create_meeting(current_user, data))


@blp.route("/series")
class MeetingSeries(MethodView):
    @requires(Perm.MEETING_MANAGE)
    @blp.arguments(SeriesCreateSchema, unknown=RAISE)
    @blp.response(201, SeriesCreatedSchema)
    def post(self, data: dict):
        """Schedule a series of meetings

        MET chairs only. Weekly, fortnightly, four_weekly, or monthly_weekday with
        `weekday` and `week_of_month` ("the second Tuesday": 1, 2; "the last Friday": 4,
        -1). Every meeting is scheduled at once, up to `until_on` or the next 12, each with
        the series' time (Europe/London), place, link, chair and invitees. Audited as
        meeting_series.created.
        """
        series, meetings = service.create_series(current_user, data)
        rule = rules.SeriesRule(
            series.frequency, series.first_on, series.weekday, series.week_of_month, series.until_on
        )
        return {
            "series": {
                **{c.key: getattr(series, c.key) for c in series.__table__.columns},
                "rule": rules.describe(rule),
            },
            "meetings": [_meeting(m) for m in meetings],
        }


@blp.route(f"/{MEETING_ID}")
class MeetingItem(MethodView):
    @requires(Perm.MEETING_VIEW)
    @blp.response(200, MeetingSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, meeting_id: int):
        """Read a meeting

        Its time, place, chair, invited people and agencies and status. 404 for a
        meeting you are not a member of (a MET chair reaches every meeting).
        """
        return _meeting(service.get_meeting(current_user, meeting_id))

    @requires(Perm.MEETING_MANAGE)
    @blp.arguments(MeetingUpdateSchema, unknown=RAISE)
    @blp.response(200, MeetingSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data: dict, meeting_id: int):
        """Change a meeting

        MET chairs only. Send the fields that change (`member_ids` and `agency_ids`
        replace the lists). Moving the meeting (`date`, `time`, `duration_minutes`) or
        changing where it is raises its `ical_sequence`, so calendars update their entry.
        A cancelled meeting is not changed (422 naming `status`). Audited as
        meeting.updated.
        """
        return _meeting(service.update_meeting(current_user, meeting_id, data))


@blp.route(f"/{MEETING_ID}/cancel")
class MeetingCancel(MethodView):
    @requires(Perm.MEETING_MANAGE)
    @blp.arguments(MeetingCancelSchema, unknown=RAISE)
    @blp.response(200, MeetingSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict, meeting_id: int):
        """Cancel a meeting

        MET chairs only, with a `reason`. The meeting stays, with status cancelled; its
        `ical_sequence` goes up and its calendar file becomes a CANCEL. Audited as
        meeting.cancelled.
        """
        return _meeting(service.cancel_meeting(current_user, meeting_id, data["reason"]))


@blp.route(f"/{MEETING_ID}/ics")
class MeetingCalendarFile(MethodView):
    @requires(Perm.MEETING_VIEW)
    @blp.doc(
        responses={
            "200": {
                "description": "The iCalendar file (RFC 5545): METHOD:REQUEST, or CANCEL once cancelled.",
                "content": {"text/calendar": {"schema": {"type": "string"}}},
            }
        }
    )
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, meeting_id: int):
        """Download a meeting's calendar file

        A stable UID and a SEQUENCE that goes up when the meeting moves or is
        cancelled; times in Europe/London with its VTIMEZONE. It names no child.
        """
        meeting, content = ics.calendar_file(current_user, meeting_id)
        response = make_response(content)
        response.mimetype = "text/calendar"
        response.headers["Content-Disposition"] = f'attachment; filename="{ics.filename(meeting)}"'
        return response
