"""The home page's work queues: what waits for the signed-in user, role by role.

`home_for(user)` builds one `RoleHome` per role the user holds (a user with several roles
sees each), each a few queues: a number, and the first cases behind it (highest risk
first, then the newest case), each line linking to the page where the user acts. A
queue lists only the cases the user may see: every case query goes through the cases'
need-to-know scopes (cases/scopes.py), and an alert drawn from the child's record
(missing now, Return Home Interview) only through `case_scope`, the whole record.

One definition each: missing now, Return Home Interview overdue, review overdue are the
case list's own SQL (`cases.alert_condition`); the rules only the queues ask are in
home/rules.py. Each queue is one query (its count comes with its rows, as a window
count), so the number of queries does not grow with the number of cases
(tests/home/test_query_count.py).

Showing a child's name is a read of the child's record: the page is audited as one
`home.viewed` row naming the case ids shown (never a name).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import lazyload

from mettrack import cases as case_feature
from mettrack import meetings as meeting_feature
from mettrack import reminders as reminder_feature
from mettrack import specialist_services as service_feature
from mettrack import statistics as statistics_feature
from mettrack.accounts.agency import Agency
from mettrack.accounts.role_grant import RoleGrant
from mettrack.accounts.rules import GrantState
from mettrack.accounts.sign_in_failure import SignInFailure
from mettrack.cases.models import Case, CaseEvent, CaseTag
from mettrack.core import audit, audit_checkpoint
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import (
    RISK_RANK,
    UNRATED_RANK,
    ActionStatus,
    AuditOutcome,
    CaseState,
    CaseTagKind,
    ExploitationType,
    Role,
    ServiceRequestStatus,
)
from mettrack.core.clock import local, now, today
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, can
from mettrack.core.unit_of_work import transaction
from mettrack.home import rules
from mettrack.meetings.models import AgendaItem, AgendaVersion, MeetingAction
from mettrack.missing.models import MissingEpisode
from mettrack.risk.models import RiskAssessment
from mettrack.specialist_services.models import ServiceRequest, SpecialistService
from mettrack.statistics import rules as statistics_rules

OPEN = Case.state != CaseState.CLOSED.value


@dataclass(frozen=True)
class Link:
    """Where a line or a number leads: an endpoint and its arguments (the page builds the
    address)."""

    endpoint: str
    args: dict = field(default_factory=dict)


@dataclass(frozen=True)
class QueueLine:
    case_id: int | None
    title: str  # the child's name and case number, or what the line is about
    details: tuple[str, ...] = ()  # what it needs, in words
    risk_level: str | None = None
    link: Link | None = None


@dataclass(frozen=True)
class Queue:
    key: str  # the element id on the page
    title: str
    count: int
    lines: tuple[QueueLine, ...] = ()
    empty: str = "Nothing waiting."
    more: Link | None = None  # the whole list, where there is one
    note: str | None = None
    counted: bool = True  # False: a queue whose number means nothing (the next meeting)


@dataclass(frozen=True)
class RoleHome:
    role: Role
    heading: str
    queues: tuple[Queue, ...]
    note: str | None = None
    figures: tuple[Queue, ...] = ()  # numbers shown without their cases (the lead's reasons)

    @property
    def busy(self) -> tuple[Queue, ...]:
        """The queues with something in them (or no number to go by), shown in full first."""
        return tuple(q for q in self.queues if q.count or q.lines or not q.counted)

    @property
    def quiet(self) -> tuple[Queue, ...]:
        """The queues with nothing in them, listed briefly after the others."""
        return tuple(q for q in self.queues if q not in self.busy)


@dataclass(frozen=True)
class Home:
    roles: tuple[RoleHome, ...]
    case_ids: tuple[int, ...]  # every case shown, for the audit row


# --- shared SQL ---------------------------------------------------------------------------


def _rank():
    return sql_case(RISK_RANK, value=Case.risk_level, else_=UNRATED_RANK)


def _case_label(case: Case) -> str:
    return f"{case.child.display_name}, case {case.id}"


def _case_link(case_id: int, anchor: str | None = None) -> Link:
    args = {"case_id": case_id}
    if anchor:
        args["_anchor"] = anchor
    return Link("cases.detail", args)


def _first_cases(conditions: list, *extra_columns) -> tuple[int, list]:
    """The first cases matching `conditions`, highest risk then newest first, and how many
    match in all: one query (a window count beside each row)."""
    rows = db.session.execute(
        select(Case, func.count().over().label("total"), *extra_columns)
        .where(*conditions)
        .options(lazyload(Case.tags))
        .order_by(_rank(), Case.opened_at.desc(), Case.id.desc())
        .limit(rules.SHOWN_PER_QUEUE)
    ).all()
    return (rows[0].total if rows else 0), rows


def _case_queue(key, title, conditions, *, empty, details=(), anchor=None, more=None, note=None) -> Queue:
    total, rows = _first_cases(conditions)
    lines = tuple(
        QueueLine(
            row.Case.id,
            _case_label(row.Case),
            tuple(d(row.Case) for d in details),
            row.Case.risk_level,
            _case_link(row.Case.id, anchor),
        )
        for row in rows
    )
    return Queue(key, title, total, lines, empty, more, note)


def _list_link(**filters) -> Link:
    return Link("cases.index", {k: "true" if v is True else v for k, v in filters.items()})


def _review_on(case: Case) -> str:
    return f"Review due {case.next_review_on:%-d %B %Y}" if case.next_review_on else "No review date"


def risk_out_of_date_condition():
    """In SQL, rules.risk_assessment_out_of_date."""
    last_assessed = (
        select(func.max(RiskAssessment.assessed_at))
        .where(RiskAssessment.case_id == Case.id)
        .scalar_subquery()
    )
    last_missing = (
        select(func.max(MissingEpisode.went_missing_at))
        .where(MissingEpisode.case_id == Case.id)
        .scalar_subquery()
    )
    return and_(
        Case.state.in_([s.value for s in rules.ASSESSED_STATES]),
        or_(last_assessed.is_(None), last_missing > last_assessed),
    )


def review_due_this_week_condition(at: datetime):
    """In SQL, rules.review_due_this_week."""
    first, last = rules.review_week(today(at))
    return and_(OPEN, Case.next_review_on >= first, Case.next_review_on <= last)


def _overdue_actions(user, on) -> Queue:
    """Open actions from MET meetings whose due date has passed (every action: the chair's)."""
    conditions = [MeetingAction.status == ActionStatus.OPEN.value, MeetingAction.due_on < on]
    count = db.session.scalar(select(func.count(MeetingAction.id)).where(*conditions)) or 0
    return Queue(
        "actions-overdue",
        "Open actions overdue",
        count,
        empty="No open action from a MET meeting is overdue.",
        more=Link("actions.index", {"overdue": "true", "status": "open"}),
    )


def _my_actions(user) -> Queue:
    count = meeting_feature.count_open_actions(user)
    return Queue(
        "my-actions",
        "My open actions from MET meetings",
        count,
        empty="You have no open actions from MET meetings.",
        more=Link("actions.index"),
    )


# --- each role ----------------------------------------------------------------------------


def _chair(user, at: datetime) -> RoleHome:
    whole = case_feature.case_scope(user)
    queues = [
        _case_queue(
            "missing-now",
            "Missing now",
            [whole, OPEN, case_feature.alert_condition("open_missing_episode", at)],
            empty="No child on an open case is missing now.",
            anchor="missing",
            more=_list_link(open_missing_episode=True),
        ),
        _case_queue(
            "rhi-overdue",
            "Return Home Interviews overdue",
            [whole, case_feature.alert_condition("rhi_overdue", at)],
            empty="No Return Home Interview is overdue.",
            anchor="missing",
            more=_list_link(rhi_overdue=True),
        ),
        _case_queue(
            "reviews-overdue",
            "Reviews overdue",
            [whole, case_feature.alert_condition("review_overdue", at)],
            empty="No MET review is overdue.",
            details=(_review_on,),
            anchor="risk",
            more=_list_link(review_overdue=True),
        ),
        _case_queue(
            "reviews-this-week",
            "Reviews due this week",
            [whole, review_due_this_week_condition(at)],
            empty="No MET review falls due in the next seven days.",
            details=(_review_on,),
            anchor="risk",
            more=_list_link(sort="next_review"),
        ),
        _case_queue(
            "met-review",
            "Referrals waiting for MET review",
            [whole, Case.state == CaseState.MET_REVIEW.value],
            empty="No case is waiting for MET review.",
            more=_list_link(state=CaseState.MET_REVIEW.value),
        ),
    ]
    if can(user, Perm.CASE_REASSIGN):
        total, waiting = case_feature.waiting_for_lead(user, order_by=(_rank(),), limit=rules.SHOWN_PER_QUEUE)
        queues.append(
            Queue(
                "needs-lead",
                "Cases needing a lead professional",
                total,
                tuple(
                    QueueLine(
                        w.case.id,
                        _case_label(w.case),
                        (w.reason_label,),
                        w.case.risk_level,
                        Link("case_team.change_lead", {"case_id": w.case.id}),
                    )
                    for w in waiting
                ),
                "Every open case has an active lead professional.",
                Link("case_team.reassign"),
            )
        )
    if can(user, Perm.REMINDER_LOG):
        failed = reminder_feature.failed_count()
        to_log = Link("reminder_log.index", {"state": "failed"})
        queues.append(
            Queue(
                "failed-reminders",
                "Failed reminders",
                failed,
                (
                    QueueLine(
                        None,
                        f"{failed} reminder{'s' if failed != 1 else ''} could not be sent",
                        ("See why, and send them again once the cause is fixed",),
                        link=to_log,
                    ),
                )
                if failed
                else (),
                "Every reminder was sent.",
            )
        )
    if can(user, Perm.MEETING_MANAGE):
        queues.append(_next_meeting(user))
        queues.append(_overdue_actions(user, today(at)))
    if can(user, Perm.STATS_VIEW):
        period = statistics_rules.last_complete_quarter(today(at)).period
        queues.append(
            Queue(
                "statistics",
                f"Statistics: {period.label}",
                0,
                _statistics_lines(period, f"The exploitation list: {period.label}"),
                note="Figures for the last complete quarter; each page offers other periods.",
                counted=False,
            )
        )
    return RoleHome(Role.MET_CHAIR, "As MET chair", tuple(queues))


def _statistics_lines(period, report_title: str) -> tuple[QueueLine, ...]:
    """The two statistics pages for `period` (a statistics.rules.Period): the
    exploitation-list report (its line titled `report_title`) and the operational figures."""
    return (
        QueueLine(None, report_title, link=Link("statistics.index", period.query)),
        QueueLine(
            None,
            f"Operational figures: {period.label}",
            ("Return Home Interviews, reviews, missing episodes and referrals",),
            link=Link("statistics_operations.index", period.query),
        ),
    )


def _next_meeting(user) -> Queue:
    upcoming = meeting_feature.my_meetings(user).upcoming
    meeting = next((m for m in upcoming if not m.is_cancelled), None)
    if meeting is None:
        return Queue(
            "next-meeting",
            "Next MET meeting",
            0,
            empty="No MET meeting is scheduled.",
            more=Link("meetings.mine"),
            counted=False,
        )
    issued = db.session.scalar(
        select(func.max(AgendaVersion.number)).where(AgendaVersion.meeting_id == meeting.id)
    )
    drafted = db.session.scalar(
        select(func.count(AgendaItem.id)).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.removed_at.is_(None)
        )
    )
    if issued:
        state = f"Agenda issued (version {issued})"
    elif drafted:
        state = f"Draft agenda: {drafted} case{'s' if drafted != 1 else ''}, not yet issued"
    else:
        state = "No agenda drafted yet"
    when = local(meeting.starts_at)
    line = QueueLine(
        None,
        meeting.title,
        (f"{when:%A %-d %B %Y at %H:%M}", state),
        link=Link("meetings.detail", {"meeting_id": meeting.id}),
    )
    return Queue("next-meeting", "Next MET meeting", 1, (line,), more=Link("meetings.mine"), counted=False)


