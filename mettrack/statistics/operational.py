"""The board's operational figures, counted in SQL (GROUP BY), never by loading cases.

One read use case, `operational_figures`: for a period and the quarters before it (the
trend), Return Home Interviews offered within 72 hours, reviews held on time, missing
episodes and repeat-missing children, referrals and what came of them, and the days
from referral to the first MET review and to the first specialist service accepted.
Who: the analyst and the MET chair (Perm.STATS_VIEW). Every figure is a count or a
number of days: no name, no case id reaches the page or the CSV. Each read writes an
audit row naming the periods.

Portable SQL (SQLite and PostgreSQL): each period is a CASE bucket over the column the
figure counts by; differences of moments are taken in whole seconds (`_epoch`), days as
the partnership's (Europe/London) calendar days (`_london_day`: PostgreSQL's time zones,
the UK summer-time rule on SQLite), as the report's periods are; medians with window
functions, which both databases have.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import Date, Integer, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import aliased

from mettrack.cases.models import Case, CaseEvent
from mettrack.core import audit
from mettrack.core.choices import CaseAction, CaseState, RhiStatus
from mettrack.core.clock import LONDON, today
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, require
from mettrack.core.unit_of_work import transaction
from mettrack.meetings.models import ItemMinute, Meeting
from mettrack.missing.models import MissingEpisode
from mettrack.missing.rules import RHI_DUE_WITHIN, RepeatMissingRule
from mettrack.specialist_services.models import ServiceRequest
from mettrack.statistics import rules
from mettrack.statistics.operational_rules import share
from mettrack.statistics.rules import Period

AUDIT_ACTION = "statistics.operations.viewed"
EXPORT_ACTION = "statistics.operations.exported"


@dataclass
class RhiFigures:
    returned: int = 0  # episodes whose child returned in the period
    within_72h: int = 0  # an offer recorded no later than 72 hours after the return
    late: int = 0  # an offer recorded after the 72 hours
    not_offered: int = 0  # no offer recorded (nothing yet, or "not possible")
    not_possible: int = 0  # of those, recorded as not possible

    @property
    def share_within(self) -> float | None:
        return share(self.within_72h, self.returned)


@dataclass
class ReviewFigures:
    due: int = 0  # review dates set by a MET meeting that fall in the period
    on_time: int = 0  # reviewed at a meeting on or before the date
    late: int = 0  # reviewed at a meeting after the date
    missed: int = 0  # not reviewed since, and the date has passed
    not_yet_due: int = 0  # the date is today or later and no review yet
    case_closed: int = 0  # the case closed before the date, with no review: no longer due

    @property
    def counted(self) -> int:
        return self.on_time + self.late + self.missed

    @property
    def share_on_time(self) -> float | None:
        return share(self.on_time, self.counted)


@dataclass
class MissingFigures:
    episodes: int = 0  # episodes that began in the period
    children: int = 0  # children who went missing in the period
    repeat_children: int = 0  # children missing repeatedly (the partnership's setting) in it


@dataclass
class ReferralFigures:
    referred: int = 0  # cases referred to Children's Services in the period
    outcome_recorded: int = 0  # the outcome of the referral recorded on the case
    to_met_review: int = 0  # went on to MET review since
    closed_before_review: int = 0  # closed without a MET review
    awaiting: int = 0  # still referred, waiting


@dataclass
class Duration:
    count: int = 0
    median_days: float | None = None
    mean_days: float | None = None


@dataclass
class PeriodFigures:
    period: Period
    rhi: RhiFigures = field(default_factory=RhiFigures)
    reviews: ReviewFigures = field(default_factory=ReviewFigures)
    missing: MissingFigures = field(default_factory=MissingFigures)
    referrals: ReferralFigures = field(default_factory=ReferralFigures)
    to_first_review: Duration = field(default_factory=Duration)
    to_first_service: Duration = field(default_factory=Duration)


@dataclass
class OperationalReport:
    period: Period  # the chosen one
    rows: list[PeriodFigures]  # oldest first, the chosen period last
    repeat_rule: RepeatMissingRule

    @property
    def chosen(self) -> PeriodFigures:
        return self.rows[-1]


# --- portable SQL pieces


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _epoch(column):
    """Whole seconds since 1970 of a stored moment (SQLite keeps naive UTC text)."""
    if _dialect() == "sqlite":
        return cast(func.strftime("%s", column), Integer)
    return func.extract("epoch", column)


def _sqlite_london_day(column):
    """The London calendar day of a naive UTC moment, in SQLite (which has no time zones):
    UK summer time (UTC+1) runs from 01:00 UTC on the last Sunday of March to 01:00 UTC
    on the last Sunday of October (the rule since 1996; no period here is older than 2000)."""
    starts = func.datetime(func.strftime("%Y-03-31", column), "-6 days", "weekday 0", "+1 hours")
    ends = func.datetime(func.strftime("%Y-10-31", column), "-6 days", "weekday 0", "+1 hours")
    moment = func.datetime(column)
    summer = and_(moment >= starts, moment < ends)
    return case((summer, func.date(column, "+1 hours")), else_=func.date(column))


def _london_day(column, dialect: str | None = None):
    """The partnership's (Europe/London) calendar day of a stored moment, comparable with a
    Date column: 23:30 UTC on a summer evening is already the next day in London."""
    if (dialect or _dialect()) == "sqlite":
        return _sqlite_london_day(column)
    return cast(func.timezone(LONDON.key, column), Date)


def _days_between(later_day, earlier_day):
    if _dialect() == "sqlite":
        return func.julianday(later_day) - func.julianday(earlier_day)
    return later_day - earlier_day


def _moment_bucket(column, periods: list[Period]):
    """Which period (its index) a moment falls in; NULL outside them all."""
    return case(
        *[(and_(column >= p.starts_at, column < p.ends_before), i) for i, p in enumerate(periods)],
        else_=None,
    )


def _day_bucket(column, periods: list[Period]):
    return case(*[(and_(column >= p.start, column <= p.end), i) for i, p in enumerate(periods)], else_=None)


def _in_moments(column, periods: list[Period]):
    return and_(column >= min(p.starts_at for p in periods), column < max(p.ends_before for p in periods))


def _in_days(column, periods: list[Period]):
    return and_(column >= min(p.start for p in periods), column <= max(p.end for p in periods))


def _count_if(condition):
    return func.sum(case((condition, 1), else_=0))


# --- the figures, each one query grouped by period


def rhi_by_period(periods: list[Period]) -> dict[int, RhiFigures]:
    e = MissingEpisode
    bucket = _moment_bucket(e.returned_at, periods).label("bucket")
    waited = _epoch(e.rhi_offered_at) - _epoch(e.returned_at)
    limit = int(RHI_DUE_WITHIN.total_seconds())
    offered = e.rhi_offered_at.is_not(None)
    query = (
        select(
            bucket,
            func.count(),
            _count_if(and_(offered, waited <= limit)),
            _count_if(and_(offered, waited > limit)),
            _count_if(e.rhi_offered_at.is_(None)),
            _count_if(and_(e.rhi_offered_at.is_(None), e.rhi_status == RhiStatus.NOT_POSSIBLE.value)),
        )
        .where(e.returned_at.is_not(None), _in_moments(e.returned_at, periods))
        .group_by(bucket)
    )
    return {
        row[0]: RhiFigures(*(int(v or 0) for v in row[1:]))
        for row in db.session.execute(query)
        if row[0] is not None
    }


def missing_by_period(periods: list[Period], rule: RepeatMissingRule) -> dict[int, MissingFigures]:
    """Episodes and children per period, and the children missing repeatedly: one pass
    over the episodes ordered by child and moment (a window function), not the episodes
    joined to each child's others."""
    e = MissingEpisode
    # missing/rules.repeat_missing at the start of each episode in the period: that
    # episode and the child's others that began in the `rule.days` days before it (or at
    # the same moment; in whole seconds, as `_epoch` gives them). The child's episodes in
    # order of their start: an episode has `rule.episodes` in its window when the one that
    # many places back (LAG) began in it. Of episodes beginning together only the last in
    # that order sees them all, but the child counts once per period, by any episode.
    window = rule.days * 86400
    since = min(p.starts_at for p in periods) - timedelta(days=rule.days + 1)
    until = max(p.ends_before for p in periods)
    went = e.went_missing_at
    back = func.lag(went, max(rule.episodes - 1, 0), type_=went.type).over(
        partition_by=Case.child_id, order_by=went
    )
    rows = (
        select(
            _moment_bucket(went, periods).label("bucket"),
            Case.child_id.label("child_id"),
            went.label("went"),
            back.label("back"),
        )
        .join(Case, Case.id == e.case_id)
        .where(went >= since, went < until)
        .subquery()
    )
    repeat = and_(rows.c.back.is_not(None), _epoch(rows.c.went) - _epoch(rows.c.back) <= window)
    # Each child once per period first: a GROUP BY, where counting distinct children over
    # the episodes would sort them all.
    per_child = (
        select(
            rows.c.bucket,
            func.count().label("episodes"),
            func.max(case((repeat, 1), else_=0)).label("repeat"),
        )
        .where(rows.c.bucket.is_not(None))
        .group_by(rows.c.bucket, rows.c.child_id)
        .subquery()
    )
    query = select(
        per_child.c.bucket, func.sum(per_child.c.episodes), func.count(), func.sum(per_child.c.repeat)
    ).group_by(per_child.c.bucket)
    return {
        index: MissingFigures(int(episodes), int(children), int(repeated))
        for index, episodes, children, repeated in db.session.execute(query)
    }


