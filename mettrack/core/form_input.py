"""Reading what pages, the API and scripts send: text, yes/no, whole numbers, dates,
date-times and record versions. One way for each kind of input, so that a page and a
script get the same message naming the field.

Each `parse_*` helper adds `{field: message}` to `errors` and returns None for a bad
value; `parse_version` raises ValidationError. No value, however odd, raises anything
else: a 30-digit day is a message, not an OverflowError.

Digits are ASCII only. `str.isdigit()` and `int()` also take superscripts, full-width
and Arabic-Indic digits; nobody types a date that way on purpose, and a value that
reads differently on screen from what is stored is worse than a clear refusal.
"""

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime

from mettrack.core.clock import LONDON
from mettrack.core.errors import ValidationError
from mettrack.core.limits import DATABASE_INT_MAX

DATE_PARTS = ("day", "month", "year")
DATETIME_PARTS = (*DATE_PARTS, "time")
# Far beyond any age or list position: a larger number is a typing mistake, named as
# such, not a database error.
MAX_INT = 10_000
EARLIEST_YEAR = 1900  # a date-time before it is a typing slip (and has no sound UTC offset)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})", re.ASCII)
_INTEGER = re.compile(r"-?\d{1,9}", re.ASCII)

DATE_EXAMPLE = "like 27 3 2026"
ISO_EXAMPLE = "written like 2026-03-27"
DATETIME_EXAMPLE = "for example 27 3 2026 and 14:30"
VERSION_MESSAGE = (
    "The version of the record you read is missing or not a whole number: "
    "reload the page (or read the record again) and try again"
)


class _Refused(Exception):
    """A value that cannot be read; its message names the field (internal only)."""


def lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _ascii_digits(text: str, *, most: int) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= most


# --- text and yes/no ----------------------------------------------------------------------


def parse_text(
    data: Mapping, name: str, label: str, errors: dict, *, max_length: int, required: bool = False
) -> str | None:
    """Stripped text, None when blank ("Enter ..." when required)."""
    value = data.get(name)
    if not _blank(value) and not isinstance(value, str):
        errors[name] = f"{label} must be text"
        return None
    value = (value or "").strip()
    if not value:
        if required:
            errors[name] = f"Enter {lower_first(label)}"
        return None
    if len(value) > max_length:
        errors[name] = f"{label} must be {max_length} characters or fewer"
        return None
    return value


_YES = {"yes", "true", "y", "1"}
_NO = {"no", "false", "n", "0"}


def parse_yes_no(data: Mapping, name: str, missing: str, errors: dict) -> bool | None:
    """True or false from JSON, or yes/no (true/false, y/n, 1/0) from a form."""
    value = data.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _YES:
        return True
    if isinstance(value, str) and value.strip().lower() in _NO:
        return False
    errors[name] = missing
    return None


# --- whole numbers and versions ----------------------------------------------------------


def parse_int(data: Mapping, name: str, label: str, errors: dict) -> int | None:
    """A whole number from -MAX_INT to MAX_INT (JSON number or form text); None when blank.
    Whether a negative one makes sense is the caller's rule."""
    value = data.get(name)
    if _blank(value):
        return None
    if isinstance(value, str):
        text = value.strip()
        value = int(text) if _INTEGER.fullmatch(text) else None
    elif isinstance(value, bool) or not isinstance(value, int):
        value = None
    if value is None:
        errors[name] = f"{label} must be a whole number"
        return None
    if not -MAX_INT <= value <= MAX_INT:
        errors[name] = f"{label} must be a whole number between 0 and {MAX_INT}"
        return None
    return value


def parse_version(value) -> int:
    """The version of a record the user read (a JSON integer or a form's hidden field),
    to compare with the stored one; ValidationError naming `version` otherwise."""
    if isinstance(value, str) and _ascii_digits(value.strip(), most=10):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= DATABASE_INT_MAX:
        raise ValidationError({"version": VERSION_MESSAGE})
    return value


# --- dates ------------------------------------------------------------------------------


def date_parts(form: Mapping, name: str) -> tuple[str, str, str]:
    """A GOV.UK date input's (day, month, year) strings, for `parse_date`."""
    return tuple(str(form.get(f"{name}-{part}") or "") for part in DATE_PARTS)


def with_date_parts(form: Mapping, names) -> Mapping:
    """A copy of a page's form with each date input of `names` read as its (day, month,
    year) parts under the field's own name, for a use case that parses `data[name]`
    (other fields, repeated ones too, as sent)."""
    data = form.copy() if hasattr(form, "copy") else dict(form)
    for name in names:
        data[name] = date_parts(form, name)
    return data


def date_parts_or_blank(form: Mapping, name: str) -> tuple[str, str, str] | str:
    """`date_parts`, or "" when every part is blank (for a row of optional fields whose
    emptiness is judged field by field)."""
    parts = date_parts(form, name)
    return parts if any(part.strip() for part in parts) else ""


def datetime_parts(form: Mapping, name: str) -> tuple[str, str, str, str]:
    """A date input and a 24-hour time field's strings, for `parse_datetime`."""
    return tuple(str(form.get(f"{name}-{part}") or "") for part in DATETIME_PARTS)


