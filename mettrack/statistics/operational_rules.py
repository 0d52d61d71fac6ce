"""The board's operational figures: pure rules over plain values (no Flask, no database).

How a share and a number of days are written. The periods, the chooser and the trend's
quarters are the statistics' own (statistics/rules.py), the same as the exploitation-list
report's.

Definitions (docs/statistics-operations.md says them to the reader):
- A Return Home Interview is "offered within 72 hours" when its offer is recorded no
  later than 72 hours after the child's return (missing/rules.py RHI_DUE_WITHIN, from the
  statutory guidance of 2014); exactly 72 hours is within. Episodes count in the period
  their return falls in.
- A review is "held on time" when the case was reviewed at a MET meeting (its decisions
  applied) on or before the next review date a meeting set; reviews count in the period
  their due date falls in.
"""


def share(part: int | None, whole: int | None) -> float | None:
    """`part` as a percentage of `whole`; None when there is nothing to share."""
    if not whole or part is None:
        return None
    return 100.0 * part / whole


def share_text(part: int | None, whole: int | None) -> str:
    value = share(part, whole)
    return "no figures" if value is None else f"{value:.0f}% ({part} of {whole})"


def days_text(days: float | None) -> str:
    if days is None:
        return "no figures"
    return (
        f"{days:.0f} day{'s' if round(days) != 1 else ''}" if float(days).is_integer() else f"{days:.1f} days"
    )
