"""The signed-in user's own account: password and personal API tokens."""

from flask import Blueprint, render_template
from flask_login import current_user

from mettrack.permissions import Perm, requires

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/")
@requires(Perm.SIGNED_IN)
def index():
    return render_template("account/index.html", user=current_user)
