"""Scheduling MET meetings: one meeting, or a series of them; moving, re-placing and
cancelling a meeting; who is invited; and the reads behind the meetings list, the month
calendar and "My meetings" (docs/meetings-schedule.md).

Who: only MET chairs (meeting.manage) schedule and change meetings; any case-working role
(meeting.view) reads the meetings it is a member of. Every meeting is fetched through
membership.meeting_for (403 for the role, 404 outside the user's meetings). Each change is
one @transaction and writes one audit row naming ids, never people's names.

`data` is a mapping of field name to value, as a page's form or the API's JSON sends it:
  title, date (ISO 2026-03-10, or a date input's (day, month, year)), time ("10:00",
  Europe/London), duration_minutes, place, online_link (one of the two is needed),
  chair_id (a MET chair; the user scheduling it when left out), member_ids, agency_ids;
  a series has first_on and until_on in place of date, with frequency, weekday and
  week_of_month (meetings/recurrence.py).
"""

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlparse

from flask import current_app
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User, UserRole
from mettrack.core import audit
from mettrack.core.choices import MeetingFrequency, MeetingStatus, Role
from mettrack.core.clock import LONDON, local, now, today
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import date_value, parse_int, parse_text, parse_version
from mettrack.core.limits import DATABASE_INT_MAX, max_length
from mettrack.core.permissions import ROLE_PERMISSIONS, Perm, require
from mettrack.core.unit_of_work import transaction
from mettrack.meetings import recurrence
from mettrack.meetings.membership import meeting_for, meeting_scope
from mettrack.meetings.models import (
    Meeting,
    MeetingAgency,
    MeetingMember,
    MeetingSeries,
    SeriesAgency,
    SeriesMember,
)

LABELS = {
    "title": "Title",
    "date": "Date of the meeting",
    "time": "Start time",
    "duration_minutes": "Length in minutes",
    "place": "Place",
    "online_link": "Online link",
    "chair_id": "Chair",
    "member_ids": "Invited people",
    "agency_ids": "Invited agencies",
    "first_on": "Date of the first meeting",
    "until_on": "Date of the last meeting",
    "frequency": "How often",
    "weekday": "Weekday",
    "week_of_month": "Which one in the month",
    "reason": "Reason for cancelling",
}
MEETING_FIELDS = ("title", "date", "time", "duration_minutes", "place", "online_link", "chair_id")
SERIES_FIELDS = (
    "title",
    "frequency",
    "weekday",
    "week_of_month",
    "first_on",
    "until_on",
    "time",
    "duration_minutes",
    "place",
    "online_link",
    "chair_id",
)
DEFAULT_DURATION = 120
SHORTEST, LONGEST = 15, 8 * 60  # minutes
MAX_REASON = 2000
PLACE_OR_LINK = "Enter the place or the online link (or both)"
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})", re.ASCII)
# Moving a meeting, or changing where it is, sends invitees an updated calendar entry.
MOVING_FIELDS = ("starts_at", "duration_minutes", "place", "online_link")
# Invitees: people whose roles let them see a meeting at all (core/permissions.py).
INVITABLE_ROLES = ROLE_PERMISSIONS[Perm.MEETING_VIEW]


# --- reading what was sent

EARLIEST_DAY = date(2000, 1, 1)  # earlier is a typing slip (past meetings may be entered)
YEARS_AHEAD = 5  # later is a typing slip in the year


def _day(data: Mapping, name: str, errors: dict, *, required: bool = False) -> date | None:
    day = date_value(data.get(name), name, LABELS[name], errors, required=required)
    latest = today().replace(year=today().year + YEARS_AHEAD, day=min(today().day, 28))
    if day is not None and not EARLIEST_DAY <= day <= latest:
        errors[name] = (
            f"{LABELS[name]} must be between {EARLIEST_DAY.year} and {YEARS_AHEAD} years from today"
        )
        return None
    return day


def _time(data: Mapping, errors: dict) -> time | None:
    value = data.get("time")
    if isinstance(value, time):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        errors["time"] = "Enter the start time, like 10:00"
        return None
    found = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        errors["time"] = "Start time must be a 24-hour time, like 10:00 or 14:30"
        return None
    return time(int(found[1]), int(found[2]))