def _missing_parts(parts: list[str], names: tuple[str, ...]) -> list[str]:
    return [part_name for part_name, part in zip(names, parts, strict=True) if not part]


def _day_from_parts(parts: list[str], label: str) -> date:
    missing = _missing_parts(parts, DATE_PARTS)
    if missing:
        raise _Refused(f"{label} must include a {' and a '.join(missing)}")
    day, month, year = parts
    if not (_ascii_digits(day, most=2) and _ascii_digits(month, most=2) and _ascii_digits(year, most=4)):
        raise _Refused(f"{label} must be a real date, in numbers, {DATE_EXAMPLE}")
    if len(year) != 4:
        raise _Refused(f"{label} must be a real date, with the year in 4 digits, {DATE_EXAMPLE}")
    try:
        return date(int(year), int(month), int(day))
    except (ValueError, OverflowError):
        raise _Refused(f"{label} must be a real date, {DATE_EXAMPLE}") from None


def _date(value, label: str) -> date | None:
    if isinstance(value, datetime):  # the calendar day here, for a moment with its zone
        try:
            return (value.astimezone(LONDON) if value.utcoffset() is not None else value).date()
        except (ValueError, OverflowError):
            raise _Refused(f"{label} must be a real date, {ISO_EXAMPLE}") from None
    if isinstance(value, date):
        return value
    if isinstance(value, list | tuple) and len(value) == 3 and all(isinstance(p, str) for p in value):
        parts = [p.strip() for p in value]
        return _day_from_parts(parts, label) if any(parts) else None
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise _Refused(f"{label} must be a date, {ISO_EXAMPLE}")
    text = value.strip()
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise _Refused(f"{label} must be a real date, {ISO_EXAMPLE}") from None


def date_value(
    value,
    name: str,
    label: str,
    errors: dict,
    *,
    required: bool = False,
    default: date | None = None,
    today: date | None = None,
) -> date | None:
    """A date from a date, an ISO string (2026-03-27) or a date input's (day, month,
    year) strings. Blank: `default`, or "Enter ..." when required. With `today`, a later
    date is refused. `label` starts the messages: "Date of birth must be a real date"."""
    try:
        day = _date(value, label)
    except _Refused as refused:
        errors[name] = str(refused)
        return None
    if day is None:
        if required and default is None:
            errors[name] = f"Enter the {lower_first(label)}"
        return default
    if today is not None and day > today:
        errors[name] = f"{label} must be today or in the past"
        return None
    return day


def parse_date(data: Mapping, name: str, label: str, errors: dict, **rules) -> date | None:
    """`date_value` of `data[name]`."""
    return date_value(data.get(name), name, label, errors, **rules)


# --- date-times -------------------------------------------------------------------------


def _aware(moment: datetime, label: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _Refused(f"{label} must include its time zone, like 2026-03-27T14:30:00+00:00")
    if moment.year < EARLIEST_YEAR:
        raise _Refused(f"{label} must be a real date after {EARLIEST_YEAR}")
    try:
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise _Refused(f"{label} must be a real date and time") from None


def _moment_from_parts(parts: list[str], label: str) -> datetime:
    missing = _missing_parts(parts[:3], DATE_PARTS)
    if missing:
        raise _Refused(f"{label} must include a {' and a '.join(missing)}")
    if not parts[3]:
        raise _Refused(f"{label} must include a time, for example 14:30")
    day = _day_from_parts(parts[:3], label)
    time = _TIME.fullmatch(parts[3])
    if time is None or int(time[1]) > 23 or int(time[2]) > 59:
        raise _Refused(f"{label} must be a real date and a 24-hour time, {DATETIME_EXAMPLE}")
    # Typed in the partnership's time zone, as people read the clock.
    return _aware(datetime(day.year, day.month, day.day, int(time[1]), int(time[2]), tzinfo=LONDON), label)


def _moment(value, label: str) -> datetime | None:
    if isinstance(value, datetime):
        return _aware(value, label)
    if isinstance(value, list | tuple) and len(value) == 4 and all(isinstance(p, str) for p in value):
        parts = [p.strip() for p in value]
        return _moment_from_parts(parts, label) if any(parts) else None
    if _blank(value):
        return None
    text = value.strip() if isinstance(value, str) else ""
    try:
        if not (text.isascii() and _ISO_DATE.match(text)):
            raise ValueError
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _Refused(f"{label} must be a date and time, like 2026-03-27T14:30:00+00:00") from None
    return _aware(moment, label)


def parse_datetime(
    data: Mapping, name: str, label: str, errors: dict, *, required: bool = False
) -> datetime | None:
    """An aware UTC datetime from `data[name]`: an aware datetime, an ISO string with
    its offset, or a date input's and time field's (day, month, year, time) strings in
    Europe/London time. None when blank ("Enter ..." when required)."""
    try:
        moment = _moment(data.get(name), label)
    except _Refused as refused:
        errors[name] = str(refused)
        return None
    if moment is None and required:
        errors[name] = f"Enter the {lower_first(label)}"
    return moment
