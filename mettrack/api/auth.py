"""Who is calling the API: the owner of the bearer token, and nothing else.

The API is exempt from CSRF protection (a script has no form to carry a token), so it
must not accept the browser's session cookie either: the browser sends the cookie with
any site's request, and a CSRF-exempt endpoint that honoured it would let any web page
act as the signed-in practitioner. So under /api/:

- the session is a null one (`StatelessApiSessions`): nothing is read from the cookie,
  nothing can be written, and no cookie is set on the response;
- with no user in the session, Flask-Login asks the request loader, which answers with
  the owner of the `Authorization: Bearer` token, or nobody.

Outside /api/ neither changes anything: pages keep their sessions and ignore tokens.
Whether the user may then do what they ask is decided, as for the pages, by
mettrack/core/permissions.py: @requires answers 401 for nobody, 403 for a role that does not
allow the action.
"""

from flask import Flask, Request, current_app, request
from flask.sessions import SessionInterface
from flask_login import current_user

from mettrack.accounts import user_for_secret
from mettrack.core.extensions import login_manager
from mettrack.core.permissions import Perm, check, declared_permission

API_PATH_PREFIX = "/api/"


def is_api_request(req: Request) -> bool:
    return req.path.startswith(API_PATH_PREFIX)


def bearer_secret(req: Request) -> str | None:
    """The token in `Authorization: Bearer <token>`, or None."""
    scheme, _, secret = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip() or None


def load_api_user(req: Request):
    """Flask-Login request loader: the active owner of an unrevoked bearer token, for
    /api/ requests only."""
    if not is_api_request(req):
        return None
    return user_for_secret(bearer_secret(req))


class StatelessApiSessions(SessionInterface):
    """The app's session interface, except that /api/ requests get a null session."""

    def __init__(self, pages: SessionInterface):
        self.pages = pages

    def open_session(self, app, req):
        if is_api_request(req):
            return self.make_null_session(app)
        return self.pages.open_session(app, req)

    def save_session(self, app, session, response):
        return self.pages.save_session(app, session, response)


def authenticate_before_reading():
    """before_request: refuse a caller with no valid token before anything reads the
    request's body (the input guard, webargs), so that an anonymous caller cannot make
    the app parse their JSON. The views' own @requires then checks the role as before."""
    if not is_api_request(request) or request.method == "OPTIONS" or current_user.is_authenticated:
        return None
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if view is None:
        return None  # not found, or not allowed: answered without reading the body
    declared = declared_permission(view, request.method)
    if not isinstance(declared, Perm):
        return None  # public, or undeclared (refused by enforce_declared_access)
    check(declared)  # 401, as @requires would answer
    return None


def init_auth(app: Flask) -> None:
    app.session_interface = StatelessApiSessions(app.session_interface)
    login_manager.request_loader(load_api_user)
    app.before_request(authenticate_before_reading)