def _duration(data: Mapping, errors: dict) -> int:
    minutes = parse_int(data, "duration_minutes", LABELS["duration_minutes"], errors)
    if minutes is None:
        return DEFAULT_DURATION
    if not SHORTEST <= minutes <= LONGEST:
        errors["duration_minutes"] = f"Length in minutes must be from {SHORTEST} to {LONGEST}"
    return minutes


def _link(data: Mapping, errors: dict) -> str | None:
    link = parse_text(
        data, "online_link", LABELS["online_link"], errors, max_length=max_length(Meeting.online_link)
    )
    if link and (urlparse(link).scheme not in ("https", "http") or not urlparse(link).netloc):
        errors["online_link"] = "Online link must be a web address starting https://"
        return None
    return link


def _ids(data: Mapping, name: str, errors: dict) -> list[int]:
    value = data.get(name) or []
    if isinstance(value, str | int):
        value = [value]
    ids = []
    for item in value if isinstance(value, list | tuple) else [None]:
        if isinstance(item, str) and item.strip().isascii() and item.strip().isdigit():
            item = int(item.strip())
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= DATABASE_INT_MAX:
            errors[name] = f"{LABELS[name]} must be a list of ids"
            return []
        ids.append(item)
    return sorted(set(ids))


def _active_with(roles: Iterable[Role]):
    holds = exists().where(UserRole.user_id == User.id, UserRole.role.in_([r.value for r in roles]))
    return User.active.is_(True) & holds


def _chair(data: Mapping, user, errors: dict) -> int | None:
    value = data.get("chair_id")
    if value in (None, ""):
        value = user.id
    chosen = _ids({"chair_id": value}, "chair_id", errors)
    if "chair_id" in errors or len(chosen) != 1:
        errors["chair_id"] = "Select the chair"
        return None
    found = db.session.scalar(select(User.id).where(User.id == chosen[0], _active_with([Role.MET_CHAIR])))
    if found is None:
        errors["chair_id"] = "The chair must be an active user with the MET chair role"
    return found


def _people(ids: list[int], errors: dict) -> list[int]:
    if not ids:
        return []
    found = set(db.session.scalars(select(User.id).where(User.id.in_(ids), _active_with(INVITABLE_ROLES))))
    if found != set(ids):
        errors["member_ids"] = "Invite active users with a case-working role only"
    return sorted(found)


def _agencies(ids: list[int], errors: dict) -> list[int]:
    if not ids:
        return []
    found = set(db.session.scalars(select(Agency.id).where(Agency.id.in_(ids))))
    if found != set(ids):
        errors["agency_ids"] = "Select agencies from the list"
    return sorted(found)


@dataclass
class Common:
    """What a meeting and a series both have."""

    title: str | None = None
    local_start: time | None = None
    duration_minutes: int = DEFAULT_DURATION
    place: str | None = None
    online_link: str | None = None
    chair_id: int | None = None
    member_ids: list[int] = field(default_factory=list)
    agency_ids: list[int] = field(default_factory=list)


def _common(user, data: Mapping, errors: dict, kept: Mapping | None = None) -> Common:
    """Read what a meeting and a series both have. `kept`: the chair and invitees a change
    leaves as they are (not sent), taken without checking them again: a person invited
    before their roles changed stays invited until the chair removes them."""
    kept = {k: v for k, v in (kept or {}).items() if k not in data}
    common = Common(
        title=parse_text(
            data, "title", LABELS["title"], errors, max_length=max_length(Meeting.title), required=True
        ),
        local_start=_time(data, errors),
        duration_minutes=_duration(data, errors),
        place=parse_text(data, "place", LABELS["place"], errors, max_length=max_length(Meeting.place)),
        online_link=_link(data, errors),
        chair_id=kept["chair_id"] if "chair_id" in kept else _chair(data, user, errors),
    )
    if not common.place and not common.online_link and not {"place", "online_link"} & set(errors):
        errors["place"] = PLACE_OR_LINK
    members = kept.get("member_ids")
    if members is None:
        members = _people(_ids(data, "member_ids", errors), errors)
    # The chair is a member without a row.
    common.member_ids = [i for i in members if i != common.chair_id]
    agencies = kept.get("agency_ids")
    common.agency_ids = (
        agencies if agencies is not None else _agencies(_ids(data, "agency_ids", errors), errors)
    )
    return common