def _lead(user, at: datetime) -> RoleHome:
    checks = {
        "missing_now": ("Missing now", case_feature.alert_condition("open_missing_episode", at)),
        "rhi_overdue": ("Return Home Interview overdue", case_feature.alert_condition("rhi_overdue", at)),
        "rhi_to_offer": ("Return Home Interview to offer", case_feature.rhi_to_offer_case_condition(at)),
        "review_overdue": ("Review overdue", case_feature.alert_condition("review_overdue", at)),
        "review_due": ("Review due this week", review_due_this_week_condition(at)),
        "risk_out_of_date": ("Risk assessment out of date", risk_out_of_date_condition()),
        "screening_open": (
            "Screening with no outcome: refer, or close as no further action",
            Case.state == CaseState.SCREENED.value,
        ),
    }
    mine = [Case.lead_professional_id == user.id, case_feature.case_scope(user), OPEN]
    flags = {key: sql_case((condition, 1), else_=0) for key, (_, condition) in checks.items()}
    total, rows = _first_cases(
        [*mine, or_(*(c for _, c in checks.values()))], *(flag.label(key) for key, flag in flags.items())
    )
    counts = db.session.execute(
        select(*(func.coalesce(func.sum(flag), 0) for flag in flags.values())).where(*mine)
    ).one()
    lines = tuple(
        QueueLine(
            row.Case.id,
            _case_label(row.Case),
            tuple(label for key, (label, _) in checks.items() if getattr(row, key)),
            row.Case.risk_level,
            _case_link(row.Case.id),
        )
        for row in rows
    )
    needing = Queue(
        "my-cases",
        "My cases needing something",
        total,
        lines,
        "None of your cases needs anything now.",
        _list_link(lead_professional="me"),
    )
    numbers = tuple(
        Queue(f"my-{key.replace('_', '-')}", label, int(n), empty="")
        for (key, (label, _)), n in zip(checks.items(), counts, strict=True)
    )
    unread = reminder_feature.unread_count(user)
    notifications = Queue(
        "my-notifications",
        "Unread notifications",
        unread,
        empty="You have no unread notifications.",
        more=Link("notifications.index"),
    )
    queues = (needing, notifications)
    if can(user, Perm.MEETING_VIEW):
        queues = (*queues, _my_actions(user))
    return RoleHome(Role.LEAD_PROFESSIONAL, "As lead professional", queues, figures=numbers)


