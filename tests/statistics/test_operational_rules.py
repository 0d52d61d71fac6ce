"""The periods the operational figures count in (statistics/rules.py, the same as the
exploitation-list report's), read from the page's address (report.period_asked), and how
the figures are written (statistics/operational_rules.py): plain values, no database."""

from datetime import UTC, date, datetime

import pytest

from mettrack.core.errors import ValidationError
from mettrack.statistics import operational, report, rules
from mettrack.statistics.operational_rules import days_text, share, share_text
from mettrack.statistics.rules import Period, Quarter

TODAY = date(2026, 11, 20)


def test_a_quarter_begins_at_midnight_in_london_not_utc():
    q = Quarter(2026, 3).period  # British Summer Time: midnight is 23:00 UTC the day before
    assert (q.start, q.end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert q.starts_at == datetime(2026, 6, 30, 23, tzinfo=UTC)
    assert q.ends_before == datetime(2026, 9, 30, 23, tzinfo=UTC)
    assert Quarter(2026, 1).period.starts_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert Quarter(2026, 4).period.ends_before == datetime(2027, 1, 1, tzinfo=UTC)


def test_the_trend_is_the_quarters_before_the_period_oldest_first():
    trend = operational.trend_of(Quarter(2026, 1).period, 4)
    assert [p.key for p in trend] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    assert operational.trend_of(Quarter(2026, 1).period, 0) == [Quarter(2026, 1).period]


def test_a_date_range_trend_never_overlaps_the_range():
    period = Period(date(2026, 8, 15), date(2026, 10, 10))
    before = rules.quarters_before(period, 4)
    assert before[-1].end < period.start
    assert before[-1] == Quarter(2026, 2)


def test_chart_labels_are_short_and_on_two_lines():
    assert Quarter(2025, 3).period.chart_label == "Jul - Sep\n2025"
    assert Quarter(2025, 3).period.short_label == "Jul - Sep 2025"
    ranged = Period(date(2026, 8, 1), date(2026, 10, 31))
    assert ranged.short_label == "1 Aug 2026 - 31 Oct 2026"
    assert ranged.chart_label == "1 Aug 2026 -\n31 Oct 2026"


def _dates(first, last):
    form = {}
    for name, day in (("from", first), ("to", last)):
        for part, value in zip(("day", "month", "year"), day, strict=True):
            form[f"{name}-{part}"] = value
    return form


def test_the_address_gives_a_quarter_or_a_range_and_back():
    assert report.period_asked({}, TODAY) == Quarter(2026, 3).period
    assert report.period_asked({"quarter": "2026-Q2"}, TODAY) == Quarter(2026, 2).period
    ranged = report.period_asked(_dates(("1", "8", "2026"), ("31", "10", "2026")), TODAY)
    assert (ranged.start, ranged.end, ranged.quarter) == (date(2026, 8, 1), date(2026, 10, 31), None)
    assert ranged.label == "1 August 2026 - 31 October 2026"
    for period in (Quarter(2026, 2).period, ranged):
        assert report.period_asked(period.query, TODAY) == period


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        (_dates(("31", "10", "2026"), ("1", "8", "2026")), "to", "same as or after the start"),
        (_dates(("", "8", "2026"), ("1", "9", "2026")), "from", "must include a day"),
        (_dates(("30", "2", "2026"), ("1", "9", "2026")), "from", "must be a real date"),
        (_dates(("1", "1", "2020"), ("1", "9", "2026")), "to", "at most 5 years"),
        (_dates(("1", "1", "2027"), ("2", "1", "2027")), "to", "today or in the past"),
        ({"quarter": "2026-5"}, "quarter", "Quarter must be written like 2022-Q3"),
        ({"quarter": "2027-Q1"}, "quarter", "cannot be in the future"),
    ],
)
def test_a_bad_period_names_the_field(query, field, words):
    with pytest.raises(ValidationError) as refused:
        report.period_asked(query, TODAY)
    assert words in refused.value.errors[field]


def test_shares_and_days_are_written_for_a_reader():
    assert share(3, 4) == 75.0
    assert share(0, 0) is None
    assert share_text(9, 12) == "75% (9 of 12)"
    assert share_text(0, 0) == "no figures"
    assert days_text(1) == "1 day"
    assert days_text(22.5) == "22.5 days"
    assert days_text(None) == "no figures"
