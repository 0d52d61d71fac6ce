"""The operational figures' periods and the period chooser (statistics/operational_rules.py):
plain values, no app, no database."""

from datetime import UTC, date, datetime

import pytest

from mettrack.statistics import operational_rules as rules

TODAY = date(2026, 11, 20)


def test_a_quarter_runs_from_its_first_day_to_its_last():
    q = rules.quarter(2026, 3)
    assert (q.first, q.last, q.label) == (date(2026, 7, 1), date(2026, 9, 30), "Jul - Sep 2026")
    assert rules.quarter(2026, 4).last == date(2026, 12, 31)


def test_a_quarter_begins_at_midnight_in_london_not_utc():
    q = rules.quarter(2026, 3)  # British Summer Time: midnight is 23:00 UTC the day before
    assert q.starts_at == datetime(2026, 6, 30, 23, tzinfo=UTC)
    assert q.ends_before == datetime(2026, 9, 30, 23, tzinfo=UTC)
    assert rules.quarter(2026, 1).starts_at == datetime(2026, 1, 1, tzinfo=UTC)


def test_the_trend_is_the_four_quarters_before_the_period_oldest_first():
    trend = rules.trend_of(rules.quarter(2026, 1))
    assert [p.label for p in trend] == [
        "Jan - Mar 2025",
        "Apr - Jun 2025",
        "Jul - Sep 2025",
        "Oct - Dec 2025",
        "Jan - Mar 2026",
    ]


def test_a_date_range_trend_never_overlaps_the_range():
    period = rules.Period(date(2026, 8, 15), date(2026, 10, 10), "range")
    before = rules.previous_quarters(period)
    assert before[-1].last < period.first
    assert before[-1].label == "Apr - Jun 2026"


def test_with_no_choice_the_period_is_the_last_whole_quarter():
    period, errors = rules.parse_period({}, TODAY)
    assert errors == {}
    assert period.label == "Jul - Sep 2026"


def test_a_quarter_is_chosen_from_the_list():
    period, errors = rules.parse_period({"quarter": "2026-2"}, TODAY)
    assert errors == {} and period == rules.quarter(2026, 2)
    assert rules.quarter_value(period) == "2026-2"


@pytest.mark.parametrize("value", ["2026-5", "1999-1", "next", "2027-1"])
def test_a_quarter_not_in_the_list_is_refused_naming_the_field(value):
    _, errors = rules.parse_period({"quarter": value}, TODAY)
    assert errors == {"quarter": "Choose a quarter from the list"}


def _range(first, last):
    form = {"range": "1"}
    for name, day in (("from", first), ("to", last)):
        for part, value in zip(("day", "month", "year"), day, strict=True):
            form[f"{name}-{part}"] = value
    return form


def test_a_date_range_is_read_from_two_date_inputs():
    period, errors = rules.parse_period(_range(("1", "8", "2026"), ("31", "10", "2026")), TODAY)
    assert errors == {}
    assert (period.first, period.last) == (date(2026, 8, 1), date(2026, 10, 31))
    assert period.label == "1 August 2026 to 31 October 2026"
    assert rules.quarter_value(period) == ""
    assert period.chart_label == "1 Aug 2026 -\n31 Oct 2026"
    assert rules.quarter(2026, 3).chart_label == "Jul - Sep\n2026"


@pytest.mark.parametrize(
    ("first", "last", "field", "words"),
    [
        (("31", "10", "2026"), ("1", "8", "2026"), "to", "same as or after the start date"),
        (("", "8", "2026"), ("1", "9", "2026"), "from", "must include a day"),
        (("30", "2", "2026"), ("1", "9", "2026"), "from", "must be a real date"),
        (("1", "1", "2020"), ("1", "9", "2026"), "to", "at most 2 years"),
        (("1", "1", "2027"), ("2", "1", "2027"), "from", "today or in the past"),
    ],
)
def test_a_bad_date_range_names_the_field(first, last, field, words):
    _, errors = rules.parse_period(_range(first, last), TODAY)
    assert field in errors and words in errors[field]


def test_shares_and_days_are_written_for_a_reader():
    assert rules.share(3, 4) == 75.0
    assert rules.share(0, 0) is None
    assert rules.share_text(9, 12) == "75% (9 of 12)"
    assert rules.share_text(0, 0) == "no figures"
    assert rules.days_text(1) == "1 day"
    assert rules.days_text(22.5) == "22.5 days"
    assert rules.days_text(None) == "no figures"
