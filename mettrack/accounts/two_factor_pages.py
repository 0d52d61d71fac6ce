"""Two-factor sign-in pages: the second step of signing in, enrolment, recovery codes,
and an administrator's reset (accounts/two_factor.py holds the rules).

Between the password and the second step nobody is signed in: the session holds only
whose password was right and when (PENDING), and the user is signed in, in a new
session, once a code is accepted. A pending sign-in lasts PENDING_MINUTES and
MAX_FAILURES wrong codes; then the password must be given again.
"""

from datetime import datetime, timedelta

import segno
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user
from markupsafe import Markup

from mettrack.accounts import two_factor, users
from mettrack.accounts.models import User
from mettrack.core.clock import now
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db, limiter
from mettrack.core.permissions import Perm, public, requires

bp = Blueprint("two_factor", __name__)

PENDING = "two_factor_pending"
PENDING_MINUTES = 5
MAX_FAILURES = 5
# Where a signed-in user who must enrol may still go (the enrolment itself, signing out,
# a forced password change first: accounts/login.py).
ALLOWED_WHILE_ENROLMENT_DUE = {
    "two_factor.enrol",
    "auth.logout",
    "auth.change_password",
    "static",
    "health.healthz",
}


def init_two_factor(app: Flask) -> None:
    app.before_request(_force_enrolment)


def _force_enrolment():
    # Covers a user signed in before TWO_FACTOR_REQUIRED was turned on.
    if (
        current_user.is_authenticated
        and request.endpoint not in ALLOWED_WHILE_ENROLMENT_DUE
        and not (request.blueprint or "").startswith("api")
        and two_factor.must_enrol(current_user)
    ):
        return redirect(url_for("two_factor.enrol"))
    return None


def begin(user: User, next_path: str | None):
    """Called by the sign-in page once the password is right: the user is not signed in
    yet; the second step (or enrolment) comes first."""
    session.clear()
    session.regenerate()
    session[PENDING] = {"user_id": user.id, "next": next_path or "", "at": now().isoformat(), "failures": 0}
    if two_factor.is_enabled(user.id):
        return redirect(url_for("two_factor.verify"))
    return redirect(url_for("two_factor.enrol_at_sign_in"))


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    try:
        started = datetime.fromisoformat(pending["at"])
        user = db.session.get(User, int(pending["user_id"]))
    except (KeyError, TypeError, ValueError):
        user, started = None, None
    if user is None or not user.active or now() - started > timedelta(minutes=PENDING_MINUTES):
        session.pop(PENDING, None)
        return None
    return user


def _finish_sign_in(user: User):
    """The second step passed, its use case having recorded the sign-in (auth.signed_in
    and the last sign-in time: two_factor.verify, two_factor.confirm_enrolment): only now
    is the user signed in, in a new session."""
    from mettrack.accounts.auth_pages import _safe_next

    next_path = session.get(PENDING, {}).get("next")
    session.clear()
    session.regenerate()  # a new session id once fully signed in
    login_user(user, remember=False)
    return _safe_next(next_path)


def _start_again():
    flash("Sign in again to continue.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def verify():
    user = _pending_user()
    if user is None:
        return _start_again()
    if not two_factor.is_enabled(user.id):
        return redirect(url_for("two_factor.enrol_at_sign_in"))
    errors = {}
    if request.method == "POST":
        try:
            used = two_factor.verify(user, request.form.get("code"))
        except ValidationError as e:
            errors = e.errors
            pending = dict(session[PENDING])
            pending["failures"] = int(pending.get("failures", 0)) + 1
            if pending["failures"] >= MAX_FAILURES:
                session.pop(PENDING, None)
                return _start_again()
            session[PENDING] = pending
        else:
            target = _finish_sign_in(user)
            if used == "recovery":
                left = two_factor.status(user.id).recovery_codes_left
                flash(
                    f"You signed in with a recovery code; {left} left. Make new ones from your account page.",
                    "info",
                )
            return redirect(target)
    return render_template("auth/two_factor.html", errors=errors), 400 if errors else 200


def _enrol_page(user: User, *, at_sign_in: bool):
    """The QR code and the secret as text, and the form that confirms them with a code;
    once confirmed, the recovery codes (shown once, not stored by the browser)."""
    errors = {}
    if request.method == "POST":
        try:
            codes = two_factor.confirm_enrolment(user, request.form.get("code"), signing_in=at_sign_in)
        except ValidationError as e:
            errors = e.errors
        else:
            target = _finish_sign_in(user) if at_sign_in else url_for("two_factor.index")
            return _no_store(render_template("account/recovery_codes.html", codes=codes, continue_to=target))
    try:
        enrolment = two_factor.start_enrolment(user)
    except ValidationError:
        return redirect(url_for("two_factor.index"))
    qr = segno.make(enrolment.uri, error="m")
    # segno's own SVG: path data and a fixed title, no text anyone typed.
    svg = Markup(  # noqa: S704  # nosec B704
        qr.svg_inline(scale=5, light="#fff", title="QR code for your authenticator app")
    )
    html = render_template(
        "account/two_factor_enrol.html",
        errors=errors,
        qr_svg=svg,
        secret=" ".join(enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4)),
        at_sign_in=at_sign_in,
    )
    return _no_store(html, 400 if errors else 200)


def _no_store(html, status=200):
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login/two-factor/enrol", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def enrol_at_sign_in():
    user = _pending_user()
    if user is None:
        return _start_again()
    if two_factor.is_enabled(user.id):
        return redirect(url_for("two_factor.verify"))
    return _enrol_page(user, at_sign_in=True)


@bp.route("/account/two-factor")
@requires(Perm.SIGNED_IN)
def index():
    return render_template("account/two_factor.html", status=two_factor.status(current_user.id))


@bp.route("/account/two-factor/enrol", methods=["GET", "POST"])
@requires(Perm.SIGNED_IN)
def enrol():
    return _enrol_page(current_user, at_sign_in=False)


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@requires(Perm.SIGNED_IN)
def recovery_codes():
    try:
        codes = two_factor.regenerate_recovery_codes(current_user)
    except ValidationError as e:
        flash(e.errors["code"], "error")
        return redirect(url_for("two_factor.index"))
    return _no_store(
        render_template("account/recovery_codes.html", codes=codes, continue_to=url_for("two_factor.index"))
    )


@bp.route("/admin/users/<int:user_id>/two-factor/reset", methods=["POST"])
@requires(Perm.USER_ADMIN)
def admin_reset(user_id: int):
    target = users.user_for_admin(user_id)
    try:
        two_factor.admin_reset(target, actor=current_user)
    except ValidationError as e:
        flash(e.errors["confirm"], "error")
    else:
        flash("Two-factor sign-in was reset. They will set it up again when they next sign in.", "success")
    return redirect(url_for("admin.user", user_id=user_id))