def _uid() -> str:
    host = urlparse(current_app.config.get("APP_BASE_URL") or "").hostname or "mettrack"
    return f"meeting-{uuid.uuid4()}@{host}"


def _new_meeting(user, common: Common, starts_at: datetime, series_id: int | None = None) -> Meeting:
    meeting = Meeting(
        series_id=series_id,
        title=common.title,
        starts_at=starts_at,
        duration_minutes=common.duration_minutes,
        place=common.place,
        online_link=common.online_link,
        chair_id=common.chair_id,
        status=MeetingStatus.SCHEDULED.value,
        ical_uid=_uid(),
        ical_sequence=0,
        created_by_id=user.id,
    )
    meeting.members = [MeetingMember(user_id=i) for i in common.member_ids]
    meeting.agencies = [MeetingAgency(agency_id=i) for i in common.agency_ids]
    db.session.add(meeting)
    return meeting


# --- scheduling


@transaction
def create_meeting(user, data: Mapping) -> Meeting:
    """Who: a MET chair (meeting.manage). Schedules one meeting (not part of a series) on
    `date` at `time` in London. Audited as meeting.created."""
    require(user, Perm.MEETING_MANAGE, "meeting.created")
    errors: dict[str, str] = {}
    day = _day(data, "date", errors, required=True)
    common = _common(user, data, errors)
    if errors:
        raise ValidationError(errors)
    meeting = _new_meeting(user, common, recurrence.starts_at(day, common.local_start, LONDON))
    db.session.flush()
    audit.record(
        "meeting.created",
        "meeting",
        meeting.id,
        detail={"member_ids": common.member_ids, "agency_ids": common.agency_ids},
        actor=user,
    )
    return meeting


def _whole_number(data: Mapping, name: str, errors: dict) -> int | None:
    return parse_int(data, name, LABELS[name], errors)


@transaction
def create_series(user, data: Mapping) -> tuple[MeetingSeries, list[Meeting]]:
    """Who: a MET chair (meeting.manage). Saves the series and schedules its meetings up to
    `until_on`, or the next 12 when it has no end (recurrence.dates), each with the
    series' time, place, link, chair and invitees. Audited as meeting_series.created."""
    require(user, Perm.MEETING_MANAGE, "meeting_series.created")
    errors: dict[str, str] = {}
    first_on = _day(data, "first_on", errors, required=True)
    until_on = _day(data, "until_on", errors)
    frequency = data.get("frequency") if isinstance(data.get("frequency"), str) else None
    monthly = frequency == MeetingFrequency.MONTHLY_WEEKDAY
    weekday = _whole_number(data, "weekday", errors) if monthly else None
    week_of_month = _whole_number(data, "week_of_month", errors) if monthly else None
    common = _common(user, data, errors)
    if first_on is not None and not {"until_on", "weekday", "week_of_month"} & set(errors):
        rule = recurrence.SeriesRule(frequency or "", first_on, weekday, week_of_month, until_on)
        errors.update({k: v for k, v in recurrence.validate(rule).items() if k not in errors})
    if errors:
        raise ValidationError(errors)
    series = MeetingSeries(
        title=common.title,
        frequency=frequency,
        weekday=weekday,
        week_of_month=week_of_month,
        first_on=first_on,
        until_on=until_on,
        local_start=common.local_start,
        duration_minutes=common.duration_minutes,
        place=common.place,
        online_link=common.online_link,
        chair_id=common.chair_id,
        created_by_id=user.id,
    )
    db.session.add(series)
    db.session.flush()
    db.session.add_all(SeriesMember(series_id=series.id, user_id=i) for i in common.member_ids)
    db.session.add_all(SeriesAgency(series_id=series.id, agency_id=i) for i in common.agency_ids)
    meetings = [
        _new_meeting(user, common, recurrence.starts_at(day, common.local_start, LONDON), series.id)
        for day in recurrence.dates(rule)
    ]
    db.session.flush()
    audit.record(
        "meeting_series.created",
        "meeting_series",
        series.id,
        detail={
            "meeting_ids": [m.id for m in meetings],
            "member_ids": common.member_ids,
            "agency_ids": common.agency_ids,
        },
        actor=user,
    )
    return series, meetings


