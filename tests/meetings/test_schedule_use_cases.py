"""Scheduling use cases (meetings/schedule.py): one meeting, a series, moving, cancelling,
inviting; the reads behind the list, the calendar and "My meetings"."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import MeetingStatus, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import Conflict, NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.meetings import create_meeting, create_series, schedule
from mettrack.meetings.models import Meeting, MeetingSeries, SeriesAgency, SeriesMember
from tests import factories
from tests.meetings import factories as meeting_factories

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def chair(app_ctx):
    set_now(NOW)
    yield factories.user(roles=[Role.MET_CHAIR])
    set_now(None)


def _meeting_data(**changes) -> dict:
    return {
        "title": "MET operational group",
        "date": "2026-03-10",
        "time": "10:00",
        "place": "Civic Offices",
    } | changes


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _audit(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
    )


def test_create_meeting_saves_london_time_in_utc_with_a_uid(chair):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    meeting = create_meeting(chair, _meeting_data(date="2026-04-14", member_ids=[lead.id]))
    db.session.expire_all()
    saved = db.session.get(Meeting, meeting.id)
    assert saved.starts_at == datetime(2026, 4, 14, 9, tzinfo=UTC)  # 10:00 BST
    assert saved.chair_id == chair.id and saved.status == MeetingStatus.SCHEDULED
    assert saved.ical_uid.startswith("meeting-") and "@" in saved.ical_uid
    assert [m.user_id for m in saved.members] == [lead.id]
    rows = _audit("meeting.created")
    assert rows[0].record_id == str(meeting.id) and json.loads(rows[0].detail)["member_ids"] == [lead.id]


def test_create_meeting_names_each_bad_field_and_saves_nothing(chair):
    analyst = factories.user(roles=[Role.ANALYST])
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    with pytest.raises(ValidationError) as refused:
        create_meeting(
            chair,
            {
                "title": " ",
                "date": "2026-02-30",
                "time": "25:00",
                "chair_id": lead.id,
                "member_ids": [analyst.id],
            },
        )
    assert set(refused.value.errors) == {"title", "date", "time", "place", "chair_id", "member_ids"}
    assert "MET chair" in refused.value.errors["chair_id"]
    assert _count(Meeting) == 0


def test_place_or_online_link_is_enough_and_a_link_must_be_a_web_address(chair):
    create_meeting(chair, _meeting_data(place="", online_link="https://meet.example.org/met"))
    with pytest.raises(ValidationError) as refused:
        create_meeting(chair, _meeting_data(place="", online_link="javascript:alert(1)"))
    assert set(refused.value.errors) == {"online_link"}


def test_invitees_must_be_active(chair):
    gone = factories.user(roles=[Role.PARTNER], active=False)
    with pytest.raises(ValidationError) as refused:
        create_meeting(chair, _meeting_data(member_ids=[gone.id]))
    assert set(refused.value.errors) == {"member_ids"}


def test_only_a_met_chair_schedules(chair):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    with pytest.raises(NotAllowed):
        create_meeting(lead, _meeting_data())
    assert _count(Meeting) == 0


def test_series_monthly_on_the_second_tuesday_copies_time_place_chair_and_invitees(chair):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    agency = lead.agency
    series, meetings = create_series(
        chair,
        {
            "title": "MET monthly",
            "frequency": "monthly_weekday",
            "weekday": "1",
            "week_of_month": "2",
            "first_on": "2026-03-01",
            "until_on": "2026-06-30",
            "time": "14:00",
            "online_link": "https://meet.example.org/met",
            "member_ids": [lead.id],
            "agency_ids": [agency.id],
        },
    )
    assert [m.starts_at for m in meetings] == [
        datetime(2026, 3, 10, 14, tzinfo=UTC),  # GMT
        datetime(2026, 4, 14, 13, tzinfo=UTC),  # BST
        datetime(2026, 5, 12, 13, tzinfo=UTC),
        datetime(2026, 6, 9, 13, tzinfo=UTC),
    ]
    assert {m.series_id for m in meetings} == {series.id}
    assert all(m.online_link == "https://meet.example.org/met" and m.chair_id == chair.id for m in meetings)
    assert all([x.user_id for x in m.members] == [lead.id] for m in meetings)
    assert all([a.agency_id for a in m.agencies] == [agency.id] for m in meetings)
    assert len({m.ical_uid for m in meetings}) == 4
    assert _count(SeriesMember) == 1 and _count(SeriesAgency) == 1
    assert json.loads(_audit("meeting_series.created")[0].detail)["meeting_ids"] == [m.id for m in meetings]


def test_series_without_an_end_schedules_twelve(chair):
    _, meetings = create_series(
        chair,
        {
            "title": "MET",
            "frequency": "fortnightly",
            "first_on": "2026-03-03",
            "time": "10:00",
            "place": "Room 1",
        },
    )
    assert len(meetings) == 12 and _count(Meeting) == 12


def test_series_refuses_a_fifth_weekday_naming_the_field(chair):
    with pytest.raises(ValidationError) as refused:
        create_series(
            chair,
            {
                "title": "MET",
                "frequency": "monthly_weekday",
                "weekday": 0,
                "week_of_month": 5,
                "first_on": "2026-03-01",
                "time": "10:00",
                "place": "Room 1",
            },
        )
    assert set(refused.value.errors) == {"week_of_month"}
    assert _count(MeetingSeries) == 0 and _count(Meeting) == 0


def test_series_refuses_an_unknown_frequency(chair):
    with pytest.raises(ValidationError) as refused:
        create_series(
            chair,
            {"title": "MET", "frequency": "daily", "first_on": "2026-03-01", "time": "10:00", "place": "X"},
        )
    assert set(refused.value.errors) == {"frequency"}


def test_moving_a_meeting_raises_its_sequence_and_a_title_change_does_not(chair):
    meeting = create_meeting(chair, _meeting_data())
    schedule.update_meeting(chair, meeting.id, {"title": "MET operational group (March)"})
    assert meeting.ical_sequence == 0
    schedule.update_meeting(chair, meeting.id, {"time": "11:30"})
    assert meeting.ical_sequence == 1 and meeting.starts_at == datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
    schedule.update_meeting(chair, meeting.id, {"place": "Room 2"})
    assert meeting.ical_sequence == 2
    details = [json.loads(r.detail)["fields"] for r in _audit("meeting.updated")]
    assert details == [["title"], ["starts_at"], ["place"]]


def test_update_with_a_stale_version_is_a_conflict(chair):
    meeting = create_meeting(chair, _meeting_data())
    schedule.update_meeting(chair, meeting.id, {"title": "Changed"})
    with pytest.raises(Conflict):
        schedule.update_meeting(chair, meeting.id, {"title": "Again", "version": 1})


def test_update_can_change_invitees(chair):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    partner = factories.user(roles=[Role.PARTNER])
    meeting = create_meeting(chair, _meeting_data(member_ids=[lead.id]))
    schedule.update_meeting(chair, meeting.id, {"member_ids": [partner.id]})
    assert [m.user_id for m in meeting.members] == [partner.id]


def test_cancel_needs_a_reason_then_raises_the_sequence(chair):
    meeting = create_meeting(chair, _meeting_data())
    with pytest.raises(ValidationError) as refused:
        schedule.cancel_meeting(chair, meeting.id, "  ")
    assert set(refused.value.errors) == {"reason"}
    schedule.cancel_meeting(chair, meeting.id, "Room not available")
    assert meeting.status == MeetingStatus.CANCELLED and meeting.ical_sequence == 1
    assert meeting.cancelled_reason == "Room not available"
    with pytest.raises(ValidationError):
        schedule.update_meeting(chair, meeting.id, {"title": "Back on"})
    assert len(_audit("meeting.cancelled")) == 1


def test_invite_and_uninvite(chair):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    meeting = create_meeting(chair, _meeting_data())
    schedule.invite(chair, meeting.id, member_ids=[lead.id, chair.id], agency_ids=[lead.agency_id])
    assert [m.user_id for m in meeting.members] == [lead.id]  # the chair needs no row
    schedule.uninvite(chair, meeting.id, member_ids=[lead.id], agency_ids=[lead.agency_id])
    assert meeting.members == [] and meeting.agencies == []


def test_a_non_member_gets_not_found_and_a_member_the_meeting(chair):
    member = factories.user(roles=[Role.PARTNER])
    outsider = factories.user(roles=[Role.PARTNER])
    meeting = meeting_factories.meeting(chair=chair, members=[member])
    assert schedule.get_meeting(member, meeting.id).id == meeting.id
    with pytest.raises(NotFound):
        schedule.get_meeting(outsider, meeting.id)
    with pytest.raises(NotAllowed):
        schedule.get_meeting(factories.user(roles=[Role.ANALYST]), meeting.id)


def test_lists_upcoming_past_series_calendar_and_mine(chair):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    other_chair = factories.user(roles=[Role.MET_CHAIR])
    past = meeting_factories.meeting(
        chair=chair, members=[lead], starts_at=datetime(2026, 2, 10, 10, tzinfo=UTC)
    )
    today = meeting_factories.meeting(
        chair=chair, members=[lead], starts_at=datetime(2026, 3, 2, 8, tzinfo=UTC)
    )
    later = meeting_factories.meeting(chair=other_chair, starts_at=datetime(2026, 3, 20, 10, tzinfo=UTC))
    series, in_series = create_series(
        chair,
        {
            "title": "S",
            "frequency": "weekly",
            "first_on": "2026-03-05",
            "until_on": "2026-03-12",
            "time": "10:00",
            "place": "P",
            "member_ids": [lead.id],
        },
    )
    assert [m.id for m in schedule.meetings_for(lead)] == [today.id, *[m.id for m in in_series]]
    assert [m.id for m in schedule.meetings_for(lead, past=True)] == [past.id]
    assert later.id in [m.id for m in schedule.meetings_for(other_chair)]  # a chair reaches every meeting
    assert [m.id for m in schedule.meetings_for(chair, series_id=series.id)] == [m.id for m in in_series]
    assert schedule.series_of(lead, series.id).id == series.id
    assert schedule.series_of(factories.user(roles=[Role.PARTNER]), series.id) is None
    month = schedule.month_of(lead, 2026, 3)
    assert [m.id for m in month.by_day[date(2026, 3, 5)]] == [in_series[0].id]
    assert date(2026, 3, 20) not in month.by_day  # not the lead's meeting
    assert (month.previous, month.next) == (date(2026, 2, 1), date(2026, 4, 1))
    mine = schedule.my_meetings(other_chair)
    assert [m.id for m in mine.upcoming] == [later.id] and mine.past == []


def test_a_change_that_leaves_invitees_alone_does_not_check_them_again(chair):
    partner = factories.user(roles=[Role.PARTNER])
    meeting = create_meeting(chair, _meeting_data(member_ids=[partner.id]))
    partner.active = False
    db.session.commit()
    schedule.update_meeting(chair, meeting.id, {"place": "Room 2"})
    assert [m.user_id for m in meeting.members] == [partner.id]
    with pytest.raises(ValidationError) as refused:
        schedule.update_meeting(chair, meeting.id, {"member_ids": [partner.id]})
    assert set(refused.value.errors) == {"member_ids"}


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2031-03-03"])
def test_a_date_far_off_is_a_typing_slip_named_by_its_field(chair, day):
    with pytest.raises(ValidationError) as refused:
        create_meeting(chair, _meeting_data(date=day))
    assert set(refused.value.errors) == {"date"}
    series = {"title": "S", "frequency": "weekly", "first_on": day, "time": "00:00", "place": "P"}
    with pytest.raises(ValidationError) as refused:
        create_series(chair, series)
    assert set(refused.value.errors) == {"first_on"}
