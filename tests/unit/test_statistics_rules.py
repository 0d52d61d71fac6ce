"""The quarterly report's rules (mettrack/statistics/rules.py): no app, no database."""

from datetime import date, timedelta

import pytest

from mettrack.statistics import rules
from mettrack.statistics.rules import PRIMARY, SECONDARY, Quarter, TypeSummary

TODAY = date(2026, 12, 4)


# --- quarters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "quarter, start, end, label",
    [
        (Quarter(2022, 1), date(2022, 1, 1), date(2022, 3, 31), "January - March 2022"),
        (Quarter(2022, 2), date(2022, 4, 1), date(2022, 6, 30), "April - June 2022"),
        (Quarter(2022, 3), date(2022, 7, 1), date(2022, 9, 30), "July - September 2022"),
        (Quarter(2022, 4), date(2022, 10, 1), date(2022, 12, 31), "October - December 2022"),
        (Quarter(2024, 1), date(2024, 1, 1), date(2024, 3, 31), "January - March 2024"),
    ],
)
def test_quarter_days_and_label(quarter, start, end, label):
    assert (quarter.start, quarter.end, quarter.label) == (start, end, label)
    assert quarter.period.label == label


def test_quarters_follow_each_other_across_years():
    assert Quarter(2022, 4).next() == Quarter(2023, 1)
    assert Quarter(2023, 1).previous() == Quarter(2022, 4)
    assert rules.previous_quarters(Quarter(2023, 2), 4) == [
        Quarter(2022, 2),
        Quarter(2022, 3),
        Quarter(2022, 4),
        Quarter(2023, 1),
    ]
    assert rules.previous_quarters(Quarter(2023, 2), 0) == []


@pytest.mark.parametrize(
    "day, quarter",
    [
        (date(2022, 3, 31), Quarter(2022, 1)),
        (date(2022, 4, 1), Quarter(2022, 2)),
        (date(2022, 9, 30), Quarter(2022, 3)),
        (date(2022, 12, 31), Quarter(2022, 4)),
    ],
)
def test_quarter_of_a_day(day, quarter):
    assert rules.quarter_of(day) == quarter


@pytest.mark.parametrize("text", ["2022-Q3", "2022Q3", "2022-q3", " 2022-Q3 "])
def test_parse_quarter(text):
    assert rules.parse_quarter(text) == Quarter(2022, 3)


@pytest.mark.parametrize("text", ["", "2022-Q5", "2022-Q0", "Q3-2022", "22-Q3", "2022-Q3x", "٢٠٢٢-Q3"])
def test_parse_quarter_refuses(text):
    assert rules.parse_quarter(text) is None


def test_default_period_is_the_last_complete_quarter():
    period, errors = rules.choose_period(None, None, None, TODAY)
    assert errors == {} and period.quarter == Quarter(2026, 3)


def test_chosen_quarter():
    period, errors = rules.choose_period("2022-Q3", None, None, TODAY)
    assert errors == {} and (period.start, period.end) == (date(2022, 7, 1), date(2022, 9, 30))
    assert period.key == "2022-Q3"


def test_the_current_quarter_may_be_chosen_a_future_one_not():
    assert rules.choose_period("2026-Q4", None, None, TODAY)[1] == {}
    assert "quarter" in rules.choose_period("2027-Q1", None, None, TODAY)[1]


def test_a_date_range_wins_over_the_quarter():
    period, errors = rules.choose_period("2022-Q3", date(2022, 3, 1), date(2022, 6, 15), TODAY)
    assert errors == {} and period.quarter is None
    assert period.label == "1 March 2022 - 15 June 2022"
    assert period.key == "2022-03-01_to_2022-06-15"
    assert period.trend_anchor == Quarter(2022, 2)


@pytest.mark.parametrize(
    "quarter, start, end, field",
    [
        ("2022-Q9", None, None, "quarter"),
        ("1999-Q4", None, None, "quarter"),
        (None, date(2022, 3, 1), None, "to"),
        (None, None, date(2022, 3, 1), "from"),
        (None, date(2022, 3, 2), date(2022, 3, 1), "to"),
        (None, date(2022, 3, 2), TODAY + timedelta(days=1), "to"),
        (None, date(1999, 3, 2), date(2022, 3, 1), "from"),
        (None, date(2010, 1, 1), date(2022, 3, 1), "to"),
    ],
)
def test_bad_periods_name_the_field(quarter, start, end, field):
    period, errors = rules.choose_period(quarter, start, end, TODAY)
    assert period is None and field in errors


def test_a_one_day_period():
    period, errors = rules.choose_period(None, date(2022, 3, 1), date(2022, 3, 1), TODAY)
    assert errors == {} and period.label == "1 March 2022"


