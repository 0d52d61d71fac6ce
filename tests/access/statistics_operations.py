"""The board's operational figures (mettrack/statistics/operational_pages.py): the analyst
and the MET chair (Perm.STATS_VIEW, DESIGN.md "Who uses it"); every other role 403. The
figures name no child, so there is no need-to-know test."""

from mettrack.core.choices import Role
from tests.access import Route

STATS = frozenset({Role.ANALYST, Role.MET_CHAIR})

ROUTES = [
    Route("GET", "statistics_operations.index", "/statistics/operations", allowed=STATS),
    Route("GET", "statistics_operations.export", "/statistics/operations.csv", allowed=STATS),
]
