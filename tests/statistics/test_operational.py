"""The operational figures counted in SQL (statistics/operational.py), on made-up records:
Return Home Interviews at the 72-hour boundary, repeat missing, reviews on time, referrals
and the days to a first review and a service. Quarter: July - September 2026."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import func, select

from mettrack.accounts.models import User
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, RhiStatus, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import NotAllowed
from mettrack.core.extensions import db
from mettrack.meetings.models import ItemMinute, Meeting
from mettrack.missing.models import MissingEpisode
from mettrack.statistics import operational
from mettrack.statistics.rules import Quarter
from tests import factories

Q3 = Quarter(2026, 3).period
Q2 = Quarter(2026, 2).period
NOW = datetime(2026, 11, 2, 12, tzinfo=UTC)


def at(month, day, hour=12, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def ctx(app_ctx):
    set_now(NOW)
    chair = factories.user(roles=(Role.MET_CHAIR,))
    return chair


def _episode(case, went, returned=None, **rhi):
    db.session.add(
        MissingEpisode(
            case_id=case.id,
            went_missing_at=went,
            returned_at=returned,
            recorded_by_id=db.session.scalar(select(func.min(User.id))),
            **rhi,
        )
    )
    db.session.commit()


def _figures(*periods):
    return operational.figures_for(list(periods))


def test_an_rhi_offered_exactly_72_hours_after_the_return_is_within_and_a_minute_later_is_not(ctx):
    case = factories.case()
    back = at(7, 10, 9)
    offered = dict(rhi_status=RhiStatus.OFFERED.value)
    _episode(case, at(7, 9), back, rhi_offered_at=back + timedelta(hours=72), **offered)
    _episode(case, at(7, 20), at(7, 21, 9), rhi_offered_at=at(7, 24, 9, 1), **offered)
    _episode(case, at(8, 1), at(8, 2), rhi_offered_at=at(8, 2, 15), rhi_status=RhiStatus.ACCEPTED.value)
    _episode(case, at(8, 10), at(8, 11), rhi_status=RhiStatus.NOT_POSSIBLE.value)
    _episode(case, at(8, 20), at(8, 21))  # nothing recorded yet
    _episode(case, at(6, 1), at(6, 2), rhi_offered_at=at(6, 3), **offered)  # the quarter before
    _episode(case, at(9, 30, 22), None)  # still missing: no return to count

    [before, chosen] = _figures(Q2, Q3)
    assert (chosen.rhi.returned, chosen.rhi.within_72h, chosen.rhi.late) == (5, 2, 1)
    assert (chosen.rhi.not_offered, chosen.rhi.not_possible) == (2, 1)
    assert chosen.rhi.share_within == 40.0
    assert (before.rhi.returned, before.rhi.within_72h) == (1, 1)


def test_a_return_counts_in_the_quarter_of_its_london_day(ctx):
    case = factories.case()
    # 30 September 23:30 UTC is 1 October 00:30 in London: the next quarter.
    _episode(case, at(9, 30, 20), at(9, 30, 23, 30), rhi_offered_at=at(10, 1, 9), rhi_status="offered")
    [chosen] = _figures(Q3)
    assert chosen.rhi.returned == 0


def test_a_child_missing_three_times_in_90_days_is_counted_once_as_missing_repeatedly(ctx):
    repeated, spread = factories.case(), factories.case()
    for day in (at(5, 20), at(7, 1), at(8, 10), at(8, 20)):  # 3 within 90 days by 10 August
        _episode(repeated, day, day + timedelta(hours=5))
    for day in (at(3, 1), at(5, 15), at(8, 14)):  # never 3 within 90 days
        _episode(spread, day, day + timedelta(hours=5))

    [chosen] = _figures(Q3)
    assert (chosen.missing.episodes, chosen.missing.children, chosen.missing.repeat_children) == (4, 2, 1)


def test_the_90th_day_is_inside_the_repeat_window(ctx):
    case = factories.case()
    first = at(6, 1)
    for moment in (first, first + timedelta(days=45), first + timedelta(days=90)):
        _episode(case, moment, moment + timedelta(hours=1))
    [chosen] = _figures(Q3)
    assert chosen.missing.repeat_children == 1


def test_a_childs_episodes_on_an_earlier_case_count_towards_missing_repeatedly(ctx):
    earlier = factories.case(state=CaseState.CLOSED)
    later = factories.case(child_obj=earlier.child)
    _episode(earlier, at(6, 20), at(6, 21))  # the quarter before, on the closed case
    for day in (at(7, 5), at(7, 25)):
        _episode(later, day, day + timedelta(hours=3))
    other = factories.case()
    for day in (at(7, 6), at(7, 26)):  # twice only
        _episode(other, day, day + timedelta(hours=3))

    [before, chosen] = _figures(Q2, Q3)
    assert (chosen.missing.episodes, chosen.missing.children, chosen.missing.repeat_children) == (4, 2, 1)
    assert (before.missing.episodes, before.missing.repeat_children) == (1, 0)


def test_episodes_that_begin_at_the_same_moment_each_count_towards_missing_repeatedly(ctx):
    case, other = factories.case(), factories.case()
    _episode(case, at(6, 10), at(6, 11))
    for _ in range(2):  # recorded twice, say by two agencies
        _episode(case, at(7, 3, 8), at(7, 3, 20))
    _episode(other, at(7, 3, 8), at(7, 3, 20))
    _episode(other, at(7, 4, 8), at(7, 4, 20))

    [chosen] = _figures(Q3)
    assert (chosen.missing.episodes, chosen.missing.children, chosen.missing.repeat_children) == (4, 2, 1)


def _meeting(chair, when) -> Meeting:
    meeting = Meeting(
        title="MET", starts_at=when, chair_id=chair.id, ical_uid=str(uuid4()), created_by_id=chair.id
    )
    db.session.add(meeting)
    db.session.commit()
    return meeting


def _reviewed(chair, meeting, case, next_review_on=None, applied=True):
    db.session.add(
        ItemMinute(
            meeting_id=meeting.id,
            case_id=case.id,
            recorded_by_id=chair.id,
            next_review_on=next_review_on,
            applied_at=meeting.starts_at if applied else None,
        )
    )
    db.session.commit()


def test_reviews_on_time_late_missed_and_not_yet_due(ctx):
    chair = ctx
    on_time, late, missed, closed = (factories.case() for _ in range(4))
    july = _meeting(chair, at(7, 2, 10))
    for case in (on_time, late, missed, closed):
        _reviewed(chair, july, case, next_review_on=date(2026, 8, 6))
    _reviewed(chair, _meeting(chair, at(8, 6, 10)), on_time)  # on the day itself: on time
    _reviewed(chair, _meeting(chair, at(8, 20, 10)), late)
    _reviewed(chair, _meeting(chair, at(8, 27, 10)), missed, applied=False)  # minuted, never applied
    closed.closed_at = at(7, 20)
    db.session.commit()
    upcoming = factories.case()
    _reviewed(chair, _meeting(chair, at(10, 1, 10)), upcoming, next_review_on=date(2026, 12, 3))

    [chosen] = _figures(Q3)
    r = chosen.reviews
    assert (r.due, r.on_time, r.late, r.missed, r.case_closed) == (4, 1, 1, 1, 1)
    assert r.share_on_time == pytest.approx(100 / 3)
    [later] = _figures(Quarter(2026, 4).period)
    assert (later.reviews.due, later.reviews.not_yet_due, later.reviews.counted) == (1, 1, 0)


def test_days_from_referral_to_first_review_and_service_median_and_mean(ctx):
    chair = ctx
    cases = [factories.case(state=CaseState.REFERRED) for _ in range(3)]
    for case, waited in zip(cases, (14, 30, 40), strict=True):
        case.referred_at = at(6, 20, 9)
        db.session.commit()
        reviewed_at = at(6, 20, 10) + timedelta(days=waited)
        _reviewed(chair, _meeting(chair, reviewed_at), case, next_review_on=date(2026, 12, 1))
        _reviewed(chair, _meeting(chair, reviewed_at + timedelta(days=7)), case)  # not the first
    service = factories.accepted_service(cases[0].id, chair.id, accepted_on=date(2026, 7, 20))
    db.session.add(service)
    db.session.commit()

    [chosen] = _figures(Q3)
    assert chosen.to_first_review.count == 3
    assert chosen.to_first_review.median_days == 30
    assert chosen.to_first_review.mean_days == pytest.approx(28)
    assert (chosen.to_first_service.count, chosen.to_first_service.median_days) == (1, 30)
    [nothing] = _figures(Q2)
    assert nothing.to_first_review.count == 0 and nothing.to_first_review.median_days is None


def test_an_even_number_of_waits_has_the_mean_of_the_middle_two_as_median(ctx):
    chair = ctx
    for waited in (10, 20):
        case = factories.case(state=CaseState.REFERRED)
        case.referred_at = at(7, 1, 9)
        db.session.commit()
        _reviewed(chair, _meeting(chair, at(7, 1, 10) + timedelta(days=waited)), case)
    [chosen] = _figures(Q3)
    assert chosen.to_first_review.median_days == 15


def test_referrals_and_what_came_of_them(ctx):
    set_now(at(8, 1))
    waiting = factories.case(state=CaseState.REFERRED)
    reviewed = factories.case(state=CaseState.MET_REVIEW)
    waiting.referral_outcome = "Assessment by the social work team"
    db.session.commit()
    set_now(at(5, 1))
    factories.case(state=CaseState.REFERRED)  # the quarter before
    set_now(NOW)

    [before, chosen] = _figures(Q2, Q3)
    f = chosen.referrals
    assert (f.referred, f.outcome_recorded, f.to_met_review, f.closed_before_review, f.awaiting) == (
        2,
        1,
        1,
        0,
        1,
    )
    assert before.referrals.referred == 1
    assert reviewed.state == CaseState.MET_REVIEW


def test_the_read_is_audited_naming_the_periods_and_refused_to_a_lead(ctx):
    analyst = factories.user(roles=(Role.ANALYST,))
    report = operational.operational_figures(analyst, Q3)
    assert [r.period.key for r in report.rows] == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    row = db.session.scalars(select(AuditEvent).where(AuditEvent.action == operational.AUDIT_ACTION)).one()
    assert row.actor_user_id == analyst.id
    assert Q3.key in row.detail
    lead = factories.user(roles=(Role.LEAD_PROFESSIONAL,))
    with pytest.raises(NotAllowed):
        operational.operational_figures(lead, Q3)


def test_a_review_at_23_30_utc_in_summer_is_on_the_next_london_day(ctx):
    chair = ctx
    late, on_time = factories.case(), factories.case()
    july = _meeting(chair, at(7, 2, 10))
    for case in (late, on_time):
        _reviewed(chair, july, case, next_review_on=date(2026, 8, 6))
    # 6 August 23:30 UTC is 7 August 00:30 in London: after the date, so late.
    _reviewed(chair, _meeting(chair, at(8, 6, 23, 30)), late)
    # 5 August 23:30 UTC is 6 August 00:30 in London: the day itself, so on time.
    _reviewed(chair, _meeting(chair, at(8, 5, 23, 30)), on_time)
    [chosen] = _figures(Q3)
    assert (chosen.reviews.due, chosen.reviews.on_time, chosen.reviews.late) == (2, 1, 1)


def test_days_to_a_first_review_count_london_days(ctx):
    chair = ctx
    case = factories.case(state=CaseState.REFERRED)
    case.referred_at = at(6, 30, 23, 30)  # 1 July 00:30 in London
    db.session.commit()
    _reviewed(chair, _meeting(chair, at(7, 11, 10)), case)
    [chosen] = _figures(Q3)
    assert chosen.to_first_review.median_days == 10


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        ("2026-08-06 23:30:00.000000", "2026-08-07"),  # summer: UTC+1
        ("2026-12-06 23:30:00.000000", "2026-12-06"),  # winter: UTC
        ("2026-03-29 00:59:59.000000", "2026-03-29"),  # summer time starts at 01:00 UTC
        ("2026-03-28 23:30:00.000000", "2026-03-28"),
        ("2026-03-29 23:30:00.000000", "2026-03-30"),
        ("2026-10-24 23:30:00.000000", "2026-10-25"),  # summer time ends at 01:00 UTC
        ("2026-10-25 23:30:00.000000", "2026-10-25"),
    ],
)
def test_sqlite_takes_the_london_day_of_a_utc_moment(moment, day):
    from sqlalchemy import String, create_engine, literal

    with create_engine("sqlite://").connect() as connection:
        found = connection.scalar(select(operational._london_day(literal(moment, String), "sqlite")))
    assert found == day
