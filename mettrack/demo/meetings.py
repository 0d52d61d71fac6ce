"""Made-up demonstration data for MET meetings (docs/meetings.md), called by demo/load.py.

A monthly series, "Demotown MET operational group", on the second Tuesday at 10:00, that
began about three months ago. Its most recent past meeting went the whole way, each step
by the app's use cases at its own moment: the chair built the agenda a week before, the
lead professional sent an update on one child, the chair issued the agenda, recorded who
came (apologies with information sent, a health colleague, an observer who signed the
confidentiality statement), minuted each item with a few decisions (a police tier on a
case at MET review, the risk level and next review date of a high-risk case) and three
actions, applied the decisions to the cases and approved the minutes; the
lead has since marked one action done. The next meeting has its agenda built (the open
actions rolled forward onto it, a lead's update and a closure proposal) and issued as
version 1, with the PDFs built at once, so a new user sees the feature straight away.

When demo/load.py makes the cases, these steps run among the cases' own, in date order,
so each agenda is built from the data as it stood then. When the cases are already there
(a database loaded before meetings existed), they run alone afterwards. Every child and
person is invented.
"""

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.cases.models import Case
from mettrack.children.models import Child
from mettrack.core import clock
from mettrack.core.choices import AttendanceStatus, CaseState, MeetingFrequency, PdfStatus, Role
from mettrack.core.clock import LONDON
from mettrack.core.extensions import db
from mettrack.meetings import (
    add_agenda_case,
    apply_decisions,
    approve_minutes,
    build_agenda,
    build_agenda_pdf,
    create_series,
    issue_agenda,
    mark_action_done,
    propose_closure,
    record_attendance,
    record_item_minutes,
    recurrence,
    save_lead_update,
)
from mettrack.meetings.models import (
    AgendaItem,
    AgendaPdf,
    AgendaVersion,
    Meeting,
    MeetingAction,
    MeetingSeries,
)

SERIES_TITLE = "Demotown MET operational group"
PLACE = "Civic Offices, Committee Room 2, Demotown"
START_TIME = time(10, 0)
TUESDAY, SECOND = 1, 2
SERIES_BEGAN_DAYS_AGO = 92  # the first meeting: the first second Tuesday after this
# The agencies invited to every meeting of the series (demo/load.py makes them).
INVITED_AGENCIES = (
    "Portsmouth City Council Children's Social Care (MASH)",
    "Hampshire and Isle of Wight Constabulary",
    "Demotown Community Health Trust",
    "Early Help and Prevention",
    "Edge of Care / Adolescent Service",
    "Barnardo's",
    "Demotown Academy",
)
HEALTH_AGENCY = "Demotown Community Health Trust"
SCHOOL_AGENCY = "Demotown Academy"
HEALTH_COLLEAGUE = "Dr Robin Testwell"  # present without an account: the quorum needs health
SCHOOL_COLLEAGUE = "Pat Schoolington"  # apologies, with the school's information sent ahead
OBSERVER = "Charlie Observerton"  # a student social worker, observing
OBSERVER_AGENCY = "Edge of Care / Adolescent Service"

# The demo children the meetings are about (first and last names in demo/load.py).
HIGH_RISK_CHILD = ("Isla", "Fernhollow")  # high risk: on every agenda
TIERED_CHILD = ("Kai", "Glenbrook-Sample")  # at MET review: the meeting sets a police tier
CLOSING_CHILD = ("Tyler", "Ivybridge-Demo")  # its lead proposes closure before the next meeting
# What the past meeting moves (tests/services/test_workflow_replay.py counts on it).
MOVED_BY_THE_MEETING = {TIERED_CHILD: CaseState.POLICE_TIERED}
TIER, TEAM = "medium", "npt_south"

