"""Administration of users: add, edit, deactivate, reset a password."""

from flask import Blueprint, render_template
from sqlalchemy import select

from mettrack.extensions import db
from mettrack.models import User
from mettrack.permissions import Perm, requires

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@requires(Perm.USER_ADMIN)
def users():
    rows = db.session.scalars(select(User).order_by(User.name)).all()
    return render_template("admin/users.html", users=rows)