def _refuse_if_cancelled(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise ValidationError({"status": "This meeting is cancelled: schedule a new one instead"})


def _check_version(meeting: Meeting, data: Mapping) -> None:
    if data.get("version") not in (None, "") and parse_version(data["version"]) != meeting.version:
        raise Conflict("The meeting was changed by someone else since you read it: reload it and try again")


@transaction
def update_meeting(user, meeting_id: int, data: Mapping) -> Meeting:
    """Who: a MET chair (meeting.manage). Changes the fields sent (title, date, time,
    duration_minutes, place, online_link, chair_id, member_ids, agency_ids; `version`, when
    sent, must be the one read, else Conflict). Moving the meeting or changing where it is
    raises its iCalendar SEQUENCE, so calendars take the new entry. A cancelled meeting
    is not changed. Audited as meeting.updated with the fields changed."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_MANAGE, "meeting.updated", lock=True)
    _check_version(meeting, data)
    _refuse_if_cancelled(meeting)
    shown = local(meeting.starts_at)
    current = {
        "title": meeting.title,
        "date": shown.date(),
        "time": shown.time().replace(tzinfo=None),
        "duration_minutes": meeting.duration_minutes,
        "place": meeting.place,
        "online_link": meeting.online_link,
    }
    kept = {
        "chair_id": meeting.chair_id,
        "member_ids": sorted(m.user_id for m in meeting.members),
        "agency_ids": sorted(a.agency_id for a in meeting.agencies),
    }
    sent = {k: v for k, v in data.items() if k in current or k in kept}
    merged = {**current, **sent}
    errors: dict[str, str] = {}
    day = _day(merged, "date", errors, required=True)
    common = _common(user, merged, errors, kept=kept)
    if errors:
        raise ValidationError(errors)
    after = {
        "title": common.title,
        "starts_at": recurrence.starts_at(day, common.local_start, LONDON),
        "duration_minutes": common.duration_minutes,
        "place": common.place,
        "online_link": common.online_link,
        "chair_id": common.chair_id,
    }
    changed = sorted(name for name, value in after.items() if getattr(meeting, name) != value)
    for name in changed:
        setattr(meeting, name, after[name])
    if set(changed) & set(MOVING_FIELDS):
        meeting.ical_sequence += 1
    changed += _set_invitees(meeting, common.member_ids, common.agency_ids)
    if changed:
        meeting.updated_at = now()
        audit.record("meeting.updated", "meeting", meeting.id, detail={"fields": changed}, actor=user)
    return meeting


def _set_invitees(meeting: Meeting, member_ids: list[int], agency_ids: list[int]) -> list[str]:
    changed = []
    if sorted(m.user_id for m in meeting.members) != member_ids:
        kept = {m.user_id: m for m in meeting.members}
        meeting.members = [kept.get(i) or MeetingMember(user_id=i) for i in member_ids]
        changed.append("member_ids")
    if sorted(a.agency_id for a in meeting.agencies) != agency_ids:
        kept_agencies = {a.agency_id: a for a in meeting.agencies}
        meeting.agencies = [kept_agencies.get(i) or MeetingAgency(agency_id=i) for i in agency_ids]
        changed.append("agency_ids")
    return changed


@transaction
def cancel_meeting(user, meeting_id: int, reason) -> Meeting:
    """Who: a MET chair (meeting.manage). Cancels the meeting with a reason (required): its
    status becomes cancelled and its iCalendar SEQUENCE goes up, so the calendar file
    becomes a CANCEL. Audited as meeting.cancelled."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_MANAGE, "meeting.cancelled", lock=True)
    errors: dict[str, str] = {}
    text = parse_text(
        {"reason": reason}, "reason", LABELS["reason"], errors, max_length=MAX_REASON, required=True
    )
    if errors:
        raise ValidationError(errors)
    _refuse_if_cancelled(meeting)
    meeting.status = MeetingStatus.CANCELLED.value
    meeting.cancelled_reason = text
    meeting.ical_sequence += 1
    meeting.updated_at = now()
    audit.record("meeting.cancelled", "meeting", meeting.id, actor=user)
    return meeting


@transaction
def invite(user, meeting_id: int, *, member_ids=(), agency_ids=()) -> Meeting:
    """Who: a MET chair. Adds people (active, with a case-working role) and agencies to a
    meeting's invitees; those already invited stay. Audited as meeting.invited."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_MANAGE, "meeting.invited", lock=True)
    _refuse_if_cancelled(meeting)
    errors: dict[str, str] = {}
    people = _people(_ids({"member_ids": list(member_ids)}, "member_ids", errors), errors)
    agencies = _agencies(_ids({"agency_ids": list(agency_ids)}, "agency_ids", errors), errors)
    if errors:
        raise ValidationError(errors)
    have_people = {m.user_id for m in meeting.members} | {meeting.chair_id}
    have_agencies = {a.agency_id for a in meeting.agencies}
    new_people = [i for i in people if i not in have_people]
    new_agencies = [i for i in agencies if i not in have_agencies]
    meeting.members.extend(MeetingMember(user_id=i) for i in new_people)
    meeting.agencies.extend(MeetingAgency(agency_id=i) for i in new_agencies)
    audit.record(
        "meeting.invited",
        "meeting",
        meeting.id,
        detail={"member_ids": new_people, "agency_ids": new_agencies},
        actor=user,
    )
    return meeting


@transaction
def uninvite(user, meeting_id: int, *, member_ids=(), agency_ids=()) -> Meeting:
    """Who: a MET chair. Removes people and agencies from a meeting's invitees (the chair
    stays a member: change the chair instead). Audited as meeting.uninvited."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_MANAGE, "meeting.uninvited", lock=True)
    errors: dict[str, str] = {}
    people = set(_ids({"member_ids": list(member_ids)}, "member_ids", errors))
    agencies = set(_ids({"agency_ids": list(agency_ids)}, "agency_ids", errors))
    if errors:
        raise ValidationError(errors)
    removed_people = sorted(m.user_id for m in meeting.members if m.user_id in people)
    removed_agencies = sorted(a.agency_id for a in meeting.agencies if a.agency_id in agencies)
    meeting.members = [m for m in meeting.members if m.user_id not in people]
    meeting.agencies = [a for a in meeting.agencies if a.agency_id not in agencies]
    audit.record(
        "meeting.uninvited",
        "meeting",
        meeting.id,
        detail={"member_ids": removed_people, "agency_ids": removed_agencies},
        actor=user,
    )
    return meeting


