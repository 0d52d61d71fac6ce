"""Signing in and out, and changing one's own password."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from mettrack.accounts import lockout, two_factor, two_factor_pages
from mettrack.accounts import users as accounts
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import limiter
from mettrack.core.permissions import Perm, public, requires

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an unchecked `next` is an open redirect."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], methods=["POST"], key_func=lockout.limit_key
)
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("main.home"))
    errors, email = {}, ""
    if request.method == "POST":
        email = request.form.get("email", "")
        # --- sign-in limits and lockout (accounts/lockout.py): begin ---
        try:
            user = lockout.authenticate(email, request.form.get("password"))
        except lockout.SignInPaused as e:  # a ValidationError (429): caught first
            return _too_many_attempts(e.until)
        # --- sign-in limits and lockout: end ---
        except ValidationError as e:
            errors = e.errors
        else:
            # authenticate recorded the password (and, with no second step, the sign-in).
            # --- two-factor sign-in (accounts/two_factor_pages.py): begin ---
            if two_factor.second_step_needed(user):
                return two_factor_pages.begin(user, request.args.get("next"))
            # --- two-factor sign-in: end ---
            session.clear()
            session.regenerate()  # a new session id at sign-in (no session fixation)
            login_user(user, remember=False)
            return redirect(_safe_next(request.args.get("next")))
    status = 400 if errors else 200
    return render_template("auth/login.html", errors=errors, email=email), status


def _too_many_attempts(until):
    """The sign-in form again, 429, saying when to try again: the same words for the
    limit per address, the limit per account and the lock, and for an address with no
    account (accounts/lockout.py)."""
    errors = {"email": lockout.paused_message(until)}
    html = render_template("auth/login.html", errors=errors, email=request.form.get("email", ""))
    return html, 429, {"Retry-After": lockout.seconds_until(until)}


@bp.errorhandler(429)
def sign_in_limited(error):
    """A Flask-Limiter limit on the sign-in form was reached."""
    if request.endpoint != "auth.login":
        from mettrack.ui.errors import render_error

        return render_error(429)
    return _too_many_attempts(lockout.limit_resets_at())


@bp.route("/logout", methods=["POST"])
@requires(Perm.SIGNED_IN)
def logout():
    accounts.sign_out(current_user)
    logout_user()
    session.clear()  # deletes the server-side row: a copied cookie is now worthless
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Perm.SIGNED_IN)
def change_password():
    errors = {}
    if request.method == "POST":
        try:
            accounts.change_password(
                current_user,
                request.form.get("current_password", ""),
                request.form.get("new_password", ""),
                request.form.get("confirm_password", ""),
                keep_session_id=session.row_id,
            )
        except ValidationError as e:
            errors = e.errors
        else:
            # A password change already ends every other session (accounts.change_password).
            flash("Your password has been changed, and you have been signed out everywhere else.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", errors=errors), 400 if errors else 200
