"""User administration and the audit log search."""

from mettrack.core.choices import Role
from tests.access import Route

ADMIN = frozenset({Role.ADMIN})
AUDIT_SEARCHERS = frozenset({Role.MET_CHAIR, Role.ADMIN})

NEW_USER = {
    "name": "New Person",
    "email": "new.person@example.org",
    # A new agency, confirmed (the user form's agency is otherwise an id from the list).
    "agency": "new",
    "new_agency": "Northgate Youth Trust",
    "confirm_new_agency": "Northgate Youth Trust",
    "roles": ["partner"],
}
EDITED_USER = {
    "name": "Renamed Person",
    "email": "renamed@example.org",
    "agency": "new",
    "new_agency": "Southmoor Housing",
    "confirm_new_agency": "Southmoor Housing",
    "roles": ["partner"],
}

ROUTES = [
    Route("GET", "admin.users", "/admin/users", allowed=ADMIN),
    Route("GET", "admin.new_user", "/admin/users/new", allowed=ADMIN),
    Route("POST", "admin.new_user", "/admin/users/new", allowed=ADMIN, ok=200, data=NEW_USER),
    Route("GET", "admin.user", "/admin/users/{user}", allowed=ADMIN),
    Route("GET", "admin.edit_user", "/admin/users/{user}/edit", allowed=ADMIN),
    Route("POST", "admin.edit_user", "/admin/users/{user}/edit", allowed=ADMIN, ok=302, data=EDITED_USER),
    Route("GET", "admin.deactivate", "/admin/users/{user}/deactivate", allowed=ADMIN),
    Route("POST", "admin.deactivate", "/admin/users/{user}/deactivate", allowed=ADMIN, ok=302),
    Route("GET", "admin.reactivate", "/admin/users/{user}/reactivate", allowed=ADMIN),
    Route("POST", "admin.reactivate", "/admin/users/{user}/reactivate", allowed=ADMIN, ok=302),
    Route("GET", "admin.reset_password", "/admin/users/{user}/reset-password", allowed=ADMIN),
    Route("POST", "admin.reset_password", "/admin/users/{user}/reset-password", allowed=ADMIN),
    Route("POST", "admin.revoke_token", "/admin/tokens/{token}/revoke", allowed=ADMIN, ok=302),
    Route("GET", "audit_log.index", "/audit/", allowed=AUDIT_SEARCHERS),
    # "@" is in every address: the access test's users are listed to choose from.
    Route("POST", "audit_log.find_user", "/audit/users", allowed=AUDIT_SEARCHERS, data={"user": "@"}),
]
