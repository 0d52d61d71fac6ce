"""Ending one's other sessions (accounts/account_pages.py): every signed-in user, for
their own sessions only (there is no record in the path to be outside need-to-know)."""

from tests.access import ALL_ROLES, Route

ROUTES = [
    Route("POST", "account.end_other_sessions", "/account/sessions/end-others", allowed=ALL_ROLES, ok=302),
]
