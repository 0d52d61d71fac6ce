"""MET meetings: series, meetings and their members, the live draft agenda, issued agenda
versions and their PDFs, attendance, minutes and actions (docs/meetings.md).

A draft agenda is rows (AgendaItem) that the builder refreshes from the data and the chair
edits; an issued agenda is a frozen snapshot (AgendaVersion) that later changes to cases
never touch. Minutes are recorded per item (ItemMinute), applied to the cases in one
transaction, then approved as frozen versions (MinutesVersion). Actions (MeetingAction) live
across meetings with their history (ActionEvent) until done or not done.
"""

from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.cases.models import Case
from mettrack.core.choices import ActionStatus, MeetingStatus, PdfStatus
from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime


class MeetingSeries(db.Model):
    """A repeating MET meeting: its rule (meetings/recurrence.py) and what each meeting it
    schedules starts with (time, place, chair, invitees)."""

    __tablename__ = "meeting_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    frequency: Mapped[str] = mapped_column(String(20))  # MeetingFrequency
    # Monthly on a weekday: 0 Monday .. 6 Sunday, and which one in the month (1-4, or -1 for the last).
    weekday: Mapped[int | None] = mapped_column(Integer)
    week_of_month: Mapped[int | None] = mapped_column(Integer)
    first_on: Mapped[date] = mapped_column(Date)
    until_on: Mapped[date | None] = mapped_column(Date)
    local_start: Mapped[time] = mapped_column(Time)  # Europe/London wall-clock time
    duration_minutes: Mapped[int] = mapped_column(Integer, default=120)
    place: Mapped[str | None] = mapped_column(String(200))
    online_link: Mapped[str | None] = mapped_column(String(500))
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    chair: Mapped[User] = relationship(foreign_keys=[chair_id])


class Meeting(db.Model):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_series.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=120)
    place: Mapped[str | None] = mapped_column(String(200))
    online_link: Mapped[str | None] = mapped_column(String(500))
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.SCHEDULED.value, index=True)
    cancelled_reason: Mapped[str | None] = mapped_column(Text)
    # iCalendar: the UID never changes; SEQUENCE goes up each time the meeting moves or is cancelled.
    ical_uid: Mapped[str] = mapped_column(String(120), unique=True)
    ical_sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Set when the chair applies the meeting's decisions to the cases (meetings/minutes.py).
    decisions_applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decisions_applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    series: Mapped[MeetingSeries | None] = relationship()
    chair: Mapped[User] = relationship(foreign_keys=[chair_id])
    members: Mapped[list["MeetingMember"]] = relationship(
        cascade="all, delete-orphan", back_populates="meeting"
    )
    agencies: Mapped[list["MeetingAgency"]] = relationship(cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    def __repr__(self) -> str:
        return f"<Meeting {self.id}>"


class MeetingMember(db.Model):
    """A person invited to a meeting. The chair is a member without a row."""

    __tablename__ = "meeting_members"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    meeting: Mapped[Meeting] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class MeetingAgency(db.Model):
    """An agency invited to a meeting (for attendance and quorum; access is by person)."""

    __tablename__ = "meeting_agencies"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)

    agency: Mapped[Agency] = relationship()


