"""Missing episodes: the Return Home Interview deadline, repeat-missing flag and validation."""

from datetime import UTC, datetime, timedelta

import pytest

from mettrack.domain.missing import (
    EpisodeFacts,
    RepeatMissingRule,
    is_open,
    missing_count_phrase,
    repeat_missing,
    rhi_due_at,
    rhi_offered_late,
    rhi_outstanding,
    rhi_overdue,
    validate_episode,
    validate_return,
    validate_rhi,
)

T0 = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)  # went missing
BACK = T0 + timedelta(days=1)  # returned
H = timedelta(hours=1)


def ep(returned=BACK, status=None, offered=None, held=None):
    return EpisodeFacts(T0, returned, status, offered, held)


def test_rhi_due_72_hours_after_return():
    assert rhi_due_at(ep()) == BACK + timedelta(hours=72)
    assert rhi_due_at(ep(returned=None)) is None


@pytest.mark.parametrize(
    ("facts", "now", "overdue"),
    [
        (ep(), BACK + 71 * H, False),  # within 72 hours
        (ep(), BACK + 72 * H, False),  # exactly at the deadline
        (ep(), BACK + 73 * H, True),  # past it, nothing recorded
        (ep(status="offered", offered=BACK + 2 * H), BACK + 100 * H, False),
        (ep(status="not_possible"), BACK + 100 * H, False),
        (ep(status="declined", offered=BACK + 80 * H), BACK + 100 * H, False),  # late but recorded
        (ep(returned=None), BACK + 500 * H, False),  # still missing: no interview due yet
    ],
)
def test_rhi_overdue(facts, now, overdue):
    assert rhi_overdue(facts, now) is overdue


@pytest.mark.parametrize(
    ("facts", "outstanding", "late", "open_"),
    [
        (ep(), True, False, False),
        (ep(returned=None), False, False, True),
        (ep(status="offered", offered=BACK + 2 * H), False, False, False),
        (ep(status="offered", offered=BACK + 73 * H), False, True, False),
    ],
)
def test_outstanding_late_and_open(facts, outstanding, late, open_):
    assert rhi_outstanding(facts) is outstanding
    assert rhi_offered_late(facts) is late
    assert is_open(facts) is open_


NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
RULE = RepeatMissingRule(episodes=3, days=90)


@pytest.mark.parametrize(
    ("days_ago", "count", "flagged"),
    [
        ([], 0, False),
        ([1, 10], 2, False),
        ([1, 10, 89], 3, True),
        ([1, 10, 91], 2, False),  # the third is outside the period
        ([1, 2, 3, 4], 4, True),
        ([1, 10, 90], 3, True),  # exactly 90 days ago counts
    ],
)
def test_repeat_missing(days_ago, count, flagged):
    result = repeat_missing([NOW - timedelta(days=d) for d in days_ago], NOW, RULE)
    assert (result.episodes_in_period, result.flagged) == (count, flagged)


def test_repeat_missing_rule_is_a_setting():
    starts = [NOW - timedelta(days=d) for d in (1, 20)]
    assert repeat_missing(starts, NOW, RepeatMissingRule(episodes=2, days=30)).flagged
    assert not repeat_missing(starts, NOW, RepeatMissingRule(episodes=2, days=10)).flagged


def test_count_phrase_says_what_happened_without_blame():
    assert missing_count_phrase(3) == "has been missing 3 times"
    assert missing_count_phrase(1) == "has been missing 1 time"
    assert "keeps" not in missing_count_phrase(5)


@pytest.mark.parametrize(
    ("went", "returned", "errors"),
    [
        (T0, None, set()),
        (T0, BACK, set()),
        (None, None, {"went_missing_at"}),
        (NOW + H, None, {"went_missing_at"}),  # future
        (T0, T0 - H, {"returned_at"}),  # back before going missing
        (T0, NOW + H, {"returned_at"}),  # future return
        (T0, T0, set()),
    ],
)
def test_validate_episode(went, returned, errors):
    assert set(validate_episode(went, returned, NOW)) == errors


def test_validate_return_requires_a_return():
    assert "returned_at" in validate_return(T0, None, NOW)
    assert validate_return(T0, BACK, NOW) == {}


def rhi(**kw):
    values = {"status": "offered", "offered_at": BACK + H, "held_at": None, "by": None, "returned_at": BACK}
    return set(validate_rhi(**{**values, **kw}, now=NOW))


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({}, set()),
        ({"status": None}, {"rhi_status"}),
        ({"status": "lost"}, {"rhi_status"}),
        ({"returned_at": None}, {"rhi_status"}),  # no interview before the return
        ({"offered_at": None}, {"rhi_offered_at"}),
        ({"status": "not_possible", "offered_at": None}, set()),
        ({"offered_at": BACK - H}, {"rhi_offered_at"}),  # before the return
        ({"offered_at": NOW + H}, {"rhi_offered_at"}),  # future
        ({"status": "accepted", "held_at": BACK + 2 * H, "by": "Independent RHI worker"}, set()),
        ({"status": "accepted", "held_at": BACK + 2 * H}, {"rhi_by"}),
        ({"status": "accepted", "held_at": BACK}, {"rhi_held_at"}),  # before the offer
        ({"status": "accepted", "held_at": NOW + H, "by": "X"}, {"rhi_held_at"}),
        ({"status": "declined", "held_at": BACK + 2 * H, "by": "X"}, {"rhi_held_at"}),
    ],
)
def test_validate_rhi(changes, errors):
    assert rhi(**changes) == errors
