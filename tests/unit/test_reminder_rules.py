"""reminders/rules.py: when each reminder falls due, to whom, and the retry backoff."""

from datetime import UTC, date, datetime, timedelta

import pytest

from mettrack.reminders import rules
from mettrack.reminders.rules import ReminderKind, ReminderRules

REVIEW_ON = date(2026, 12, 14)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 12, 7, 7, 59), None),
        (utc(2026, 12, 7, 8, 0), (ReminderKind.REVIEW_DUE, utc(2026, 12, 7, 8))),
        (utc(2026, 12, 14, 23, 0), (ReminderKind.REVIEW_DUE, utc(2026, 12, 7, 8))),  # due today: not overdue
        (utc(2026, 12, 15, 7, 59), (ReminderKind.REVIEW_DUE, utc(2026, 12, 7, 8))),
        (utc(2026, 12, 15, 8, 0), (ReminderKind.REVIEW_OVERDUE, utc(2026, 12, 15, 8))),
    ],
)
def test_review_reminder_seven_days_before_then_overdue_the_morning_after(now, expected):
    assert rules.review_reminder(REVIEW_ON, now) == expected


def test_review_moments_are_eight_in_the_morning_in_london_in_summer():
    # British Summer Time: 08:00 in London is 07:00 UTC.
    kind, due = rules.review_reminder(date(2026, 7, 10), utc(2026, 7, 3, 7, 0))
    assert kind is ReminderKind.REVIEW_DUE and due == utc(2026, 7, 3, 7, 0)


def test_rhi_reminders_at_24_and_72_hours_after_return():
    back = utc(2026, 12, 1, 22, 30)
    assert rules.rhi_reminder(back, back + timedelta(hours=23, minutes=59)) is None
    assert rules.rhi_reminder(back, back + timedelta(hours=24)) == (
        ReminderKind.RHI_TO_OFFER,
        back + timedelta(hours=24),
    )
    assert rules.rhi_reminder(back, back + timedelta(hours=72)) == (
        ReminderKind.RHI_OVERDUE,
        back + timedelta(hours=72),
    )


def test_offsets_come_from_the_rules():
    custom = ReminderRules(review_due_days=3, rhi_to_offer_hours=12, rhi_overdue_hours=48, send_hour=9)
    assert rules.review_due_moment(REVIEW_ON, custom) == utc(2026, 12, 11, 9)
    back = utc(2026, 12, 1)
    assert rules.rhi_reminder(back, back + timedelta(hours=12), custom)[0] is ReminderKind.RHI_TO_OFFER
    assert rules.rhi_reminder(back, back + timedelta(hours=48), custom)[0] is ReminderKind.RHI_OVERDUE


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"review_due_days": -1}, "review_due_days"),
        ({"rhi_to_offer_hours": 72}, "before it is overdue"),
        ({"send_hour": 24}, "send_hour"),
        ({"digest_hour": -1}, "digest_hour"),
    ],
)
def test_unusable_rules_are_refused_by_name(changes, message):
    with pytest.raises(ValueError, match=message):
        ReminderRules(**changes).check()


def test_the_lead_is_told_and_the_chairs_too_when_overdue():
    assert rules.recipients(5, True, [1, 2], ReminderKind.REVIEW_DUE) == [5]
    assert rules.recipients(5, True, [1, 2], ReminderKind.RHI_OVERDUE) == [5, 1, 2]
    assert rules.recipients(1, True, [1, 2], ReminderKind.REVIEW_OVERDUE) == [1, 2]  # the lead is a chair


def test_with_no_active_lead_the_chairs_are_told():
    assert rules.recipients(5, False, [1, 2], ReminderKind.RHI_TO_OFFER) == [1, 2]
    assert rules.recipients(None, False, [1], ReminderKind.REVIEW_DUE) == [1]


def test_lookback_drops_what_fell_due_long_ago():
    now = utc(2026, 12, 1)
    assert rules.within_lookback(now - timedelta(days=14), now)
    assert not rules.within_lookback(now - timedelta(days=14, seconds=1), now)


def test_the_digest_goes_at_the_next_digest_hour():
    assert rules.next_digest_moment(utc(2026, 12, 1, 6, 59)) == utc(2026, 12, 1, 7)
    assert rules.next_digest_moment(utc(2026, 12, 1, 7, 0)) == utc(2026, 12, 2, 7)


def test_retry_backoff_doubles_and_is_capped():
    assert [rules.retry_countdown(n, 60, 1800) for n in range(1, 8)] == [60, 120, 240, 480, 960, 1800, 1800]


def test_message_ids_are_stable_per_round():
    assert rules.message_id(7, 1, "example.org") == "<reminder.7.1@example.org>"
    assert rules.message_id(7, 2, "example.org") != rules.message_id(7, 1, "example.org")