def _coordinator(user, at: datetime) -> RoleHome:
    summary = case_feature.case_summary_scope(user)
    waiting_cases = _case_queue(
        "waiting-for-service",
        "Cases waiting for a specialist service",
        [summary, Case.state == CaseState.POLICE_TIERED.value],
        empty="No case is waiting for a specialist service.",
        anchor="services",
        more=Link("service_board.index"),
    )
    on = today(at)
    rows = db.session.execute(
        select(ServiceRequest, SpecialistService.name, Case, func.count().over().label("total"))
        .join(SpecialistService, SpecialistService.id == ServiceRequest.service_id)
        .join(Case, Case.id == ServiceRequest.case_id)
        .where(summary, ServiceRequest.status == ServiceRequestStatus.REQUESTED.value)
        .options(lazyload(Case.tags))
        .order_by(ServiceRequest.requested_at, ServiceRequest.id)
        .limit(rules.SHOWN_PER_QUEUE)
    ).all()
    request_lines = []
    for row in rows:
        asked_on = today(row.ServiceRequest.requested_at)
        days = service_feature.working_days_between(asked_on, on)
        details = [f"{row.name}: waiting {days} working day{'s' if days != 1 else ''}"]
        due = row.ServiceRequest.answer_due_on
        if due is not None and due < on:
            details.append(f"Answer was due {due:%-d %B %Y}")
        request_lines.append(
            QueueLine(
                row.Case.id,
                _case_label(row.Case),
                tuple(details),
                row.Case.risk_level,
                _case_link(row.Case.id, "services"),
            )
        )
    requests = Queue(
        "requests-waiting",
        "Service requests waiting for an answer",
        rows[0].total if rows else 0,
        tuple(request_lines),
        "No service request is waiting for an answer.",
        Link("service_board.index"),
    )
    full = [
        Queue(
            "capacity",
            "Services at capacity",
            len(full_loads := [load for load in service_feature.service_loads() if load.at_capacity]),
            tuple(
                QueueLine(None, load.name, (f"{load.load} of {load.capacity} places taken",))
                for load in full_loads
            ),
            "Every service has room.",
            Link("service_board.index"),
        )
    ]
    missing = Queue(
        "coordinator-missing-now",
        "Missing now, on cases whose whole record you may see",
        db.session.scalar(
            select(func.count(Case.id)).where(
                case_feature.case_scope(user), OPEN, case_feature.alert_condition("open_missing_episode", at)
            )
        )
        or 0,
        empty="No child is missing now on the cases whose whole record you may see.",
        more=_list_link(open_missing_episode=True),
        note=case_feature.WHOLE_RECORD_NOTE,
    )
    return RoleHome(
        Role.COORDINATOR,
        "As coordinator",
        (waiting_cases, requests, *full, missing),
        note=case_feature.WHOLE_RECORD_NOTE,
    )


