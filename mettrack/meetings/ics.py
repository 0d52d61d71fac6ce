"""A meeting's iCalendar file (RFC 5545), for invitees to add to their calendars.

The UID never changes (Meeting.ical_uid, made when the meeting is scheduled) and the
SEQUENCE goes up each time the meeting moves or is cancelled (meetings/schedule.py), so a
calendar replaces its entry rather than adding a second one. A cancelled meeting's file is
a CANCEL. Times are given in Europe/London with the zone's VTIMEZONE, as people read them.

The file names no child and no case: a title, a time, a place, the chair and the invited
people, and a link into the app, where the agenda is behind sign-in.
"""

from datetime import timedelta

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

from mettrack.core.clock import LONDON, now
from mettrack.core.permissions import Perm
from mettrack.meetings.membership import meeting_for
from mettrack.meetings.models import Meeting

PRODID = "-//METtrack//MET meetings//EN"


def meeting_url(meeting: Meeting, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/meetings/{meeting.id}"


def _address(user) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = vText(user.name)
    return address


def build(meeting: Meeting, base_url: str) -> bytes:
    """The .ics bytes of `meeting`: METHOD:REQUEST, or METHOD:CANCEL with STATUS:CANCELLED
    once it is cancelled."""
    cancelled = meeting.is_cancelled
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", meeting.ical_uid)
    event.add("sequence", meeting.ical_sequence)
    event.add("dtstamp", now())
    start = meeting.starts_at.astimezone(LONDON)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", meeting.title)
    where = meeting.place or meeting.online_link
    if where:
        event.add("location", where)
    url = meeting_url(meeting, base_url)
    event.add("url", url)
    lines = ["MET meeting. The agenda is in METtrack (sign in to read it):", url]
    if meeting.online_link:
        lines += ["Join online:", meeting.online_link]
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if meeting.chair is not None:
        event.add("organizer", _address(meeting.chair))
    for member in meeting.members:
        event.add("attendee", _address(member.user))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def filename(meeting: Meeting) -> str:
    return f"meeting-{meeting.id}.ics"


def calendar_file(user, meeting_id: int) -> tuple[Meeting, bytes]:
    """Who: meeting.view, a member of the meeting (or any MET chair). The meeting's .ics."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_VIEW, "meeting.ics")
    return meeting, build(meeting, current_app.config["APP_BASE_URL"])
