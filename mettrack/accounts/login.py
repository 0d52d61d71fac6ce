"""Flask-Login wiring: how a session's user is loaded, and what happens when there is none."""

from flask import Flask, g, redirect, request, url_for
from flask_login import current_user

from mettrack.accounts.models import User
from mettrack.core.extensions import db, login_manager

ALLOWED_WHILE_PASSWORD_MUST_CHANGE = {"auth.change_password", "auth.logout", "static", "health.healthz"}


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    # No remember-me: a session ends when its server-side row does.
    login_manager._load_user_from_remember_cookie = lambda cookie: None
    app.before_request(_fresh_request_globals)
    app.before_request(_force_password_change)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.active else None


def _fresh_request_globals():
    # Flask-Login caches the user and Flask-WTF the CSRF token on `g`, which lives as long
    # as the app context. A request normally gets a fresh one, but not when one is already
    # pushed (tests, code calling the app in-process): both must come from this request's
    # own session, never from an earlier request's.
    for name in list(g):
        g.pop(name)


def _force_password_change():
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in ALLOWED_WHILE_PASSWORD_MUST_CHANGE
        and not (request.blueprint or "").startswith("api")
    ):
        return redirect(url_for("auth.change_password"))
    return None
