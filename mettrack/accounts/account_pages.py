"""The signed-in user's own account: password and personal API tokens.

A new token's secret is shown once, on the page that answers the form, and never again:
it is not flashed (flashes live in the server-side session row), only its hash is kept,
and the page that shows it tells the browser not to store it.
"""

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user

from mettrack.accounts import other_sessions, tokens, two_factor
from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, requires

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(*, errors=None, token_name: str = "", new_token=None, new_secret: str | None = None, status=200):
    html = render_template(
        "account/index.html",
        user=current_user,
        tokens=tokens.list_tokens(current_user.id),
        errors=errors or {},
        token_name=token_name,
        new_token=new_token,
        new_secret=new_secret,
        two_factor_on=two_factor.is_enabled(current_user.id),
        other_sessions=other_sessions.count_other_sessions(current_user.id, session.row_id),
    )
    response = make_response(html, status)
    if new_secret:
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/")
@requires(Perm.SIGNED_IN)
def index():
    return _page()


@bp.route("/tokens", methods=["POST"])
@requires(Perm.SIGNED_IN)
def create_token():
    name = request.form.get("name", "")
    try:
        token, secret = tokens.create_token(current_user, name)
    except ValidationError as e:
        return _page(errors=e.errors, token_name=name, status=400)
    return _page(new_token=token, new_secret=secret)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@requires(Perm.SIGNED_IN)
def revoke_token(token_id: int):
    token = tokens.revoke_own_token(current_user, token_id)
    flash(f"The API token “{token.name}” has been revoked. Scripts using it will be refused.", "success")
    return redirect(url_for("account.index"))


@bp.route("/sessions/end-others", methods=["POST"])
@requires(Perm.SIGNED_IN)
def end_other_sessions():
    ended = other_sessions.end_other_sessions(current_user, session.row_id)
    if ended:
        places = "place" if ended == 1 else "places"
        flash(f"You have been signed out everywhere else ({ended} other {places}).", "success")
    else:
        flash("You were not signed in anywhere else.", "success")
    return redirect(url_for("account.index"))