def _partner(user, at: datetime) -> RoleHome:
    whole = case_feature.case_scope(user)
    last_seen = (
        select(func.max(AuditEvent.occurred_at))
        .where(
            AuditEvent.actor_user_id == user.id,
            AuditEvent.action == "case.viewed",
            AuditEvent.record_type == "case",
            AuditEvent.record_id == cast(Case.id, String),
            AuditEvent.outcome == AuditOutcome.OK.value,
        )
        .scalar_subquery()
        .label("last_seen")
    )
    last_change = (
        select(func.max(CaseEvent.occurred_at))
        .where(CaseEvent.case_id == Case.id)
        .scalar_subquery()
        .label("last_change")
    )
    total, rows = _first_cases([whole, OPEN], last_seen, last_change)
    lines = []
    for row in rows:
        changed_at = max((d for d in (row.last_change, row.Case.updated_at) if d is not None), default=None)
        if row.last_seen is None:
            detail = "You have not opened this case yet"
        elif rules.changed_since(changed_at, row.last_seen):
            detail = f"Changed since you last looked ({local(row.last_seen):%-d %B %Y})"
        else:
            detail = "No change since you last looked"
        lines.append(
            QueueLine(
                row.Case.id, _case_label(row.Case), (detail,), row.Case.risk_level, _case_link(row.Case.id)
            )
        )
    mine = Queue(
        "partner-cases",
        "My cases",
        total,
        tuple(lines),
        "You are not on the team of any open case.",
        Link("cases.index"),
        "Only the cases whose team you are on.",
    )
    queues = (mine, _my_actions(user)) if can(user, Perm.MEETING_VIEW) else (mine,)
    return RoleHome(Role.PARTNER, "As partner agency practitioner", queues)


