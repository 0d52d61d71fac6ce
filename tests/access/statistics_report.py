"""The quarterly exploitation-list report (statistics/pages.py, statistics/api.py): the
analyst and the MET chair (Perm.STATS_VIEW); counts only, so no record to hide."""

from mettrack.core.choices import Role
from tests.access import Route

STATS_ROLES = frozenset({Role.ANALYST, Role.MET_CHAIR})

ROUTES = [
    Route("GET", "statistics.index", "/statistics/", allowed=STATS_ROLES),
    Route("GET", "statistics.csv", "/statistics/exploitation-list.csv", allowed=STATS_ROLES),
    Route("GET", "statistics.pdf", "/statistics/exploitation-list.pdf", allowed=STATS_ROLES),
    Route(
        "GET",
        "api_statistics.ExploitationList",
        "/api/v1/stats/exploitation-list",
        allowed=STATS_ROLES,
        api=True,
    ),
]