# The words, checked by the language check as every saved text is (and by a test).
LEAD_UPDATE_PAST = (
    "Isla has told her support worker about the adults who contacted her online and has "
    "helped to write her safety plan with her carers. The school reports that she is "
    "attending most days and has a trusted adult there. I ask the group to keep the risk "
    "level at high while the police look into the online accounts."
)
LEAD_UPDATE_NEXT = (
    "Since the last meeting Kai has met the youth outreach worker twice and his mother says "
    "he is at home more in the evenings. Adults unknown to the family are still approaching "
    "him near the station; the Neighbourhood Policing Team is aware. Kai says he feels "
    "listened to and wants the support to continue."
)
CLOSURE_REASON = (
    "Tyler has settled at college, has a trusted adult in his youth worker and there have "
    "been no new concerns for three months. His family is working with Early Help, who "
    "will carry on the plan. I propose the MET closes the case as the risk has reduced."
)
DISCUSSION_HIGH = (
    "The lead professional shared her update. Isla is safer at school and at home, but "
    "adults unknown to the family are still contacting her online and the police are "
    "looking into the accounts. The group agreed that the risk stays high, that Isla stays "
    "on the agenda of every meeting, and asked the coordinator to find a specialist worker."
)
DISCUSSION_TIERED = (
    "Kai has been seen late in the evening near the station with adults who are not known to "
    "his family, and the police believe he is being criminally exploited through county "
    "lines. Kai is a victim and needs protecting. The group agreed a medium police tier "
    "with the Neighbourhood Policing Team (South), who will work with the youth outreach team."
)
DISCUSSION_OTHER = "The group heard from the agencies present. The plan continues; no change agreed today."
ACTION_DONE = "Share the updated safety plan with the school's safeguarding lead and Isla's carers"
ACTION_DONE_NOTE = "Shared at a meeting with the school's safeguarding lead and Isla's carers."
ACTION_SERVICE = "Ask Barnardo's ICTG to allocate a specialist worker for Isla and report back"
ACTION_POLICE = "Share with the MET what is known about the adults approaching Kai near the station"

Step = tuple[datetime, int, int, Callable[[], None]]  # as demo/load.py's: (when, child number, order, step)
AFTER_THE_CASES = 1000  # sorts the meeting steps after the cases' steps of the same moment


def loaded() -> bool:
    return db.session.scalar(select(MeetingSeries.id).where(MeetingSeries.title == SERIES_TITLE)) is not None


def meeting_days(today: date) -> list[date]:
    """The series' dates: the first second Tuesday after SERIES_BEGAN_DAYS_AGO, and 11 more."""
    return recurrence.dates(_rule(today))


def _rule(today: date) -> recurrence.SeriesRule:
    return recurrence.SeriesRule(
        MeetingFrequency.MONTHLY_WEEKDAY.value,
        today - timedelta(days=SERIES_BEGAN_DAYS_AGO),
        weekday=TUESDAY,
        week_of_month=SECOND,
    )


def past_and_next(start: datetime) -> tuple[datetime, datetime]:
    """The start of the most recent meeting that ended at least two hours before `start`,
    and of the first meeting after `start` (a meeting in progress is neither)."""
    moments = [recurrence.starts_at(day, START_TIME, LONDON) for day in meeting_days(clock.today(start))]
    past = max(m for m in moments if m + timedelta(hours=4) <= start)
    upcoming = min(m for m in moments if m > start)
    return past, upcoming


def _case_of(child: tuple[str, str]) -> Case | None:
    first, last = child
    return db.session.scalar(
        select(Case)
        .join(Child, Child.id == Case.child_id)
        .where(Child.first_name == first, Child.last_name == last)
        .order_by(Case.id.desc())
        .limit(1)
    )


def _meeting_at(moment: datetime) -> Meeting:
    return db.session.scalar(
        select(Meeting)
        .join(MeetingSeries, MeetingSeries.id == Meeting.series_id)
        .where(MeetingSeries.title == SERIES_TITLE, Meeting.starts_at == moment)
    )


def _item(meeting: Meeting, case: Case | None) -> AgendaItem | None:
    if case is None:
        return None
    return db.session.scalar(
        select(AgendaItem).where(
            AgendaItem.meeting_id == meeting.id,
            AgendaItem.case_id == case.id,
            AgendaItem.removed_at.is_(None),
        )
    )


