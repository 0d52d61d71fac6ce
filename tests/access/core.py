"""Sign-in, home, account, health, cases pages."""

from tests.access import ALL_ROLES, CASE_ROLES, Route

ROUTES = [
    Route("GET", "auth.login", "/login", public=True),
    Route("POST", "auth.login", "/login", public=True, ok=400, data={"email": "", "password": ""}),
    Route("POST", "auth.logout", "/logout", ok=302),
    Route("GET", "auth.change_password", "/account/password"),
    Route("POST", "auth.change_password", "/account/password", ok=400, data={"current_password": "x"}),
    Route("GET", "main.home", "/"),
    Route("GET", "health.healthz", "/healthz", public=True),
    Route("GET", "account.index", "/account/", allowed=ALL_ROLES),
    Route("POST", "account.create_token", "/account/tokens", allowed=ALL_ROLES, data={"name": "matrix 2"}),
    Route("POST", "account.revoke_token", "/account/tokens/{token}/revoke", allowed=ALL_ROLES, ok=302),
    Route("GET", "cases.index", "/cases/", allowed=CASE_ROLES),
    # The list as CSV: a list names no record in its path, so need-to-know is its rows'
    # (tests/web/test_case_list_export.py: each role's file holds only the cases it may list).
    Route("GET", "cases.export", "/cases/export.csv?state=met_review", allowed=CASE_ROLES),
    # A coordinator reaches every open case's page, as a summary when not on its team.
    Route("GET", "cases.detail", "/cases/{case}", allowed=CASE_ROLES, need_to_know=True, case_summary=True),
]