def _analyst(user, at: datetime) -> RoleHome:
    by_state = dict(
        db.session.execute(select(Case.state, func.count(Case.id)).where(OPEN).group_by(Case.state)).all()
    )
    by_type = dict(
        db.session.execute(
            select(CaseTag.value, func.count(CaseTag.case_id))
            .join(Case, Case.id == CaseTag.case_id)
            .where(OPEN, CaseTag.kind == CaseTagKind.EXPLOITATION_TYPE.value)
            .group_by(CaseTag.value)
        ).all()
    )
    states = tuple(
        QueueLine(None, s.label, (f"{by_state.get(s.value, 0)} open",))
        for s in CaseState
        if s is not CaseState.CLOSED
    )
    types = tuple(QueueLine(None, t.label, (f"{by_type.get(t.value, 0)} open",)) for t in ExploitationType)
    report = statistics_feature.current_summary(user)
    quarterly = Queue(
        "quarterly-report",
        f"The exploitation list: {report.period.label}",
        0,
        _statistics_lines(report.period, report.summary),
        more=Link("statistics.index"),
        note=(
            "Figures for the last complete quarter. Open the report for every table, other "
            "periods and the downloads, and the operational figures for the same quarter."
        ),
        counted=False,
    )
    return RoleHome(
        Role.ANALYST,
        "As analyst",
        (
            quarterly,
            Queue("open-by-state", "Open cases by state", sum(by_state.values()), states),
            Queue("open-by-type", "Open cases by exploitation type", sum(by_type.values()), types),
        ),
        note="Counts only: no child is named.",
    )


