"""The one source of "now". Tests set it; everything else calls now() or today()."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

_frozen: datetime | None = None
LONDON = ZoneInfo("Europe/London")  # the partnership's time zone: dates are its calendar days
# Month names for dates written in words ("4 December", "July - September 2022"), in
# English whatever the server's locale (strftime's %B follows the locale).
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def now() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC)


def set_now(moment: datetime | None) -> None:
    """Freeze the clock at an aware moment, or unfreeze with None."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("the clock takes aware datetimes only")
    _frozen = moment.astimezone(UTC) if moment else None


def local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(LONDON) if moment else None


def today(at: datetime | None = None) -> date:
    """The calendar date in the partnership's time zone now (or at `at`): what "today",
    "in the future" and "overdue" mean to people here. The UTC date is a day behind
    from midnight to 1 a.m. in summer."""
    return (at or now()).astimezone(LONDON).date()


def frozen_at() -> datetime | None:
    """The moment the clock is frozen at, or None while it runs (to restore it after a
    block that sets it, as the demo data does while replaying its history)."""
    return _frozen
