"""Missing episodes: the Return Home Interview deadline, repeat-missing flag and validation."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mettrack.missing.rules import (
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
DAY = timedelta(days=1)


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


# An episode already recorded: missing from T0 for a day.
EARLIER = EpisodeFacts(T0, BACK)
STILL_MISSING = EpisodeFacts(T0 + 3 * DAY)  # no return yet


@pytest.mark.parametrize(
    ("went", "returned", "recorded", "message"),
    [
        (T0 + 2 * DAY, None, [EARLIER], None),  # after the earlier one: fine
        (BACK, BACK + H, [EARLIER], None),  # missing again the moment they came back
        (T0 - 2 * DAY, T0 - DAY, [EARLIER], None),  # before it
        (
            T0 + H,
            None,
            [EARLIER],
            "overlaps the missing episode from 1 March 2026 20:00 to 2 March 2026 20:00",
        ),
        (T0 - H, T0 + H, [EARLIER], "overlaps the missing episode"),  # runs into it
        (T0 - H, BACK + H, [EARLIER], "overlaps the missing episode"),  # covers it
        (T0 - DAY, None, [EARLIER], "overlaps the missing episode"),  # open, begins before it
        (T0 + 4 * DAY, None, [STILL_MISSING], "record the return of the open episode first"),
        (T0 + 4 * DAY, T0 + 5 * DAY, [STILL_MISSING], "record the return of the open episode first"),
        (T0 + 2 * DAY, None, [STILL_MISSING], "record the return of the open episode first"),
        # Recording an earlier episode, with its return, while the child is missing now.
        (T0 + DAY + H, T0 + 2 * DAY, [EARLIER, STILL_MISSING], None),
        # Both clash: the open episode is named, as its return is what to record first.
        (T0 + H, None, [EARLIER, STILL_MISSING], "missing since 4 March 2026 20:00"),
    ],
)
def test_a_new_episode_may_not_overlap_one_already_recorded(went, returned, recorded, message):
    errors = validate_episode(went, returned, NOW, recorded)
    if message is None:
        assert errors == {}
    else:
        assert set(errors) == {"went_missing_at"} and message in errors["went_missing_at"]


def test_overlap_messages_show_times_in_the_time_zone_asked_for():
    london = ZoneInfo("Europe/London")
    summer = EpisodeFacts(datetime(2026, 7, 1, 21, tzinfo=UTC))
    errors = validate_episode(datetime(2026, 7, 2, 9, tzinfo=UTC), None, NOW + 200 * DAY, [summer], london)
    assert "missing since 1 July 2026 22:00" in errors["went_missing_at"]  # BST


def test_a_return_may_not_run_into_the_next_episode():
    later = EpisodeFacts(BACK + DAY, BACK + 2 * DAY)
    assert validate_return(T0, BACK, NOW, others=[later]) == {}
    errors = validate_return(T0, BACK + DAY + H, NOW, others=[later])
    assert "went missing again on 3 March 2026 20:00" in errors["returned_at"]
    before = EpisodeFacts(T0 - DAY)  # an older episode still open
    assert (
        "record the return of the open episode first"
        in validate_return(T0, BACK, NOW, others=[before])["returned_at"]
    )


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