def _admin(user, at: datetime) -> RoleHome:
    pending = db.session.scalar(
        select(func.count(RoleGrant.id)).where(RoleGrant.state == GrantState.PENDING.value)
    )
    locked = db.session.scalar(select(func.count(SignInFailure.id)).where(SignInFailure.locked_until > at))
    agencies = db.session.scalar(select(func.count(Agency.id)))
    rows = db.session.scalar(select(func.count(AuditEvent.seq)))
    denied = db.session.scalar(
        select(func.count(AuditEvent.seq)).where(
            AuditEvent.outcome == AuditOutcome.DENIED.value, AuditEvent.occurred_at >= at - timedelta(days=7)
        )
    )
    checks = [f"{rows} rows in the audit log", f"{denied} refused attempts in the last 7 days"]
    path = current_app.config.get("AUDIT_CHECKPOINT_PATH")
    if not path:
        checks.append("No checkpoint file is set (AUDIT_CHECKPOINT_PATH)")
    else:
        try:
            checkpoint = audit_checkpoint.latest(path, audit.hmac_key())
        except (audit_checkpoint.CheckpointUnreadable, OSError):
            checkpoint = None
            checks.append("The checkpoint file cannot be read: run flask audit verify")
        else:
            if checkpoint is None:
                checks.append("No checkpoint taken yet")
            else:
                checks.append(f"Last checkpoint: {checkpoint.rows} rows, written {checkpoint.written_at}")
    grants_link = Link("role_grants.index") if can(user, Perm.ROLE_GRANT_DECIDE) else Link("admin.users")
    users_link = Link("admin.users") if can(user, Perm.USER_ADMIN) else None
    return RoleHome(
        Role.ADMIN,
        "As administrator",
        (
            Queue(
                "grants-waiting",
                "Users waiting for a role to be approved",
                pending or 0,
                empty="No role grant is waiting for a MET chair.",
                more=grants_link,
            ),
            Queue(
                "locked-accounts",
                "Accounts locked after failed sign-ins",
                locked or 0,
                empty="No account is locked.",
                more=users_link,
            ),
            Queue(
                "agencies",
                "Agencies",
                agencies or 0,
                more=Link("agency_admin.index") if can(user, Perm.AGENCY_ADMIN) else None,
            ),
            Queue(
                "audit-checks",
                "Audit checks",
                rows or 0,
                tuple(QueueLine(None, text) for text in checks),
                more=Link("audit_log.index") if can(user, Perm.AUDIT_SEARCH) else None,
            ),
        ),
    )


BUILDERS = (
    (Role.MET_CHAIR, _chair),
    (Role.LEAD_PROFESSIONAL, _lead),
    (Role.COORDINATOR, _coordinator),
    (Role.PARTNER, _partner),
    (Role.ANALYST, _analyst),
    (Role.ADMIN, _admin),
)


@transaction
def home_for(user, at: datetime | None = None) -> Home:
    """Who: anyone signed in. Each of the user's roles' queues (module docstring). Writes one
    `home.viewed` audit row naming the cases shown, when any case is shown."""
    at = at or now()
    homes = tuple(build(user, at) for role, build in BUILDERS if user.has_role(role))
    shown = tuple(
        dict.fromkeys(
            line.case_id for home in homes for queue in home.queues for line in queue.lines if line.case_id
        )
    )
    if shown:
        audit.record("home.viewed", "case", detail={"ids": list(shown)}, actor=user)
    return Home(homes, shown)


__all__ = ["Home", "Link", "Queue", "QueueLine", "RoleHome", "home_for"]