def referrals_by_period(periods: list[Period]) -> dict[int, ReferralFigures]:
    reviewed = exists().where(
        CaseEvent.case_id == Case.id,
        CaseEvent.action == CaseAction.SEND_TO_MET_REVIEW.value,
        CaseEvent.occurred_at >= Case.referred_at,
    )
    # What came of each referral, one CASE grouped by: whether the case went on to review
    # is looked up once per case, where a count of each outcome would look it up again.
    fate = case(
        (reviewed, "reviewed"),
        (Case.state == CaseState.CLOSED.value, "closed"),
        (Case.state == CaseState.REFERRED.value, "awaiting"),
        else_="other",
    ).label("fate")
    bucket = _moment_bucket(Case.referred_at, periods).label("bucket")
    query = (
        select(
            bucket,
            fate,
            func.count(),
            _count_if(and_(Case.referral_outcome.is_not(None), Case.referral_outcome != "")),
        )
        .where(Case.referred_at.is_not(None), _in_moments(Case.referred_at, periods))
        .group_by(bucket, fate)
    )
    figures: dict[int, ReferralFigures] = {}
    for index, fate_of, count, outcome in db.session.execute(query):
        if index is None:
            continue
        found = figures.setdefault(index, ReferralFigures())
        found.referred += int(count)
        found.outcome_recorded += int(outcome or 0)
        if fate_of == "reviewed":
            found.to_met_review += int(count)
        elif fate_of == "closed":
            found.closed_before_review += int(count)
        elif fate_of == "awaiting":
            found.awaiting += int(count)
    return figures


