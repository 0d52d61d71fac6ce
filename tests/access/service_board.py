"""The coordinator's services board (specialist_services/board_pages.py, board_api.py):
the coordinator and the MET chair only; every other role, providers included, gets 403.
It lists cases through the case summary scope, so it has no record of its own to hide."""

from mettrack.core.choices import Role
from tests.access import Route

BOARD_ROLES = frozenset({Role.COORDINATOR, Role.MET_CHAIR})

ROUTES = [
    Route("GET", "service_board.index", "/services/board", allowed=BOARD_ROLES),
    Route("GET", "api_service_board.ServiceBoard", "/api/v1/services/board", allowed=BOARD_ROLES, api=True),
]