# --- reading


def _loaded(query):
    return query.options(
        selectinload(Meeting.members).selectinload(MeetingMember.user),
        selectinload(Meeting.agencies).selectinload(MeetingAgency.agency),
        selectinload(Meeting.chair),
        selectinload(Meeting.series),
    )


def start_of_today() -> datetime:
    """Midnight in London today, in UTC: a meeting earlier today is still "upcoming"."""
    return datetime.combine(local(now()).date(), time(), tzinfo=LONDON).astimezone(now().tzinfo)


PAST_SHOWN = 100  # the newest past meetings a list shows


def meetings_for(user, *, past: bool = False, series_id: int | None = None) -> list[Meeting]:
    """Who: meeting.view. The meetings the user reaches (a MET chair: all; anyone else:
    those they chair or are invited to): upcoming (from today, soonest first) or past
    (newest first, the last PAST_SHOWN), of one series when `series_id` is given."""
    require(user, Perm.MEETING_VIEW, "meeting.listed")
    query = select(Meeting).where(meeting_scope(user))
    if series_id is not None:
        query = query.where(Meeting.series_id == series_id)
    if past:
        query = (
            query.where(Meeting.starts_at < start_of_today())
            .order_by(Meeting.starts_at.desc())
            .limit(PAST_SHOWN)
        )
    else:
        query = query.where(Meeting.starts_at >= start_of_today()).order_by(Meeting.starts_at)
    return list(db.session.scalars(_loaded(query.order_by(Meeting.id))))


