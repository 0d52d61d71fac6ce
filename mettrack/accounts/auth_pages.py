"""Signing in and out, and changing one's own password."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from mettrack.accounts import two_factor, two_factor_pages
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
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("main.home"))
    errors, email = {}, ""
    if request.method == "POST":
        email = request.form.get("email", "")
        try:
            user = accounts.authenticate(email, request.form.get("password"))
        except ValidationError as e:
            errors = e.errors
        else:
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
            flash("Your password has been changed.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", errors=errors), 400 if errors else 200
