"""The ?page= argument of the lists that only page forward and back (the audit log, the
notifications, the reminder log)."""

from flask import request

MAX_PAGE = 100_000


def page_arg() -> int:
    """The page asked for, or 1 when it is not a whole number from 1 to MAX_PAGE: a hand-
    edited address shows the first page rather than an error."""
    try:
        page = int(request.args.get("page", 1))
    except ValueError:
        return 1
    return page if 1 <= page <= MAX_PAGE else 1
