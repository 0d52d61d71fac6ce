"""The dates of a series and their London start times in UTC (meetings/recurrence.py):
pure rules, no app and no database."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from mettrack.core.choices import MeetingFrequency as F
from mettrack.meetings.recurrence import (
    SeriesRule,
    dates,
    describe,
    month_bounds,
    month_weeks,
    nth_weekday,
    starts_at,
    validate,
)

LONDON = ZoneInfo("Europe/London")
TUESDAY, FRIDAY, MONDAY = 1, 4, 0


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        (F.WEEKLY, [date(2026, 3, 3), date(2026, 3, 10), date(2026, 3, 17)]),
        (F.FORTNIGHTLY, [date(2026, 3, 3), date(2026, 3, 17), date(2026, 3, 31)]),
        (F.FOUR_WEEKLY, [date(2026, 3, 3), date(2026, 3, 31), date(2026, 4, 28)]),
    ],
)
def test_stepped_series_repeat_from_the_first_date(frequency, expected):
    assert dates(SeriesRule(frequency, date(2026, 3, 3)), count=3) == expected


def test_a_series_without_an_end_schedules_the_next_twelve():
    found = dates(SeriesRule(F.WEEKLY, date(2026, 1, 6)))
    assert len(found) == 12 and found[-1] == date(2026, 3, 24)


def test_a_series_stops_at_its_last_date_included():
    rule = SeriesRule(F.FORTNIGHTLY, date(2026, 3, 3), until_on=date(2026, 3, 31))
    assert dates(rule) == [date(2026, 3, 3), date(2026, 3, 17), date(2026, 3, 31)]


def test_a_series_never_schedules_more_than_two_years_of_weekly_meetings():
    rule = SeriesRule(F.WEEKLY, date(2026, 1, 1), until_on=date(2030, 1, 1))
    assert len(dates(rule)) == 104


def test_second_tuesday_of_each_month():
    rule = SeriesRule(F.MONTHLY_WEEKDAY, date(2026, 1, 1), weekday=TUESDAY, week_of_month=2)
    assert dates(rule, count=4) == [
        date(2026, 1, 13),
        date(2026, 2, 10),
        date(2026, 3, 10),
        date(2026, 4, 14),
    ]


def test_monthly_series_starts_at_the_first_matching_day_on_or_after_the_first_date():
    # The second Tuesday of January 2026 is the 13th: starting on the 14th skips to February.
    rule = SeriesRule(F.MONTHLY_WEEKDAY, date(2026, 1, 14), weekday=TUESDAY, week_of_month=2)
    assert dates(rule, count=2) == [date(2026, 2, 10), date(2026, 3, 10)]


def test_last_friday_takes_the_fifth_friday_in_a_month_that_has_one():
    rule = SeriesRule(F.MONTHLY_WEEKDAY, date(2026, 1, 1), weekday=FRIDAY, week_of_month=-1)
    # January 2026 has five Fridays (2, 9, 16, 23, 30); February four.
    assert dates(rule, count=3) == [date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 27)]


def test_last_weekday_crosses_the_year_end():
    rule = SeriesRule(F.MONTHLY_WEEKDAY, date(2026, 12, 1), weekday=MONDAY, week_of_month=-1)
    assert dates(rule, count=2) == [date(2026, 12, 28), date(2027, 1, 25)]


def test_a_fifth_weekday_exists_in_some_months_only():
    assert nth_weekday(2026, 3, MONDAY, 5) == date(2026, 3, 30)
    assert nth_weekday(2026, 2, MONDAY, 5) is None


def test_a_fifth_weekday_is_refused_with_last_suggested():
    rule = SeriesRule(F.MONTHLY_WEEKDAY, date(2026, 1, 1), weekday=MONDAY, week_of_month=5)
    assert "last" in validate(rule)["week_of_month"]


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (SeriesRule("daily", date(2026, 1, 1)), "frequency"),
        (SeriesRule(F.MONTHLY_WEEKDAY, date(2026, 1, 1), weekday=None, week_of_month=1), "weekday"),
        (SeriesRule(F.MONTHLY_WEEKDAY, date(2026, 1, 1), weekday=9, week_of_month=1), "weekday"),
        (SeriesRule(F.MONTHLY_WEEKDAY, date(2026, 1, 1), weekday=1, week_of_month=0), "week_of_month"),
        (SeriesRule(F.WEEKLY, date(2026, 3, 1), until_on=date(2026, 2, 1)), "until_on"),
        (SeriesRule(F.WEEKLY, date(2026, 3, 1), until_on=date(2029, 3, 1)), "until_on"),
        # The second Tuesday of March 2026 is the 10th: nothing between the 11th and the 20th.
        (
            SeriesRule(F.MONTHLY_WEEKDAY, date(2026, 3, 11), 1, 2, until_on=date(2026, 3, 20)),
            "until_on",
        ),
    ],
)
def test_unsound_rules_name_their_field(rule, field):
    assert field in validate(rule)


def test_a_sound_rule_has_no_errors():
    assert validate(SeriesRule(F.MONTHLY_WEEKDAY, date(2026, 1, 1), weekday=1, week_of_month=-1)) == {}


def test_local_start_follows_the_clock_changes():
    ten = time(10, 0)
    assert starts_at(date(2026, 3, 24), ten, LONDON) == datetime(2026, 3, 24, 10, tzinfo=UTC)  # GMT
    assert starts_at(date(2026, 3, 31), ten, LONDON) == datetime(2026, 3, 31, 9, tzinfo=UTC)  # BST
    assert starts_at(date(2026, 10, 27), ten, LONDON) == datetime(2026, 10, 27, 10, tzinfo=UTC)  # GMT again


def test_weekly_series_keeps_ten_oclock_in_london_across_the_spring_change():
    rule = SeriesRule(F.WEEKLY, date(2026, 3, 24))
    moments = [starts_at(d, time(10), LONDON) for d in dates(rule, count=2)]
    assert [m.astimezone(LONDON).hour for m in moments] == [10, 10]
    assert [m.hour for m in moments] == [10, 9]


def test_a_time_in_the_skipped_hour_moves_forward_and_a_repeated_one_is_the_first():
    # 29 March 2026: 01:00 GMT becomes 02:00 BST; 25 October 2026: 02:00 BST becomes 01:00 GMT.
    skipped = starts_at(date(2026, 3, 29), time(1, 30), LONDON)
    assert skipped == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert skipped.astimezone(LONDON).strftime("%H:%M") == "02:30"
    repeated = starts_at(date(2026, 10, 25), time(1, 30), LONDON)
    assert repeated == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_describe_names_the_rule():
    assert describe(SeriesRule(F.FORTNIGHTLY, date(2026, 1, 1))) == "Every two weeks"
    assert (
        describe(SeriesRule(F.MONTHLY_WEEKDAY, date(2026, 1, 1), weekday=1, week_of_month=2))
        == "Monthly on the second Tuesday"
    )


def test_month_calendar_starts_on_monday_and_marks_other_months():
    weeks = month_weeks(2026, 3)
    assert weeks[0][0].day == date(2026, 2, 23) and not weeks[0][0].in_month
    assert weeks[0][6].day == date(2026, 3, 1) and weeks[0][6].in_month
    assert all(len(week) == 7 for week in weeks)


def test_month_bounds_are_london_midnights_in_utc():
    start, end = month_bounds(2026, 4, LONDON)
    assert start == datetime(2026, 3, 31, 23, tzinfo=UTC)
    assert end == datetime(2026, 4, 30, 23, tzinfo=UTC)