def get_meeting(user, meeting_id: int) -> Meeting:
    """Who: meeting.view, a member of the meeting (or any MET chair). The meeting with its
    chair and invitees; NotFound (audited) for anyone else."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_VIEW, "meeting.viewed")
    return db.session.scalar(_loaded(select(Meeting).where(Meeting.id == meeting.id)))


@dataclass
class MonthCalendar:
    year: int
    month: int
    weeks: list[list[recurrence.CalendarDay]]
    by_day: dict[date, list[Meeting]]

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return (self.first + timedelta(days=31)).replace(day=1)


def month_of(user, year: int, month: int) -> MonthCalendar:
    """Who: meeting.view. A month's calendar (London days, Monday first) with the meetings
    the user reaches on each day."""
    require(user, Perm.MEETING_VIEW, "meeting.listed")
    start, end = recurrence.month_bounds(year, month, LONDON)
    query = (
        select(Meeting)
        .where(meeting_scope(user), Meeting.starts_at >= start, Meeting.starts_at < end)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    by_day: dict[date, list[Meeting]] = defaultdict(list)
    for meeting in db.session.scalars(query.options(selectinload(Meeting.chair))):
        by_day[local(meeting.starts_at).date()].append(meeting)
    return MonthCalendar(year, month, recurrence.month_weeks(year, month), dict(by_day))


@dataclass
class MyMeetings:
    upcoming: list[Meeting]
    past: list[Meeting]


def my_meetings(user) -> MyMeetings:
    """Who: meeting.view. The meetings the user chairs or is invited to (a MET chair's own
    too, not every meeting they could reach), upcoming and the recent past."""
    require(user, Perm.MEETING_VIEW, "meeting.listed")
    mine = or_(
        Meeting.chair_id == user.id,
        exists().where(MeetingMember.meeting_id == Meeting.id, MeetingMember.user_id == user.id),
    )
    today = start_of_today()
    upcoming = select(Meeting).where(mine, Meeting.starts_at >= today).order_by(Meeting.starts_at, Meeting.id)
    past = (
        select(Meeting)
        .where(mine, Meeting.starts_at < today)
        .order_by(Meeting.starts_at.desc(), Meeting.id)
        .limit(PAST_SHOWN)
    )
    return MyMeetings(
        upcoming=list(db.session.scalars(_loaded(upcoming))),
        past=list(db.session.scalars(_loaded(past))),
    )


@dataclass
class FormChoices:
    chairs: list[User]
    people: list[User]
    agencies: list[Agency]


def form_choices(user) -> FormChoices:
    """Who: meeting.manage. Whom a meeting can have as its chair and invite: active MET
    chairs, active users with a case-working role, and the agencies."""
    require(user, Perm.MEETING_MANAGE, "meeting.form")
    people = list(db.session.scalars(select(User).where(_active_with(INVITABLE_ROLES)).order_by(User.name)))
    return FormChoices(
        chairs=[u for u in people if Role.MET_CHAIR in u.roles],
        people=people,
        agencies=list(db.session.scalars(select(Agency).order_by(Agency.name))),
    )


def series_of(user, series_id: int) -> MeetingSeries | None:
    """Who: meeting.view. A series by id, for the list's heading when filtered by it; None
    when the user reaches none of its meetings (its existence is not revealed)."""
    require(user, Perm.MEETING_VIEW, "meeting.listed")
    reached = exists().where(Meeting.series_id == MeetingSeries.id, meeting_scope(user))
    return db.session.scalar(select(MeetingSeries).where(MeetingSeries.id == series_id, reached))