def reviews_by_period(periods: list[Period], on: object) -> dict[int, ReviewFigures]:
    """Each review date a MET meeting set (an item's applied decision), in the period its
    date falls in: reviewed at a later meeting on or before it, after it, or not since.
    `on`: today, which decides whether a date without a review has passed."""
    setting, set_at = ItemMinute, Meeting
    later, later_meeting = aliased(ItemMinute), aliased(Meeting)
    due = setting.next_review_on
    reviews_since = (
        exists()
        .where(
            later.case_id == setting.case_id,
            later.applied_at.is_not(None),
            later_meeting.id == later.meeting_id,
            later_meeting.starts_at > set_at.starts_at,
        )
        .correlate(setting, set_at)
    )
    on_time = reviews_since.where(_london_day(later_meeting.starts_at) <= due)
    any_review = reviews_since
    closed_before = and_(Case.closed_at.is_not(None), _london_day(Case.closed_at) <= due)
    bucket = _day_bucket(due, periods).label("bucket")
    query = (
        select(
            bucket,
            func.count(),
            _count_if(on_time),
            _count_if(and_(~on_time, any_review)),
            _count_if(and_(~any_review, ~closed_before, due < on)),
            _count_if(and_(~any_review, ~closed_before, due >= on)),
            _count_if(and_(~any_review, closed_before)),
        )
        .join(set_at, set_at.id == setting.meeting_id)
        .join(Case, Case.id == setting.case_id)
        .where(setting.applied_at.is_not(None), due.is_not(None), _in_days(due, periods))
        .group_by(bucket)
    )
    return {
        row[0]: ReviewFigures(*(int(v or 0) for v in row[1:]))
        for row in db.session.execute(query)
        if row[0] is not None
    }


def _durations(rows) -> dict[int, Duration]:
    """Median and mean days per period of a subquery with columns (bucket, days), in SQL,
    one statement: the median is the middle row (or the mean of the two middle rows) by
    row_number."""
    ranked = select(
        rows.c.bucket,
        rows.c.days,
        func.row_number().over(partition_by=rows.c.bucket, order_by=rows.c.days).label("position"),
        func.count().over(partition_by=rows.c.bucket).label("total"),
    ).subquery()
    middle = or_(
        ranked.c.position == (ranked.c.total + 1) // 2,
        ranked.c.position == (ranked.c.total + 2) // 2,
    )
    # One pass: the mean of all the rows and of the middle ones (AVG leaves out the NULLs).
    query = select(
        ranked.c.bucket, func.count(), func.avg(ranked.c.days), func.avg(case((middle, ranked.c.days)))
    ).group_by(ranked.c.bucket)
    return {
        index: Duration(int(count), float(median), float(mean))
        for index, count, mean, median in db.session.execute(query)
        if index is not None
    }


