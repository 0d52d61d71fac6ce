"""Role grants waiting for you: a MET chair approves or refuses the roles administrators
gave that need a second person (accounts/role_grants.py; docs/security.md)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from mettrack.accounts import role_grants
from mettrack.core.permissions import Perm, requires

bp = Blueprint("role_grants", __name__, url_prefix="/role-grants")


@bp.route("/")
@requires(Perm.ROLE_GRANT_DECIDE)
def index():
    return render_template("role_grants/index.html", waiting=role_grants.waiting_for(current_user))


@bp.route("/<int:grant_id>/approve", methods=["POST"])
@requires(Perm.ROLE_GRANT_DECIDE)
def approve(grant_id: int):
    grant = role_grants.decide(current_user, grant_id, approve=True)
    flash(f"{grant.user.name} now holds what they were given: {grant.label}.", "success")
    return redirect(url_for("role_grants.index"))


@bp.route("/<int:grant_id>/refuse", methods=["POST"])
@requires(Perm.ROLE_GRANT_DECIDE)
def refuse(grant_id: int):
    grant = role_grants.decide(current_user, grant_id, approve=False)
    flash(f"{grant.label}, given to {grant.user.name}, has been refused: they do not hold it.", "success")
    return redirect(url_for("role_grants.index"))
