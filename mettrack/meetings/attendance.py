"""Attendance at a MET meeting: who came, who sent apologies (and whether their agency
sent its information in advance), who was absent; observers, who sign the confidentiality
statement before they see anything; and the quorum (minutes_rules.quorum, the setting
MET_QUORUM_AGENCIES), shown before decisions are made (docs/meetings-minutes.md).

Who: the chair (meeting.manage) records; the members (meeting.view) read. Every read and
write is audited with the meeting as the reason; people are named by id in the audit log.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.core import audit
from mettrack.core.choices import AttendanceStatus
from mettrack.core.clock import now
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_int, parse_text, parse_yes_no
from mettrack.core.limits import max_length
from mettrack.core.permissions import Perm
from mettrack.core.unit_of_work import transaction
from mettrack.meetings import minutes_rules
from mettrack.meetings.membership import audit_read, meeting_for
from mettrack.meetings.models import Attendance, Meeting, MeetingMember

MAX_NAME = max_length(Attendance.name)

CONFIDENTIALITY_STATEMENT = (
    "I understand that what is shared at this meeting about children, their families and "
    "other people is confidential. I will not share it with anyone outside the meeting, "
    "except to keep a child safe through my own agency's safeguarding procedures, and I "
    "will not keep any copy of the agenda or of my notes after the meeting."
)
NO_SIGNATURE = (
    "An observer signs the confidentiality statement before they see anything: tick that "
    "they have signed it, or do not let them observe"
)


@dataclass
class Row:
    """One person's line on the attendance sheet: a member (with or without a record
    yet) or someone without an account."""

    attendance: Attendance | None
    user: User | None
    name: str
    agency: str | None

    @property
    def status(self) -> str | None:
        return self.attendance.status if self.attendance else None

    @property
    def status_label(self) -> str:
        return AttendanceStatus(self.status).label if self.status else "Not recorded"

    @property
    def observer_unsigned(self) -> bool:
        a = self.attendance
        return bool(a and a.observer and a.confidentiality_signed_at is None)


@dataclass
class Sheet:
    meeting: Meeting
    rows: list[Row]
    quorum: minutes_rules.Quorum
    agencies: list[Agency] = field(default_factory=list)  # for naming someone's agency
    statement: str = CONFIDENTIALITY_STATEMENT

    @property
    def flagged(self) -> list[Row]:
        """Observers recorded without a signed statement: they must not see anything."""
        return [r for r in self.rows if r.observer_unsigned]


def quorum_setting() -> tuple[str, ...]:
    return tuple(current_app.config.get("MET_QUORUM_AGENCIES", minutes_rules.DEFAULT_QUORUM_AGENCIES))


def _records(meeting_id: int) -> list[Attendance]:
    return list(
        db.session.scalars(
            select(Attendance)
            .where(Attendance.meeting_id == meeting_id)
            .options(selectinload(Attendance.user), selectinload(Attendance.agency))
            .order_by(Attendance.id)
        )
    )


def quorum_of(meeting_id: int, records: list[Attendance] | None = None) -> minutes_rules.Quorum:
    """The meeting's quorum from who is recorded present (observers do not count)."""
    records = _records(meeting_id) if records is None else records
    present = [
        r.agency.name if r.agency else None
        for r in records
        if r.status == AttendanceStatus.PRESENT and not r.observer
    ]
    return minutes_rules.quorum(quorum_setting(), present)


def snapshot_of(meeting: Meeting) -> dict:
    """The attendance and quorum as plain JSON, for the approved minutes (minutes.py)."""
    sheet = _sheet(meeting)
    return {
        "people": [
            {
                "name": r.name,
                "agency": r.agency,
                "status": r.status,
                "status_label": r.status_label,
                "information_sent": bool(r.attendance and r.attendance.information_sent),
                "observer": bool(r.attendance and r.attendance.observer),
            }
            for r in sheet.rows
            if r.attendance is not None
        ],
        "quorum": sheet.quorum.as_dict(),
    }


def _sheet(meeting: Meeting) -> Sheet:
    records = _records(meeting.id)
    by_user = {r.user_id: r for r in records if r.user_id is not None}
    people = [meeting.chair] + [m.user for m in meeting.members if m.user_id != meeting.chair_id]
    rows = [
        Row(by_user.get(u.id), u, u.name, _agency_name(by_user.get(u.id), u)) for u in people if u is not None
    ]
    listed = {u.id for u in people if u is not None}
    rows += [
        Row(r, r.user, r.user.name if r.user else (r.name or ""), r.agency.name if r.agency else None)
        for r in records
        if r.user_id is None or r.user_id not in listed
    ]
    agencies = list(db.session.scalars(select(Agency).order_by(Agency.name)))
    return Sheet(meeting, rows, quorum_of(meeting.id, records), agencies)


