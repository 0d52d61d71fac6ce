"""Administration of users: list, add, edit, deactivate and reactivate, reset a password,
revoke API tokens. Each view parses the form, calls one use case (accounts/users.py or
tokens.py), and renders; the rules (unique e-mail, no deactivating oneself, a new agency
only when confirmed, audit rows) live in the use cases. Adding a user shows their first
password once, as a reset does.

URLs carry user ids only: never an e-mail address or a name.
"""

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.accounts import role_grants, tokens
from mettrack.accounts import users as accounts
from mettrack.core.choices import Role
from mettrack.core.errors import ValidationError
from mettrack.core.limits import DATABASE_INT_MAX
from mettrack.core.permissions import Perm, requires

bp = Blueprint("admin", __name__, url_prefix="/admin")

STATUS_FILTERS = {"active": True, "deactivated": False}
FORM_FIELDS = ("name", "email", "agency", "new_agency", "roles")  # the order the form shows them


def _int_arg(name: str) -> int | None:
    try:
        value = int(request.args.get(name, ""))
    except ValueError:
        return None
    return value if 1 <= value <= DATABASE_INT_MAX else None  # larger: no filter, not a 500


def _user_input() -> accounts.UserInput:
    form = request.form
    return accounts.UserInput(
        email=form.get("email"),
        name=form.get("name"),
        roles=form.getlist("roles"),
        agency_id=form.get("agency", ""),
        new_agency=form.get("new_agency"),
        confirm_new_agency=form.get("confirm_new_agency"),
    )


def _values_of(user) -> dict:
    return {
        "name": user.name,
        "email": user.email,
        "agency": str(user.agency_id),
        "roles": [str(r) for r in user.roles],
    }


def _form_page(template: str, errors: dict, values: dict, unconfirmed=None, **context):
    # The error summary lists problems in the order of the fields on the page.
    errors = {f: errors[f] for f in FORM_FIELDS if f in errors} | {
        f: m for f, m in errors.items() if f not in FORM_FIELDS
    }
    agency_options = [(str(a.id), a.name) for a in accounts.list_agencies()]
    return render_template(
        template,
        errors=errors,
        values=values,
        agency_options=[*agency_options, (accounts.NEW_AGENCY, "Another agency, not in this list")],
        new_agency_value=accounts.NEW_AGENCY,
        unconfirmed=unconfirmed,
        roles=list(Role),
        **context,
    ), (400 if errors else 200)


@bp.route("/users")
@requires(Perm.USER_ADMIN)
def users():
    role = request.args.get("role") or None
    status = request.args.get("status") or None
    filters = accounts.UserFilters(
        agency_id=_int_arg("agency"),
        role=Role(role) if role in set(Role) else None,
        active=STATUS_FILTERS.get(status),
    )
    page = accounts.list_users(filters, page=_int_arg("page") or 1, per_page=current_app.config["PAGE_SIZE"])
    return render_template(
        "admin/users.html",
        page=page,
        filters=filters,
        status=status if status in STATUS_FILTERS else None,
        agencies=accounts.list_agencies(),
        roles=list(Role),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Perm.USER_ADMIN)
def new_user():
    errors, values, unconfirmed = {}, {"roles": []}, None
    if request.method == "POST":
        values = {**request.form, "roles": request.form.getlist("roles")}
        try:
            # The first password is made here, shown once below, and changed by the user
            # when they first sign in.
            user, first_password = accounts.add_user(_user_input(), actor=current_user)
        except ValidationError as e:
            errors, unconfirmed = e.errors, _unconfirmed(e)
        else:
            return _one_time_password_page(user, first_password, created=True)
    return _form_page("admin/user_form.html", errors, values, unconfirmed, user=None)


def _unconfirmed(error: ValidationError):
    """The new agency waiting for the admin's "Yes, add it", and the names close to it."""
    name = getattr(error, "new_agency", None)
    return {"name": name, "close": error.close_agencies} if name else None


def _one_time_password_page(user, password: str, created: bool):
    # Shown once, on this response only: not flashed (that would store it in the
    # session), and not kept by the browser's cache or history.
    response = make_response(
        render_template(
            "admin/temporary_password.html",
            user=user,
            temporary=password,
            created=created,
            waiting_note=_waiting_note(user.id).strip() if created else "",
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/users/<int:user_id>")
@requires(Perm.USER_ADMIN)
def user(user_id: int):
    overview = accounts.user_overview(user_id)
    return render_template("admin/user.html", overview=overview, user=overview.user)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@requires(Perm.USER_ADMIN)
def edit_user(user_id: int):
    target = accounts.user_for_admin(user_id)
    errors, values, unconfirmed = {}, _values_of(target), None
    if request.method == "POST":
        values = {**request.form, "roles": request.form.getlist("roles")}
        try:
            accounts.update_user(target, _user_input(), actor=current_user)
        except ValidationError as e:
            errors, unconfirmed = e.errors, _unconfirmed(e)
        else:
            flash("The user’s details have been saved." + _waiting_note(target.id), "success")
            return redirect(url_for("admin.user", user_id=target.id))
    return _form_page("admin/user_form.html", errors, values, unconfirmed, user=target)


def _waiting_note(user_id: int) -> str:
    waiting = role_grants.pending_for_user(user_id)
    if not waiting:
        return ""
    names = ", ".join(g.label for g in waiting)
    return f" {names}: waits until a MET chair approves it; until then they do not hold it."


def _confirm_page(template: str, overview, errors: dict | None = None):
    return render_template(template, overview=overview, user=overview.user, errors=errors or {}), (
        400 if errors else 200
    )


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@requires(Perm.USER_ADMIN)
def deactivate(user_id: int):
    if request.method == "GET":
        return _confirm_page("admin/deactivate.html", accounts.user_overview(user_id))
    target = accounts.user_for_admin(user_id)
    try:
        led = accounts.set_active(target, False, actor=current_user)
    except ValidationError as e:
        return _confirm_page("admin/deactivate.html", accounts.user_overview(user_id), e.errors)
    message = "The account has been deactivated and signed out everywhere."
    if led:
        message += f" They lead {led} open case{'s' if led != 1 else ''}: the MET chair must reassign them."
    flash(message, "success")
    return redirect(url_for("admin.user", user_id=target.id))


@bp.route("/users/<int:user_id>/reactivate", methods=["GET", "POST"])
@requires(Perm.USER_ADMIN)
def reactivate(user_id: int):
    if request.method == "GET":
        return _confirm_page("admin/reactivate.html", accounts.user_overview(user_id))
    target = accounts.user_for_admin(user_id)
    accounts.set_active(target, True, actor=current_user)
    flash("The account has been reactivated. Reset their password if they no longer know it.", "success")
    return redirect(url_for("admin.user", user_id=target.id))


@bp.route("/users/<int:user_id>/reset-password", methods=["GET", "POST"])
@requires(Perm.USER_ADMIN)
def reset_password(user_id: int):
    if request.method == "GET":
        return _confirm_page("admin/reset_password.html", accounts.user_overview(user_id))
    target = accounts.user_for_admin(user_id)
    try:
        temporary = accounts.reset_password(target, actor=current_user)
    except ValidationError as e:
        return _confirm_page("admin/reset_password.html", accounts.user_overview(user_id), e.errors)
    return _one_time_password_page(target, temporary, created=False)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@requires(Perm.USER_ADMIN)
def revoke_token(token_id: int):
    token = tokens.revoke_token(current_user, token_id)
    flash(f"The API token “{token.name}” has been revoked.", "success")
    return redirect(url_for("admin.user", user_id=token.user_id, _anchor="api-tokens"))