def to_first_review_by_period(periods: list[Period]) -> dict[int, Duration]:
    """Days from the referral to the case's first MET review after it (a meeting whose
    decisions on the case were applied), in the period of that review."""
    first = (
        select(ItemMinute.case_id.label("case_id"), func.min(Meeting.starts_at).label("first_at"))
        .join(Meeting, Meeting.id == ItemMinute.meeting_id)
        .join(Case, Case.id == ItemMinute.case_id)
        .where(
            ItemMinute.applied_at.is_not(None),
            Case.referred_at.is_not(None),
            Meeting.starts_at >= Case.referred_at,
        )
        .group_by(ItemMinute.case_id)
        .subquery()
    )
    rows = (
        select(
            _moment_bucket(first.c.first_at, periods).label("bucket"),
            _days_between(_london_day(first.c.first_at), _london_day(Case.referred_at)).label("days"),
        )
        .join(Case, Case.id == first.c.case_id)
        .where(_in_moments(first.c.first_at, periods))
        .subquery()
    )
    return _durations(rows)


def to_first_service_by_period(periods: list[Period]) -> dict[int, Duration]:
    """Days from the referral to the first specialist service that accepted the case
    after it, in the period of that acceptance."""
    referred_day = _london_day(Case.referred_at)
    first = (
        select(
            ServiceRequest.case_id.label("case_id"), func.min(ServiceRequest.accepted_on).label("first_on")
        )
        .join(Case, Case.id == ServiceRequest.case_id)
        .where(
            ServiceRequest.accepted_on.is_not(None),
            Case.referred_at.is_not(None),
            ServiceRequest.accepted_on >= referred_day,
        )
        .group_by(ServiceRequest.case_id)
        .subquery()
    )
    rows = (
        select(
            _day_bucket(first.c.first_on, periods).label("bucket"),
            _days_between(first.c.first_on, referred_day).label("days"),
        )
        .join(Case, Case.id == first.c.case_id)
        .where(_in_days(first.c.first_on, periods))
        .subquery()
    )
    return _durations(rows)


# --- the use case


def _repeat_rule() -> RepeatMissingRule:
    from mettrack.missing import repeat_rule

    return repeat_rule()


def figures_for(periods: list[Period]) -> list[PeriodFigures]:
    """Every figure for each period, in the order given (no access check: callers check)."""
    rule = _repeat_rule()
    rhi = rhi_by_period(periods)
    reviews = reviews_by_period(periods, today())
    missing = missing_by_period(periods, rule)
    referrals = referrals_by_period(periods)
    to_review = to_first_review_by_period(periods)
    to_service = to_first_service_by_period(periods)
    return [
        PeriodFigures(
            period,
            rhi.get(i, RhiFigures()),
            reviews.get(i, ReviewFigures()),
            missing.get(i, MissingFigures()),
            referrals.get(i, ReferralFigures()),
            to_review.get(i, Duration()),
            to_service.get(i, Duration()),
        )
        for i, period in enumerate(periods)
    ]


def trend_of(period: Period, count: int) -> list[Period]:
    """The periods a report shows, oldest first: the `count` whole quarters before the
    quarter `period` starts in (never overlapping it), then `period` itself."""
    return [*(q.period for q in rules.quarters_before(period, count)), period]


@transaction
def operational_figures(user, period: Period, *, export: bool = False) -> OperationalReport:
    """Who: the analyst and the MET chair (stats.view). The figures of `period` and the
    quarters before it (STATS_TREND_QUARTERS); writes one audit row naming the periods (a
    read that audits commits that row alone)."""
    require(user, Perm.STATS_VIEW, EXPORT_ACTION if export else AUDIT_ACTION)
    periods = trend_of(period, rules.trend_quarters(current_app.config))
    report = OperationalReport(period, figures_for(periods), _repeat_rule())
    audit.record(
        EXPORT_ACTION if export else AUDIT_ACTION,
        detail={"period": period.key, "trend": [p.key for p in periods[:-1]]},
        actor=user,
    )
    return report
