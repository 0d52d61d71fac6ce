"""mettrack/core/form_input.py: one way to read each kind of input. Whatever is sent,
the answer is a value or a message naming the field, never another exception."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from mettrack.core import clock
from mettrack.core.errors import ValidationError
from mettrack.core.form_input import (
    date_value,
    parse_date,
    parse_datetime,
    parse_int,
    parse_text,
    parse_version,
)

HUGE = "9" * 20
TODAY = date(2026, 3, 27)
# Values a careless or hostile client sends, none of them a date a person typed.
ODD_TEXT = [HUGE, "-1", "1e309", "０１", "١", "²", "x" * 10_000, "a\x00b", "NaN", " ", "\u202e1"]


def _date(value, **rules):
    errors = {}
    return date_value(value, "day", "Date of birth", errors, **rules), errors


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (("27", "3", "2026"), date(2026, 3, 27)),
        ((" 07 ", "03", "2026"), date(2026, 3, 7)),
        ("2026-03-27", date(2026, 3, 27)),
        (date(2026, 3, 27), date(2026, 3, 27)),
        (datetime(2026, 3, 27, 23, tzinfo=UTC), date(2026, 3, 27)),
        (None, None),
        ("", None),
        (("", "", ""), None),
    ],
)
def test_dates_that_read(value, expected):
    assert _date(value) == (expected, {})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ((HUGE, "3", "2026"), "Date of birth must be a real date"),
        (("27", HUGE, "2026"), "Date of birth must be a real date"),
        (("27", "3", HUGE), "Date of birth must be a real date"),
        (("31", "2", "2026"), "Date of birth must be a real date, like 27 3 2026"),
        (("０１", "3", "2026"), "Date of birth must be a real date, in numbers"),
        (("١", "3", "2026"), "Date of birth must be a real date, in numbers"),
        (("²", "3", "2026"), "Date of birth must be a real date, in numbers"),
        (("-1", "3", "2026"), "Date of birth must be a real date, in numbers"),
        (("27", "3", "26"), "with the year in 4 digits"),
        (("27", "", "2026"), "Date of birth must include a month"),
        (("", "", "2026"), "Date of birth must include a day and a month"),
        ("2026-02-30", "Date of birth must be a real date, written like 2026-03-27"),
        ("２０２６-03-27", "Date of birth must be a real date, written like 2026-03-27"),
        ("20260327", "Date of birth must be a real date, written like 2026-03-27"),
        ("2026-W13-5", "Date of birth must be a real date, written like 2026-03-27"),
        (20260327, "Date of birth must be a date, written like 2026-03-27"),
        (["27", 3, "2026"], "Date of birth must be a date"),
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))), "Date of birth must be a real date"),
    ],
)
def test_dates_that_do_not_read_name_the_field(value, message):
    day, errors = _date(value)
    assert day is None and message in errors["day"]


@pytest.mark.parametrize("text", ODD_TEXT)
def test_no_odd_text_in_any_part_of_a_date_raises(text):
    for value in ((text, "3", "2026"), ("27", text, "2026"), ("27", "3", text), text):
        day, errors = _date(value)
        assert day is None and (errors or not text.strip())


def test_a_date_after_today_is_refused_when_today_is_given():
    assert _date("2026-03-27", today=TODAY) == (TODAY, {})
    day, errors = _date("2026-03-28", today=TODAY)
    assert day is None and errors == {"day": "Date of birth must be today or in the past"}


def test_a_blank_date_is_its_default_or_asked_for_when_required():
    assert _date("", default=TODAY) == (TODAY, {})
    assert _date("", required=True) == (None, {"day": "Enter the date of birth"})
    errors = {}
    assert parse_date({}, "screened_on", "Screening date", errors, required=True) is None
    assert errors == {"screened_on": "Enter the screening date"}


def _moment(value):
    errors = {}
    return parse_datetime({"at": value}, "at", "Date and time the child went missing", errors), errors


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (("9", "7", "2026", "22:30"), datetime(2026, 7, 9, 21, 30, tzinfo=UTC)),  # BST
        (("9", "1", "2026", "22.30"), datetime(2026, 1, 9, 22, 30, tzinfo=UTC)),  # GMT
        ("2026-07-09T22:30:00+01:00", datetime(2026, 7, 9, 21, 30, tzinfo=UTC)),
        (
            datetime(2026, 7, 9, 22, 30, tzinfo=timezone(timedelta(hours=1))),
            datetime(2026, 7, 9, 21, 30, tzinfo=UTC),
        ),
        (("", "", "", ""), None),
        (None, None),
    ],
)
def test_date_times_that_read_are_utc(value, expected):
    moment, errors = _moment(value)
    assert (moment, errors) == (expected, {})
    assert moment is None or moment.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ((HUGE, "7", "2026", "10:00"), "must be a real date"),
        (("9", HUGE, "2026", "10:00"), "must be a real date"),
        (("9", "7", HUGE, "10:00"), "must be a real date"),
        (("9", "7", "2026", "24:00"), "must be a real date and a 24-hour time"),
        (("9", "7", "2026", "１０:00"), "must be a real date and a 24-hour time"),
        (("9", "7", "2026", HUGE), "must be a real date and a 24-hour time"),
        (("9", "7", "2026", ""), "must include a time"),
        (("9", "7", "", "10:00"), "must include a year"),
        (("9", "7", "0999", "10:00"), "after 1900"),
        ("2026-07-09T22:30:00", "must include its time zone"),
        (datetime(2026, 7, 9, 22, 30), "must include its time zone"),
        ("yesterday", "must be a date and time"),
        (1.5, "must be a date and time"),
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))), "after 1900"),
    ],
)
def test_date_times_that_do_not_read_name_the_field(value, message):
    moment, errors = _moment(value)
    assert moment is None
    assert errors["at"].startswith("Date and time the child went missing") and message in errors["at"]


@pytest.mark.parametrize("text", ODD_TEXT)
def test_no_odd_text_in_any_part_of_a_date_time_raises(text):
    for position in range(4):
        parts = ["9", "7", "2026", "10:00"]
        parts[position] = text
        moment, errors = _moment(tuple(parts))
        assert moment is None and (errors or not text.strip())


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5), (" 12 ", 12), (7, 7), ("-3", -3), ("", None), (None, None)],
)
def test_whole_numbers_that_read(value, expected):
    errors = {}
    assert parse_int({"n": value}, "n", "The order", errors) == expected and errors == {}


@pytest.mark.parametrize(
    "value", [t for t in ODD_TEXT if t not in {"-1", " "}] + [1.5, True, [1], 10**30, "1_000", "+5"]
)
def test_whole_numbers_that_do_not_read_name_the_field(value):
    errors = {}
    assert parse_int({"n": value}, "n", "The order", errors) is None
    assert errors["n"].startswith("The order must be a whole number")


@pytest.mark.parametrize(
    ("value", "expected"), [(1, 1), ("7", 7), (" 7 ", 7), (2_147_483_647, 2_147_483_647)]
)
def test_versions_that_read(value, expected):
    assert parse_version(value) == expected


@pytest.mark.parametrize(
    "value", [*ODD_TEXT, None, "", 0, -1, 1.9, 1.0, True, "1.9", 2_147_483_648, 10**30, [1], {"v": 1}]
)
def test_versions_that_do_not_read_are_a_validation_error_naming_version(value):
    with pytest.raises(ValidationError) as raised:
        parse_version(value)
    assert set(raised.value.errors) == {"version"}


def test_text_is_stripped_and_limited():
    errors = {}
    assert parse_text({"t": "  hi "}, "t", "The note", errors, max_length=5) == "hi"
    assert parse_text({"t": "x" * 6}, "t", "The note", errors, max_length=5) is None
    assert parse_text({"t": 5}, "u", "The reason", errors, max_length=5, required=True) is None
    assert errors == {"t": "The note must be 5 characters or fewer", "u": "Enter the reason"}


def test_today_is_the_date_in_london():
    clock.set_now(datetime(2026, 6, 30, 23, 30, tzinfo=UTC))  # 00:30 on 1 July in London
    try:
        assert clock.today() == date(2026, 7, 1)
        assert clock.today(datetime(2026, 1, 31, 23, 30, tzinfo=UTC)) == date(2026, 1, 31)  # GMT
    finally:
        clock.set_now(None)
