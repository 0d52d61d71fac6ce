"""Scheduling pages: the list, calendar and My meetings; the forms; the overview with its
tabs; change, cancel and the calendar file; the Meetings link in the header."""

import html
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.core.choices import MeetingStatus, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.meetings.models import Meeting, MeetingSeries
from tests import factories
from tests.conftest import post_form
from tests.meetings import factories as meeting_factories

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
FORM = {
    "title": "MET operational group",
    "date-day": "14",
    "date-month": "4",
    "date-year": "2026",
    "time": "10:00",
    "duration_minutes": "90",
    "place": "Civic Offices",
}


@pytest.fixture(autouse=True)
def _clock():
    set_now(NOW)
    yield
    set_now(None)


@pytest.fixture
def chair_id(auth, app_ctx):
    return auth.as_role(Role.MET_CHAIR)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _user(user_id) -> User:
    return db.session.get(User, user_id)


def test_chair_schedules_a_meeting_and_sees_its_overview(client, chair_id):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Robin Lead")
    response = post_form(client, "/meetings/new", FORM | {"member_ids": [str(lead.id)]}, page="/meetings/new")
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    assert meeting.starts_at == datetime(2026, 4, 14, 9, tzinfo=UTC)
    page = _text(client.get(f"/meetings/{meeting.id}"))
    assert "Tuesday 14 April 2026, 10:00 for 90 minutes" in page
    assert "Civic Offices" in page and "Robin Lead" in page and "Scheduled" in page
    for tab, suffix in [("Agenda", "/agenda"), ("Attendance", "/attendance"), ("Minutes", "/minutes")]:
        assert f'href="/meetings/{meeting.id}{suffix}"' in page and tab in page
    assert f'href="/meetings/{meeting.id}/actions"' in page
    assert "Change the meeting" in page and "Cancel the meeting" in page


def test_form_errors_name_each_field_and_save_nothing(client, chair_id):
    bad = {"title": "", "date-day": "31", "date-month": "2", "date-year": "2026", "time": "9am"}
    response = post_form(client, "/meetings/new", bad, page="/meetings/new")
    assert response.status_code == 400
    page = _text(response)
    assert "Enter title" in page and "Date of the meeting must be a real date" in page
    assert "Start time must be a 24-hour time" in page and "Enter the place or the online link" in page
    assert db.session.scalar(select(Meeting)) is None


def test_chair_schedules_a_series_and_sees_it_listed(client, chair_id):
    form = {
        "title": "MET monthly",
        "frequency": "monthly_weekday",
        "weekday": "1",
        "week_of_month": "-1",
        "first_on-day": "1",
        "first_on-month": "3",
        "first_on-year": "2026",
        "until_on-day": "31",
        "until_on-month": "5",
        "until_on-year": "2026",
        "time": "14:00",
        "online_link": "https://meet.example.org/met",
    }
    response = post_form(client, "/meetings/series/new", form, page="/meetings/series/new")
    assert response.status_code == 302
    series = db.session.scalar(select(MeetingSeries))
    assert response.headers["Location"].endswith(f"/meetings?series={series.id}")
    page = _text(client.get(response.headers["Location"]))
    assert "Monthly on the last Tuesday" in page
    # The last Tuesdays of March, April and May 2026, at 14:00 in London.
    for day in ("Tue 31 Mar 2026 at 14:00", "Tue 28 Apr 2026 at 14:00", "Tue 26 May 2026 at 14:00"):
        assert day in page


def test_series_form_names_a_fifth_week(client, chair_id):
    form = {
        "title": "MET",
        "frequency": "monthly_weekday",
        "weekday": "0",
        "week_of_month": "5",
        "time": "10:00",
        "place": "Room",
        "first_on-day": "1",
        "first_on-month": "3",
        "first_on-year": "2026",
    }
    response = post_form(client, "/meetings/series/new", form, page="/meetings/series/new")
    assert response.status_code == 400 and "select the last one instead" in _text(response)


def test_list_shows_upcoming_and_past_and_a_member_sees_only_their_meetings(client, auth, app_ctx):
    chair = factories.user(roles=[Role.MET_CHAIR])
    partner_id = auth.as_role(Role.PARTNER)
    partner = _user(partner_id)
    mine = meeting_factories.meeting(
        chair=chair, members=[partner], title="Mine upcoming", starts_at=datetime(2026, 3, 20, 10, tzinfo=UTC)
    )
    meeting_factories.meeting(
        chair=chair, members=[partner], title="Mine past", starts_at=datetime(2026, 2, 20, 10, tzinfo=UTC)
    )
    meeting_factories.meeting(chair=chair, title="Not mine", starts_at=datetime(2026, 3, 21, 10, tzinfo=UTC))
    upcoming = _text(client.get("/meetings"))
    assert "Mine upcoming" in upcoming and "Mine past" not in upcoming and "Not mine" not in upcoming
    assert "Schedule a meeting" not in upcoming
    past = _text(client.get("/meetings?when=past"))
    assert "Mine past" in past and "Mine upcoming" not in past
    overview = _text(client.get(f"/meetings/{mine.id}"))
    assert "Change the meeting" not in overview and "Cancel the meeting" not in overview
    assert client.get(f"/meetings/{mine.id}/edit").status_code == 403


