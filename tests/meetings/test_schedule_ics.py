"""A meeting's iCalendar file (meetings/ics.py): it imports, keeps its UID, follows the
meeting's moves with SEQUENCE, becomes a CANCEL, and names no child."""

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from mettrack.core.choices import Role
from mettrack.core.clock import LONDON, set_now
from mettrack.meetings import create_meeting, ics, schedule
from tests import factories

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def chair(app_ctx):
    set_now(NOW)
    yield factories.user(roles=[Role.MET_CHAIR])
    set_now(None)


def _event(data: bytes):
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def _meeting(chair, **changes):
    data = {"title": "MET operational group", "date": "2026-04-14", "time": "10:00", "place": "Civic Offices"}
    return create_meeting(chair, data | changes)


def test_the_file_imports_with_uid_sequence_and_london_times(chair, app):
    meeting = _meeting(chair, duration_minutes="90")
    _, data = ics.calendar_file(chair, meeting.id)
    calendar, event = _event(data)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == meeting.ical_uid
    assert int(event["SEQUENCE"]) == 0
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == datetime(2026, 4, 14, 9, tzinfo=UTC)  # 10:00 BST
    assert start.astimezone(LONDON).hour == 10 and (end - start).total_seconds() == 90 * 60
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/London"
    assert str(event["SUMMARY"]) == "MET operational group"
    assert str(event["LOCATION"]) == "Civic Offices"
    assert str(event["URL"]) == f"{app.config['APP_BASE_URL'].rstrip('/')}/meetings/{meeting.id}"


def test_moving_keeps_the_uid_and_raises_the_sequence(chair):
    meeting = _meeting(chair)
    uid = meeting.ical_uid
    schedule.update_meeting(chair, meeting.id, {"date": "2026-04-21"})
    _, event = _event(ics.calendar_file(chair, meeting.id)[1])
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == datetime(2026, 4, 21, 9, tzinfo=UTC)


def test_a_cancelled_meeting_is_a_cancel(chair):
    meeting = _meeting(chair)
    schedule.cancel_meeting(chair, meeting.id, "Room not available")
    calendar, event = _event(ics.calendar_file(chair, meeting.id)[1])
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1


def test_the_file_names_no_child(chair):
    kid = factories.child(first_name="Zebedee", last_name="Quillfeather")
    factories.case(child_obj=kid)
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    meeting = _meeting(chair, member_ids=[lead.id], online_link="https://meet.example.org/met")
    text = ics.calendar_file(chair, meeting.id)[1].decode()
    assert "Zebedee" not in text and "Quillfeather" not in text
    assert "BEGIN:VEVENT" in text and lead.email in text