def _agency_id(name: str) -> int | None:
    return db.session.scalar(select(Agency.id).where(Agency.name == name))


def steps(users: dict[Role, User], start: datetime) -> list[Step]:
    """The meeting steps, each (moment, order key, order, step), for demo/load.py to run
    among the cases' steps (or run() to run alone)."""
    chair, lead = users[Role.MET_CHAIR], users[Role.LEAD_PROFESSIONAL]
    coordinator, partner = users[Role.COORDINATOR], users[Role.PARTNER]
    past_at, next_at = past_and_next(start)
    past_day, next_day = clock.today(past_at), clock.today(next_at)

    def schedule() -> None:
        create_series(
            chair,
            {
                "title": SERIES_TITLE,
                "frequency": MeetingFrequency.MONTHLY_WEEKDAY.value,
                "weekday": TUESDAY,
                "week_of_month": SECOND,
                "first_on": _rule(clock.today(start)).first_on,
                "time": START_TIME.strftime("%H:%M"),
                "duration_minutes": 120,
                "place": PLACE,
                "chair_id": chair.id,
                "member_ids": [lead.id, coordinator.id, partner.id],
                "agency_ids": [i for i in map(_agency_id, INVITED_AGENCIES) if i is not None],
            },
        )

    def build_past() -> None:
        meeting = _meeting_at(past_at)
        build_agenda(chair, meeting.id, with_cards=False)
        for child in (HIGH_RISK_CHILD, TIERED_CHILD):  # the chair adds them if the data did not
            case = _case_of(child)
            if case is not None and _item(meeting, case) is None:
                add_agenda_case(chair, meeting.id, case.id)

    def update_past() -> None:
        _lead_update(lead, past_at, HIGH_RISK_CHILD, LEAD_UPDATE_PAST)

    def issue_past() -> None:
        issue_agenda(chair, _meeting_at(past_at).id)

    def attendance() -> None:
        meeting_id = _meeting_at(past_at).id
        present = AttendanceStatus.PRESENT.value
        for person in (chair, lead, partner):
            record_attendance(chair, meeting_id, {"user_id": person.id, "status": present})
        record_attendance(
            chair,
            meeting_id,
            {
                "user_id": coordinator.id,
                "status": AttendanceStatus.APOLOGIES.value,
                "information_sent": "yes",
            },
        )
        others = [
            {"name": HEALTH_COLLEAGUE, "agency_id": _agency_id(HEALTH_AGENCY), "status": present},
            {
                "name": SCHOOL_COLLEAGUE,
                "agency_id": _agency_id(SCHOOL_AGENCY),
                "status": AttendanceStatus.APOLOGIES.value,
                "information_sent": "yes",
            },
            {
                "name": OBSERVER,
                "agency_id": _agency_id(OBSERVER_AGENCY),
                "status": present,
                "observer": "yes",
                "confidentiality_signed": "yes",
            },
        ]
        for data in others:
            if data["agency_id"] is not None:
                record_attendance(chair, meeting_id, data)

    def minutes() -> None:
        meeting = _meeting_at(past_at)
        high, tiered = _case_of(HIGH_RISK_CHILD), _case_of(TIERED_CHILD)
        for item in db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id, AgendaItem.removed_at.is_(None))
            .order_by(AgendaItem.id)
        ).all():
            if high is not None and item.case_id == high.id:
                data = {
                    "discussion": DISCUSSION_HIGH,
                    "risk_level": "high",
                    "next_review_on": next_day.isoformat(),  # high risk: every meeting
                    "actions": [
                        {
                            "description": ACTION_DONE,
                            "owner_id": lead.id,
                            "due_on": past_day + timedelta(days=7),
                        },
                        {
                            "description": ACTION_SERVICE,
                            "owner_id": coordinator.id,
                            "due_on": next_day - timedelta(days=1),
                        },
                    ],
                }
            elif tiered is not None and item.case_id == tiered.id:
                data = {
                    "discussion": DISCUSSION_TIERED,
                    "actions": [
                        {
                            "description": ACTION_POLICE,
                            "owner_id": partner.id,
                            "due_on": next_day + timedelta(days=14),
                        }
                    ],
                }
                if tiered.state == CaseState.MET_REVIEW:  # as the demo makes it (else minuted only)
                    data |= {"police_tier": TIER, "police_team": TEAM}
            else:
                data = {"discussion": DISCUSSION_OTHER}
            record_item_minutes(chair, meeting.id, item.case_id, data)

    def apply() -> None:
        apply_decisions(chair, _meeting_at(past_at).id)

    def approve() -> None:
        approve_minutes(chair, _meeting_at(past_at).id)

    def action_done() -> None:
        action = db.session.scalar(
            select(MeetingAction).where(
                MeetingAction.meeting_id == _meeting_at(past_at).id, MeetingAction.description == ACTION_DONE
            )
        )
        if action is not None:
            mark_action_done(lead, action.id, {"note": ACTION_DONE_NOTE, "version": action.version})

    def propose() -> None:
        case = _case_of(CLOSING_CHILD)
        if case is not None and case.state != CaseState.CLOSED and case.lead_professional_id == lead.id:
            propose_closure(lead, case.id, {"reason": CLOSURE_REASON})

    def build_next() -> None:
        build_agenda(chair, _meeting_at(next_at).id, with_cards=False)

    def update_next() -> None:
        _lead_update(lead, next_at, TIERED_CHILD, LEAD_UPDATE_NEXT)

    def issue_next() -> None:
        issue_agenda(chair, _meeting_at(next_at).id)

    done_at = min(past_at + timedelta(days=5), start - timedelta(hours=1))
    planned = [
        (start - timedelta(days=SERIES_BEGAN_DAYS_AGO + 7), schedule),
        (past_at - timedelta(days=8), build_past),
        (past_at - timedelta(days=6), update_past),
        (past_at - timedelta(days=3), issue_past),
        (past_at, attendance),
        (past_at + timedelta(minutes=90), minutes),
        (past_at + timedelta(minutes=110), apply),
        (past_at + timedelta(minutes=120), approve),
        (done_at, action_done),
        (start - timedelta(days=2), propose),
        (start, build_next),
        (start, update_next),
        (start, issue_next),
    ]
    return [(moment, AFTER_THE_CASES, order, step) for order, (moment, step) in enumerate(planned)]