def test_my_meetings_lists_what_i_chair_or_am_invited_to(client, chair_id):
    me = _user(chair_id)
    other = factories.user(roles=[Role.MET_CHAIR])
    meeting_factories.meeting(chair=me, title="I chair", starts_at=datetime(2026, 3, 5, 10, tzinfo=UTC))
    meeting_factories.meeting(
        chair=other, members=[me], title="I am invited", starts_at=datetime(2026, 3, 6, 10, tzinfo=UTC)
    )
    meeting_factories.meeting(
        chair=other, title="Another chair's", starts_at=datetime(2026, 3, 7, 10, tzinfo=UTC)
    )
    page = _text(client.get("/meetings/mine"))
    assert "I chair" in page and "I am invited" in page and "Another chair's" not in page
    # On the list a MET chair sees every meeting.
    assert "Another chair's" in _text(client.get("/meetings"))


def test_month_calendar_places_meetings_on_their_london_day(client, chair_id):
    me = _user(chair_id)
    # 23:30 UTC on 31 March is 00:30 on 1 April in London (BST).
    late = meeting_factories.meeting(
        chair=me, title="Late one", starts_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    )
    page = _text(client.get("/meetings/calendar?month=2026-04"))
    assert "Meetings in April 2026" in page
    cell = page.split('id="day-2026-04-01"')[1].split("</td>")[0]
    assert "00:30 Late one" in cell and f"/meetings/{late.id}" in cell
    assert "Late one" not in _text(client.get("/meetings/calendar?month=2026-03"))


@pytest.mark.parametrize("month", ["2026-13", "march", "0000-01", "2026-3"])
def test_month_calendar_refuses_a_bad_month_by_name(client, chair_id, month):
    response = client.get(f"/meetings/calendar?month={month}")
    assert response.status_code == 400 and "Month must be a year and month" in _text(response)


def test_chair_changes_the_time_and_the_sequence_goes_up(client, chair_id):
    meeting = meeting_factories.meeting(chair=_user(chair_id))
    page = f"/meetings/{meeting.id}/edit"
    form_page = _text(client.get(page))
    assert 'value="MET operational group"' in form_page
    response = post_form(client, page, FORM | {"time": "11:00", "version": str(meeting.version)}, page=page)
    assert response.status_code == 302
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.starts_at == datetime(2026, 4, 14, 10, tzinfo=UTC) and meeting.ical_sequence == 1


def test_a_stale_edit_is_refused_and_kept(client, chair_id):
    meeting = meeting_factories.meeting(chair=_user(chair_id))
    page = f"/meetings/{meeting.id}/edit"
    response = post_form(client, page, FORM | {"version": "99"}, page=page)
    assert response.status_code == 400 and "changed by someone else" in _text(response)


def test_chair_cancels_with_a_reason(client, chair_id):
    meeting = meeting_factories.meeting(chair=_user(chair_id))
    page = f"/meetings/{meeting.id}"
    refused = post_form(client, f"{page}/cancel", {"reason": ""}, page=page)
    assert refused.status_code == 400 and "Enter reason for cancelling" in _text(refused)
    response = post_form(client, f"{page}/cancel", {"reason": "Room not available"}, page=page)
    assert response.status_code == 302
    shown = _text(client.get(page))
    assert "Cancelled" in shown and "Room not available" in shown and "Change the meeting" not in shown
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.CANCELLED


def test_members_download_the_calendar_file_and_outsiders_get_404(client, auth, app_ctx):
    chair = factories.user(roles=[Role.MET_CHAIR])
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    mine = meeting_factories.meeting(chair=chair, members=[_user(lead_id)])
    hidden = meeting_factories.meeting(chair=chair)
    response = client.get(f"/meetings/{mine.id}/meeting.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(event["UID"]) == mine.ical_uid
    assert client.get(f"/meetings/{hidden.id}/meeting.ics").status_code == 404
    assert client.get(f"/meetings/{hidden.id}").status_code == 404


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_roles_without_meeting_view_get_403_and_no_header_link(client, auth, app_ctx, role):
    auth.as_role(role)
    assert client.get("/meetings").status_code == 403
    assert 'href="/meetings"' not in _text(client.get("/"))


@pytest.mark.parametrize("role", [Role.LEAD_PROFESSIONAL, Role.COORDINATOR, Role.PARTNER, Role.MET_CHAIR])
def test_case_working_roles_have_the_meetings_link_and_my_meetings(client, auth, app_ctx, role):
    auth.as_role(role)
    assert 'href="/meetings"' in _text(client.get("/"))
    assert client.get("/meetings/mine").status_code == 200
    assert client.get("/meetings/new").status_code == (200 if role == Role.MET_CHAIR else 403)
