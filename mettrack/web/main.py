"""The signed-in home page: each role sees its own work."""

from flask import Blueprint, render_template
from flask_login import current_user

from mettrack.permissions import Perm, requires

bp = Blueprint("main", __name__)


@bp.route("/")
@requires(Perm.SIGNED_IN)
def home():
    return render_template("main/home.html", user=current_user)