def _lead_update(lead: User, meeting_at: datetime, child: tuple[str, str], text: str) -> None:
    meeting = _meeting_at(meeting_at)
    case = _case_of(child)
    item = _item(meeting, case)
    if item is not None and case.lead_professional_id == lead.id:
        save_lead_update(lead, meeting.id, item.id, {"text": text})


def run(users: dict[Role, User], start: datetime) -> None:
    """The meeting steps alone, in date order, with the clock set to each step's moment
    (for a database whose demo cases were made before the meetings were)."""
    frozen = clock.frozen_at()
    try:
        for moment, _n, _order, step in sorted(steps(users, start), key=lambda s: s[:3]):
            clock.set_now(min(moment, start))
            step()
    finally:
        clock.set_now(frozen)


def build_pdfs() -> int:
    """Build now the PDFs still pending of the demo series' issued agendas (the worker
    would build them within minutes; the demo wants them at once). Returns how many."""
    pending = db.session.scalars(
        select(AgendaPdf.id)
        .join(AgendaVersion, AgendaVersion.id == AgendaPdf.agenda_version_id)
        .join(Meeting, Meeting.id == AgendaVersion.meeting_id)
        .join(MeetingSeries, MeetingSeries.id == Meeting.series_id)
        .where(MeetingSeries.title == SERIES_TITLE, AgendaPdf.status == PdfStatus.PENDING.value)
        .order_by(AgendaPdf.id)
    ).all()
    db.session.rollback()  # end the read: each build is its own unit of work
    progress = logging.getLogger("weasyprint")
    level = progress.level
    progress.setLevel(max(level, logging.WARNING))  # not WeasyPrint's steps among the logins
    try:
        for pdf_id in pending:
            build_agenda_pdf(pdf_id)
    finally:
        progress.setLevel(level)
    return len(pending)
