"""Two-factor sign-in (accounts/two_factor_pages.py). The second step and the enrolment
at sign-in are public: with no pending sign-in in the session they send the visitor back
to the sign-in page (302). Every signed-in user manages their own two-factor sign-in;
only an administrator resets someone else's."""

from mettrack.core.choices import Role
from tests.access import Route

ADMIN = frozenset({Role.ADMIN})

ROUTES = [
    Route("GET", "two_factor.verify", "/login/two-factor", public=True, ok=302),
    Route("POST", "two_factor.verify", "/login/two-factor", public=True, ok=302, data={"code": "123456"}),
    Route("GET", "two_factor.enrol_at_sign_in", "/login/two-factor/enrol", public=True, ok=302),
    Route("POST", "two_factor.enrol_at_sign_in", "/login/two-factor/enrol", public=True, ok=302),
    Route("GET", "two_factor.index", "/account/two-factor"),
    Route("GET", "two_factor.enrol", "/account/two-factor/enrol"),
    Route("POST", "two_factor.enrol", "/account/two-factor/enrol", ok=400, data={"code": "000000x"}),
    # Not yet on: back to the two-factor page, saying why.
    Route("POST", "two_factor.recovery_codes", "/account/two-factor/recovery-codes", ok=302),
    Route("POST", "two_factor.admin_reset", "/admin/users/{user}/two-factor/reset", allowed=ADMIN, ok=302),
]