# --- ages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "born, on, age",
    [
        (date(2010, 9, 30), date(2022, 9, 30), 12),  # birthday on the last day counts
        (date(2010, 10, 1), date(2022, 9, 30), 11),
        (date(2008, 2, 29), date(2026, 2, 28), 17),  # a leap-day birthday: 1 March in a common year
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2008, 2, 29), date(2024, 2, 29), 16),
    ],
)
def test_age_on(born, on, age):
    assert rules.age_on(born, on) == age


@pytest.mark.parametrize("end", [date(2022, 9, 30), date(2024, 2, 29), date(2023, 2, 28), date(2023, 3, 1)])
def test_band_limits_agree_with_age_on_for_every_birthday(end):
    """The SQL reads the bands as dates of birth: check them against the ages, day by day."""
    limits = rules.band_limits(end)
    day = date(end.year - 22, 1, 1)
    while day <= end:
        expected = rules.age_band(rules.age_on(day, end))
        by_dates = next(key for key, after in limits if after is None or day > after)
        assert by_dates == expected, (day, end)
        day += timedelta(days=1)


@pytest.mark.parametrize(
    "age, band",
    [(None, "not_recorded"), (0, "under_10"), (9, "under_10"), (10, "10_12"), (12, "10_12")]
    + [(13, "13_15"), (15, "13_15"), (16, "16_17"), (17, "16_17"), (18, "18_plus"), (25, "18_plus")],
)
def test_age_bands(age, band):
    assert rules.age_band(age) == band


# --- gender and free text -----------------------------------------------------------------


@pytest.mark.parametrize(
    "value, key",
    [("Female", "female"), (" f ", "female"), ("MALE", "male"), ("m", "male"), (None, "not_recorded")]
    + [("", "not_recorded"), ("Non-binary", "non-binary"), ("non  binary", "non binary")],
)
def test_gender_key(value, key):
    assert rules.gender_key(value) == key


def test_text_key_ignores_case_and_spacing():
    assert rules.text_key(" White  British") == rules.text_key("white british")
    assert rules.text_key("  ") == rules.NOT_RECORDED


# --- suppression --------------------------------------------------------------------------


def texts(figures):
    return [f.text for f in figures]


def test_nothing_small_nothing_hidden():
    assert texts(rules.suppress([12, 5, 30], 5)) == ["12", "5", "30"]


def test_one_small_figure_hides_the_next_smallest_as_well():
    figures = rules.suppress([17, 3, 9, 0], 5)
    assert texts(figures) == ["17", "fewer than 5", "suppressed", "0"]
    assert [f.suppressed for f in figures] == [None, PRIMARY, SECONDARY, None]
    assert [f.count for f in figures] == [17, None, None, 0]


def test_secondary_never_picks_a_zero_and_takes_the_first_of_equals():
    assert texts(rules.suppress([0, 8, 2, 8], 5)) == ["0", "suppressed", "fewer than 5", "8"]


def test_two_small_figures_protect_each_other():
    assert texts(rules.suppress([20, 3, 4], 5)) == ["20", "fewer than 5", "fewer than 5"]


def test_a_lone_small_figure_with_nothing_else_to_hide():
    # The total (3) is itself hidden wherever it is shown: nothing to work it out from.
    assert texts(rules.suppress([3, 0, 0], 5)) == ["fewer than 5", "0", "0"]


def test_counts_that_do_not_add_up_need_no_secondary():
    assert texts(rules.suppress([17, 3, 9], 5, adds_up=False)) == ["17", "fewer than 5", "9"]


def test_zero_stays_zero_and_threshold_one_hides_nothing():
    assert texts(rules.suppress([0, 0], 5)) == ["0", "0"]
    assert texts(rules.suppress([1, 2], 1)) == ["1", "2"]


@pytest.mark.parametrize("threshold", [3, 5, 10])
def test_no_hidden_figure_can_be_worked_out_from_the_total(threshold):
    """For every small table, a hidden primary figure is never alone."""
    import itertools

    for counts in itertools.product(range(0, 12), repeat=3):
        figures = rules.suppress(list(counts), threshold)
        hidden = [f for f in figures if f.count is None]
        assert len(hidden) != 1 or sum(counts) < threshold, counts
        for c, f in zip(counts, figures, strict=True):
            if 0 < c < threshold:
                assert f.suppressed == PRIMARY


# --- the summary line ---------------------------------------------------------------------


def test_summary_line_in_the_partnerships_form():
    line = rules.summary_line(
        195,
        "July - September 2022",
        [
            TypeSummary("cse", 60, 10, 18, (("male", 4), ("female", 56))),
            TypeSummary("cce", 135, 10, 18, (("female", 13), ("male", 122))),
        ],
    )
    assert line == (
        "195 children on the exploitation list July - September 2022: 135 CCE (aged 10-18; 122 male, "
        "13 female), 60 CSE (aged 10-18; 56 female, 4 male)"
    )


