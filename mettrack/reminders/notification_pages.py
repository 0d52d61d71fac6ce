"""The signed-in user's notifications (their reminders, seen in the app), the unread
count in the page header, and their choice of how reminders reach them. Thin: the rules
live in mettrack/reminders/notifications.py.

The e-mail link of a reminder is /notifications/<id>: it leads to the case, where
sign-in and need-to-know apply as for any other visit, and changes nothing (a GET).
The list's "Open" button posts to /notifications/<id>/open, which marks it read.
"""

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, requires
from mettrack.reminders import notifications as service
from mettrack.reminders.rules import DeliveryChoice
from mettrack.ui.paging import page_arg

bp = Blueprint("notifications", __name__)


def _unread_for_header() -> int | None:
    """The header's count; None when it cannot be had, so that a database error shows
    the error page (rendered with this header) rather than failing inside it."""
    if not current_user.is_authenticated:
        return None
    # Once a request, however many templates it renders (an error page after a form...).
    if "unread_notifications" in g:
        return g.unread_notifications
    try:
        g.unread_notifications = service.unread_count(current_user)
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("the unread notification count could not be read")
        return None
    return g.unread_notifications


@bp.app_context_processor
def _notification_globals():
    # The header's count as a value, worked out before the template renders (templates
    # touch no database). Context processors run for every render_template.
    return {
        "unread_notifications": _unread_for_header(),
        "delivery_choice_label": service.label_of,
    }


@bp.route("/notifications/")
@requires(Perm.SIGNED_IN)
def index():
    page = service.list_for(current_user, page=page_arg(), per_page=current_app.config["PAGE_SIZE"])
    return render_template("notifications/index.html", page=page)


def _go_to(where: service.Destination):
    if where.path:
        return redirect(where.path)
    return redirect(url_for("cases.detail", case_id=where.case_id, _anchor=where.anchor))


@bp.route("/notifications/<int:reminder_id>")
@requires(Perm.SIGNED_IN)
def open_notification(reminder_id: int):
    # The e-mail's link: leads to the case and changes nothing (a GET never marks read).
    return _go_to(service.destination_for(current_user, reminder_id))


@bp.route("/notifications/<int:reminder_id>/open", methods=["POST"])
@requires(Perm.SIGNED_IN)
def open_and_mark_read(reminder_id: int):
    # The list's "Open" button: marks it read, then leads to the case.
    return _go_to(service.open_notification(current_user, reminder_id))


@bp.route("/notifications/read-all", methods=["POST"])
@requires(Perm.SIGNED_IN)
def read_all():
    if service.mark_all_read(current_user):
        flash("All your notifications are marked as read.", "success")
    return redirect(url_for("notifications.index"))


def _choice_page(errors: dict, chosen: str | None, status: int = 200):
    return render_template(
        "notifications/choice.html",
        choices=DeliveryChoice.choices(),
        chosen=chosen,
        errors=errors,
        field=service.CHOICE_FIELD,
    ), status


@bp.route("/account/notifications", methods=["GET", "POST"])
@requires(Perm.SIGNED_IN)
def choice():
    if request.method == "GET":
        return _choice_page({}, service.choice_of(current_user).value)
    value = request.form.get(service.CHOICE_FIELD, "")
    try:
        chosen = service.set_choice(current_user, value)
    except ValidationError as e:
        return _choice_page(e.errors, None, status=400)
    flash(f"Saved. Reminders will reach you this way from now on: {chosen.label}.", "success")
    return redirect(url_for("account.index"))
