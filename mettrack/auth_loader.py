"""Flask-Login wiring: how a session's user is loaded, and what happens when there is none."""

from flask import Flask, redirect, request, url_for
from flask_login import current_user

from mettrack.extensions import db, login_manager
from mettrack.models import User


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    # No remember-me: a session ends when its server-side row does.
    login_manager._load_user_from_remember_cookie = lambda cookie: None
    app.before_request(_force_password_change)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.active else None


ALLOWED_WHILE_PASSWORD_MUST_CHANGE = {"auth.change_password", "auth.logout", "static", "health.healthz"}


def _force_password_change():
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in ALLOWED_WHILE_PASSWORD_MUST_CHANGE
        and not (request.blueprint or "").startswith("api")
    ):
        return redirect(url_for("auth.change_password"))
    return None