def test_summary_line_edge_cases():
    assert rules.summary_line(0, "July - September 2022", []) == (
        "No children on the exploitation list July - September 2022"
    )
    one = rules.summary_line(1, "Q", [TypeSummary("cse", 1, 15, 15, (("not_recorded", 1),))])
    assert one == "1 child on the exploitation list Q: 1 CSE (aged 15; 1 gender not recorded)"
    no_ages = rules.summary_line(
        2, "Q", [TypeSummary("cce", 2, None, None, (("male", 2),)), TypeSummary("cse", 0, None, None, ())]
    )
    assert no_ages == "2 children on the exploitation list Q: 2 CCE (2 male)"


def test_summary_line_for_publication_prints_the_suppressed_texts():
    line = rules.summary_line(
        12,
        "Q",
        [TypeSummary("cse", 12, 13, 17, (("female", 9), ("male", 3)), "12", ("9", "fewer than 5"))],
    )
    assert line == "12 children on the exploitation list Q: 12 CSE (aged 13-17; 9 female, fewer than 5 male)"


def test_settings_are_checked():
    assert rules.setting_problems({}) == []
    assert rules.setting_problems({"STATS_SUPPRESSION_THRESHOLD": 10, "STATS_TREND_QUARTERS": 8}) == []
    problems = rules.setting_problems({"STATS_SUPPRESSION_THRESHOLD": "five", "STATS_TREND_QUARTERS": 99})
    assert len(problems) == 2 and "STATS_SUPPRESSION_THRESHOLD" in problems[0]


def test_summary_line_names_a_secondary_suppression_after_the_gender():
    line = rules.summary_line(
        11,
        "Q",
        [TypeSummary("cce", 6, 12, 17, (("male", 5), ("female", 1)), "6", ("suppressed", "fewer than 5"))],
    )
    assert (
        line
        == "11 children on the exploitation list Q: 6 CCE (aged 12-17; male suppressed, fewer than 5 female)"
    )


# --- suppression across rows and columns (types, then all children)


def grid_texts(grid):
    return [texts(row) for row in grid]


def test_types_a_small_type_with_none_in_both_hides_the_smaller_other_total():
    # CSE 40, CCE 3, in both 0, all 43: CCE would be 43 - 40 + 0 = 3.
    figures = rules.suppress_types([40, 3], 0, 43, 5)
    assert texts(figures) == ["suppressed", "fewer than 5", "0", "43"]
    assert figures[0].suppressed == SECONDARY


def test_types_a_small_figure_in_more_than_one_hides_the_smaller_type_total():
    # CSE 40, CCE 30, both 2, all 68: both would be 40 + 30 - 68 = 2.
    assert texts(rules.suppress_types([40, 30], 2, 68, 5)) == ["40", "suppressed", "fewer than 5", "68"]


def test_grid_a_row_with_one_hidden_figure_hides_another_and_the_columns_follow():
    # Rows: female, male. Columns: CSE, CCE, all. Male: CSE 40, CCE 3, all 43.
    grid = rules.suppress_grid(
        [[10, 12, 22], [40, 3, 43]], 5, totals=[rules.shown(50), rules.shown(15), rules.shown(65)]
    )
    assert grid_texts(grid) == [["suppressed", "suppressed", "22"], ["suppressed", "fewer than 5", "43"]]


def test_grid_a_hidden_total_hides_a_figure_of_its_column():
    hidden_total = rules.Figure(None, rules.SUPPRESSED, SECONDARY)
    grid = rules.suppress_grid(
        [[40, 0, 40], [0, 3, 3]], 5, totals=[hidden_total, rules.shown(3), rules.shown(43)]
    )
    assert grid_texts(grid) == [["suppressed", "0", "suppressed"], ["0", "fewer than 5", "fewer than 5"]]


def _derivable(counts, grid, totals):
    """A hidden figure alone in its row, or alone in its column with the total shown."""
    hidden = {(r, c) for r, row in enumerate(grid) for c, f in enumerate(row) if f.count is None}
    for r, row in enumerate(grid):
        if sum((r, c) in hidden for c in range(len(row))) == 1:
            return True
    for c in range(len(totals)):
        in_column = sum((r, c) in hidden for r in range(len(grid)))
        if in_column + (totals[c].count is None) == 1:
            return True
    return False


@pytest.mark.parametrize("seed", range(200))
def test_grid_no_hidden_figure_stands_alone_in_its_row_or_column(seed):
    import random

    chance = random.Random(seed)
    rows = []
    for _ in range(chance.randint(1, 5)):
        cse, cce = chance.choice([0, 1, 3, 6, 9, 20]), chance.choice([0, 2, 4, 7, 15])
        rows.append([cse, cce, cse + cce])
    sums = [sum(row[c] for row in rows) for c in range(3)]
    totals = rules.suppress_types(sums[:2], 0, sums[2], 5)
    totals = [totals[0], totals[1], totals[3]]
    grid = rules.suppress_grid(rows, 5, totals=totals)
    assert not _derivable(rows, grid, totals)