class SeriesMember(db.Model):
    """Who each meeting of a series invites when it is scheduled."""

    __tablename__ = "meeting_series_members"

    series_id: Mapped[int] = mapped_column(ForeignKey("meeting_series.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class SeriesAgency(db.Model):
    __tablename__ = "meeting_series_agencies"

    series_id: Mapped[int] = mapped_column(ForeignKey("meeting_series.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)


class AgendaItem(db.Model):
    """One child on a meeting's draft agenda: the section it is in, why it is there, and
    the chair's changes (added, removed with a reason, moved), which a rebuild keeps."""

    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "case_id", name="uq_agenda_items_meeting_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    section: Mapped[str] = mapped_column(String(32))  # AgendaSection
    # [{"section": AgendaSection value, "text": "referred on 12 March"}, ...], first section's first.
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    moved_by_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    added_by_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    removed_reason: Mapped[str | None] = mapped_column(Text)
    # False once the data no longer puts the case on the agenda (kept if the chair added it).
    from_data: Mapped[bool] = mapped_column(Boolean, default=True)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    case: Mapped[Case] = relationship()

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class LeadUpdate(db.Model):
    """The lead professional's short update on a child for one meeting."""

    __tablename__ = "meeting_lead_updates"
    __table_args__ = (UniqueConstraint("meeting_id", "case_id", name="uq_lead_updates_meeting_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)

    author: Mapped[User] = relationship()


class ClosureProposal(db.Model):
    """A lead professional's proposal that the MET close a case, open until a meeting
    decides it (or the lead withdraws it)."""

    __tablename__ = "closure_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    # Set when a meeting's decisions are applied, or the proposal is withdrawn.
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    settled_by_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)

    proposed_by: Mapped[User] = relationship()


class AgendaVersion(db.Model):
    """An issued agenda: numbered, frozen. Both copies are stored as built at issue, so a
    later change to a case, or to the projection, never changes what was issued."""

    __tablename__ = "agenda_versions"
    __table_args__ = (UniqueConstraint("meeting_id", "number", name="uq_agenda_versions_meeting_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    full: Mapped[dict] = mapped_column(JSON)  # the members' copy
    sanitised: Mapped[dict] = mapped_column(JSON)  # built through the projection's sanitised view
    changes: Mapped[list | None] = mapped_column(JSON)  # what changed since the version before

    issued_by: Mapped[User] = relationship()


class AgendaPdf(db.Model):
    """A version's PDF, one per copy, built by a worker task (workers/tasks/meetings.py)."""

    __tablename__ = "agenda_pdfs"
    __table_args__ = (UniqueConstraint("agenda_version_id", "view", name="uq_agenda_pdfs_version_view"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_version_id: Mapped[int] = mapped_column(ForeignKey("agenda_versions.id"), index=True)
    view: Mapped[str] = mapped_column(String(16))  # AgendaView
    status: Mapped[str] = mapped_column(String(16), default=PdfStatus.PENDING.value)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(String(500))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    # When the scan last handed it to the broker (None: not yet); a row still pending long
    # after that is handed again (meetings/pdf.py), so a lost message delays it, never loses it.
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Attendance(db.Model):
    """Who came: a member or another person (an observer, a guest), for an agency."""

    __tablename__ = "meeting_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str | None] = mapped_column(String(120))  # someone without an account
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    status: Mapped[str] = mapped_column(String(16))  # AttendanceStatus
    # With apologies: whether the agency sent its information in advance.
    information_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    observer: Mapped[bool] = mapped_column(Boolean, default=False)
    # An observer signs the confidentiality statement before seeing anything.
    confidentiality_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    agency: Mapped[Agency | None] = relationship()


class ItemMinute(db.Model):
    """What the meeting discussed and decided about one child. Decisions are applied to the
    case all together, once (meetings/minutes.py); a field left empty decides nothing."""

    __tablename__ = "item_minutes"
    __table_args__ = (UniqueConstraint("meeting_id", "case_id", name="uq_item_minutes_meeting_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    discussion: Mapped[str | None] = mapped_column(Text)
    risk_level: Mapped[str | None] = mapped_column(String(16))
    police_tier: Mapped[str | None] = mapped_column(String(40))
    police_team: Mapped[str | None] = mapped_column(String(80))
    services_requested: Mapped[list] = mapped_column(JSON, default=list)  # specialist service codes
    send_back_to_review: Mapped[bool] = mapped_column(Boolean, default=False)
    close: Mapped[bool] = mapped_column(Boolean, default=False)
    exit_reason: Mapped[str | None] = mapped_column(String(80))
    closure_note: Mapped[str | None] = mapped_column(Text)
    next_review_on: Mapped[date | None] = mapped_column(Date)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)

    case: Mapped[Case] = relationship()


class MinutesVersion(db.Model):
    """Approved minutes, frozen; a correction is a new version with its reason."""

    __tablename__ = "minutes_versions"
    __table_args__ = (UniqueConstraint("meeting_id", "number", name="uq_minutes_versions_meeting_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    correction_reason: Mapped[str | None] = mapped_column(Text)
    content: Mapped[dict] = mapped_column(JSON)

    approved_by: Mapped[User] = relationship()


class MeetingAction(db.Model):
    """An action agreed at a meeting: what, who, which agency, by when. It names its case;
    its owner sees the action whether or not they may see the case."""

    __tablename__ = "meeting_actions"
    __table_args__ = (Index("ix_meeting_actions_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)  # raised at
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.OPEN.value)
    not_done_reason: Mapped[str | None] = mapped_column(String(32))  # ActionNotDoneReason
    outcome_note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    agency: Mapped[Agency | None] = relationship()
    meeting: Mapped[Meeting] = relationship()
    events: Mapped[list["ActionEvent"]] = relationship(
        cascade="all, delete-orphan", order_by="(ActionEvent.occurred_at, ActionEvent.id)"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN


class ActionEvent(db.Model):
    """One line of an action's history: raised, carried forward to a meeting, updated, done."""

    __tablename__ = "meeting_action_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("meeting_actions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # ActionEventKind
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    actor: Mapped[User | None] = relationship()
