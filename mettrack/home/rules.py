"""The home page's work queues: pure rules over plain values (no Flask, no database).

The alerts a queue shares with the case list (missing now, Return Home Interview
overdue, review overdue) are not here: they are defined once, by the case list
(cases/queries.py `alert_condition`, over the rules of missing/rules.py and
risk/rules.py), and the queues read them from there. What only the queues ask is here,
each with its SQL twin in home/queues.py (tests/home/ holds the two together).
"""

from datetime import date, datetime, timedelta

from mettrack.core.choices import CaseState

SHOWN_PER_QUEUE = 5  # the cases listed under each number (the number counts them all)
REVIEW_DUE_DAYS = 7  # "due this week": today and the six days after it

# A risk assessment is expected from MET review on (cases/workflow.py sends a case to MET
# review with its risk indicators): a case in these states with none, or whose child has
# gone missing since the last one, has a risk assessment out of date.
ASSESSED_STATES = frozenset({CaseState.MET_REVIEW, CaseState.POLICE_TIERED, CaseState.SERVICE_ASSIGNED})

# Highest risk first; a case with no risk level yet after the rated ones.


def review_week(today: date) -> tuple[date, date]:
    """The first and last day of "reviews due this week": today and the six days after."""
    return today, today + timedelta(days=REVIEW_DUE_DAYS - 1)


def review_due_this_week(next_review_on: date | None, *, case_open: bool, today: date) -> bool:
    """An open case whose next MET review falls today or in the six days after it (an
    overdue review is overdue, not due)."""
    first, last = review_week(today)
    return case_open and next_review_on is not None and first <= next_review_on <= last


def risk_assessment_out_of_date(
    state: str, last_assessed_at: datetime | None, last_went_missing_at: datetime | None
) -> bool:
    """A case from MET review on with no risk assessment, or whose child has gone missing
    since the last one was recorded."""
    if state not in ASSESSED_STATES:
        return False
    if last_assessed_at is None:
        return True
    return last_went_missing_at is not None and last_went_missing_at > last_assessed_at


def changed_since(last_change: datetime | None, last_seen: datetime | None) -> bool:
    """A case changed since the user last looked at it: never looked, or something was
    recorded after they did."""
    if last_change is None:
        return False
    return last_seen is None or last_change > last_seen
