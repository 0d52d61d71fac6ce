"""MET meetings, scheduling: the meetings list, calendar and My meetings, the forms for a
meeting and a series, a meeting's overview, change, cancel and calendar file; the same in
the API. {meeting} is chaired by the test MET chair with every other test user invited;
{hidden_meeting} has no test user (tests/access/meetings.py)."""

from mettrack.core.choices import Role
from tests.access import CASE_ROLES, Route

CHAIR = frozenset({Role.MET_CHAIR})
MEMBER = dict(allowed=CASE_ROLES, need_to_know=True)
MANAGE = dict(allowed=CHAIR, need_to_know=True)
BASE = "/meetings/{meeting}"
API = "/api/v1/meetings"

# The form a page posts: the chair is the signed-in MET chair when left out.
MEETING_FORM = {
    "title": "MET operational group",
    "date-day": "14",
    "date-month": "4",
    "date-year": "2026",
    "time": "10:00",
    "duration_minutes": "120",
    "place": "Civic Offices",
}
SERIES_FORM = {
    "title": "MET monthly",
    "frequency": "monthly_weekday",
    "weekday": "1",
    "week_of_month": "2",
    "first_on-day": "1",
    "first_on-month": "4",
    "first_on-year": "2026",
    "until_on-day": "30",
    "until_on-month": "6",
    "until_on-year": "2026",
    "time": "10:00",
    "place": "Civic Offices",
}
MEETING_JSON = {
    "title": "MET operational group",
    "date": "2026-04-14",
    "time": "10:00",
    "place": "Civic Offices",
}
SERIES_JSON = {
    "title": "MET fortnightly",
    "frequency": "fortnightly",
    "first_on": "2026-04-07",
    "time": "10:00",
    "online_link": "https://meet.example.org/met",
}

ROUTES = [
    Route("GET", "meetings.index", "/meetings", allowed=CASE_ROLES),
    Route("GET", "meetings.calendar", "/meetings/calendar", allowed=CASE_ROLES),
    Route("GET", "meetings.mine", "/meetings/mine", allowed=CASE_ROLES),
    Route("GET", "meetings.new", "/meetings/new", allowed=CHAIR),
    Route("POST", "meetings.new", "/meetings/new", allowed=CHAIR, ok=302, data=MEETING_FORM),
    Route("GET", "meetings.new_series", "/meetings/series/new", allowed=CHAIR),
    Route("POST", "meetings.new_series", "/meetings/series/new", allowed=CHAIR, ok=302, data=SERIES_FORM),
    Route("GET", "meetings.detail", BASE, **MEMBER),
    Route("GET", "meetings.calendar_file", BASE + "/meeting.ics", **MEMBER),
    Route("GET", "meetings.edit", BASE + "/edit", **MANAGE),
    Route("POST", "meetings.edit", BASE + "/edit", ok=302, data=MEETING_FORM, **MANAGE),
    Route(
        "POST", "meetings.cancel", BASE + "/cancel", ok=302, data={"reason": "Room not available"}, **MANAGE
    ),
    Route("GET", "api_meetings.Meetings", API, allowed=CASE_ROLES, api=True),
    Route("POST", "api_meetings.Meetings", API, allowed=CHAIR, ok=201, data=MEETING_JSON, api=True),
    Route(
        "POST",
        "api_meetings.MeetingSeries",
        API + "/series",
        allowed=CHAIR,
        ok=201,
        data=SERIES_JSON,
        api=True,
    ),
    Route("GET", "api_meetings.MeetingItem", API + "/{meeting}", api=True, **MEMBER),
    Route(
        "PATCH", "api_meetings.MeetingItem", API + "/{meeting}", data={"place": "Room 2"}, api=True, **MANAGE
    ),
    Route(
        "POST",
        "api_meetings.MeetingCancel",
        API + "/{meeting}/cancel",
        data={"reason": "Room not available"},
        api=True,
        **MANAGE,
    ),
    Route("GET", "api_meetings.MeetingCalendarFile", API + "/{meeting}/ics", api=True, **MEMBER),
]