def _agency_name(record: Attendance | None, user: User) -> str | None:
    if record is not None and record.agency is not None:
        return record.agency.name
    return user.agency.name if user.agency else None


@transaction
def sheet_for(user, meeting_id: int) -> Sheet:
    """Who: a member of the meeting (meeting.view; a MET chair reaches every meeting).
    The attendance sheet: each member's line (recorded or not), the others recorded, the
    quorum and the confidentiality statement. Audited as attendance.viewed (the meeting
    as the reason)."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_VIEW, "attendance.viewed")
    sheet = _sheet(meeting)
    audit_read(user, meeting, "attendance")
    return sheet


@transaction
def record(user, meeting_id: int, data: Mapping) -> Attendance:
    """Who: a MET chair (meeting.manage). Records one person's attendance:

        user_id          a member of the meeting (their line is replaced), or
        name, agency_id  someone without an account (an observer, a guest);
        status           present, apologies or absent;
        information_sent with apologies: whether their agency sent its information ahead;
        observer         yes/no; an observer must be present and have signed:
        confidentiality_signed  yes: the observer signed the statement (recorded now).

    An observer without a signature is refused (ValidationError naming
    confidentiality_signed): nothing is saved, so they are never on the sheet unsigned.
    Audited as attendance.recorded."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_MANAGE, "attendance.recorded", lock=True)
    errors: dict[str, str] = {}
    person_id = parse_int(data, "user_id", "The person", errors)
    name = parse_text(data, "name", "The person's name", errors, max_length=MAX_NAME)
    agency_id = parse_int(data, "agency_id", "The agency", errors)
    status = data.get("status")
    if status not in AttendanceStatus._value2member_map_:
        errors["status"] = "Choose present, apologies or absent"
    observer = _yes_no(data, "observer", errors)
    information_sent = _yes_no(data, "information_sent", errors)
    signed = _yes_no(data, "confidentiality_signed", errors)

    member = None
    if person_id is not None:
        if not _is_member(meeting, person_id):
            errors["user_id"] = "Choose a member of this meeting"
        else:
            member = db.session.get(User, person_id)
    elif "name" not in errors and not name:
        errors["name"] = "Enter the person's name, or choose a member of the meeting"
    agency = None
    if agency_id is not None:
        agency = db.session.get(Agency, agency_id)
        if agency is None:
            errors["agency_id"] = "Choose the agency from the list"
    elif person_id is None and "agency_id" not in errors and not observer:
        errors["agency_id"] = "Choose the agency the person is here for"
    if observer:
        if status and status != AttendanceStatus.PRESENT:
            errors.setdefault("status", "An observer is recorded present")
        if not signed:
            errors["confidentiality_signed"] = NO_SIGNATURE
    if information_sent and status != AttendanceStatus.APOLOGIES:
        errors.setdefault("information_sent", "Information sent in advance goes with apologies")
    if errors:
        raise ValidationError(errors)

    row = None
    if member is not None:
        row = db.session.scalar(
            select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.user_id == member.id)
        )
    if row is None:
        row = Attendance(meeting_id=meeting.id, user_id=member.id if member else None)
        db.session.add(row)
    row.name = None if member else name
    row.agency_id = agency.id if agency else (member.agency_id if member else None)
    row.status = status
    row.information_sent = bool(information_sent)
    row.observer = bool(observer)
    row.confidentiality_signed_at = now() if observer else None
    row.recorded_by_id = user.id
    row.recorded_at = now()
    db.session.flush()
    audit.record(
        "attendance.recorded",
        "meeting",
        meeting.id,
        detail={
            "attendance_id": row.id,
            "user_id": row.user_id,
            "status": status,
            "observer": row.observer,
            "confidentiality_signed": row.confidentiality_signed_at is not None,
        },
        actor=user,
    )
    return row


def _yes_no(data: Mapping, name: str, errors: dict) -> bool:
    if data.get(name) in (None, "", False):
        return False
    value = parse_yes_no(data, name, "Answer yes or no", errors)
    return bool(value)


def _is_member(meeting: Meeting, user_id: int) -> bool:
    if meeting.chair_id == user_id:
        return True
    return (
        db.session.scalar(
            select(MeetingMember.user_id).where(
                MeetingMember.meeting_id == meeting.id, MeetingMember.user_id == user_id
            )
        )
        is not None
    )
