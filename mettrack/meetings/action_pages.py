"""Pages for actions across meetings: /actions (the list, "my open actions" by default),
/actions/<id> (one action, its history and the forms to update it) and the meeting's
actions tab /meetings/<id>/actions. Thin: the rules live in meetings/actions.py."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.core.choices import ActionNotDoneReason, ActionStatus
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.permissions import Perm, requires
from mettrack.core.spreadsheet import csv_response
from mettrack.language import WordingFlagged, save_anyway_ticked
from mettrack.meetings import action_export
from mettrack.meetings import actions as service
from mettrack.ui.paging import page_arg

bp = Blueprint("actions", __name__)

CONFLICT = (
    "Someone else changed this action while you were looking at it. Nothing was saved: "
    "check the action as it is now and try again."
)


@bp.route("/actions/")
@requires(Perm.MEETING_VIEW)
def index():
    filters, errors = service.page_defaults(request.args, current_user)
    page = service.list_for(current_user, filters, page=page_arg(), per_page=current_app.config["PAGE_SIZE"])
    return render_template(
        "meetings/actions/index.html",
        page=page,
        filters=filters,
        query_args=filters.query_args(),
        errors=errors,
        is_default=filters == service.my_open_actions(current_user),
        statuses=ActionStatus.choices(),
        agencies=service.agency_options(),
        case_hidden=service.CASE_HIDDEN,
    ), (400 if errors else 200)


@bp.route("/actions/export.csv")
@requires(Perm.MEETING_VIEW)
def export():
    """The list as a CSV file, every page: the filters of the address (the page's "Download
    CSV" link carries them; none given is "my open actions", as the page). A bad filter
    shows the list with its message."""
    filters, errors = service.page_defaults(request.args, current_user)
    if errors:
        return index()
    found = action_export.export_for(current_user, filters)
    return csv_response(found.filename, found.header, found.rows)


def _detail(action_id: int, *, form: str | None = None, errors=None, values=None, flagged=None, status=200):
    view = service.get_for(current_user, action_id)
    return render_template(
        "meetings/actions/detail.html",
        action=view,
        form=form,
        errors=errors or {},
        values=values or {},
        flagged=flagged,
        conflict=status == 409,
        conflict_text=CONFLICT,
        reasons=ActionNotDoneReason.choices(),
        owners=service.owner_options(current_user) if view.may_reassign else [],
        case_hidden=service.CASE_HIDDEN,
    ), status


@bp.route("/actions/<int:action_id>")
@requires(Perm.MEETING_VIEW)
def detail(action_id: int):
    return _detail(action_id)


def _update(action_id: int, form: str, change, message: str, *, checked: bool = True):
    values = request.form.to_dict()
    try:
        if checked:
            change(current_user, action_id, request.form, save_anyway=save_anyway_ticked(request.form))
        else:
            change(current_user, action_id, request.form)
    except WordingFlagged as e:
        return _detail(action_id, form=form, values=values, flagged=e, status=400)
    except ValidationError as e:
        return _detail(action_id, form=form, errors=e.errors, values=values, status=400)
    except Conflict:
        return _detail(action_id, form=form, values=values, status=409)
    flash(message, "success")
    return redirect(url_for("actions.detail", action_id=action_id))


@bp.route("/actions/<int:action_id>/done", methods=["POST"])
@requires(Perm.ACTION_UPDATE)
def done(action_id: int):
    return _update(action_id, "done", service.mark_done, "The action is marked done.")


@bp.route("/actions/<int:action_id>/not-done", methods=["POST"])
@requires(Perm.ACTION_UPDATE)
def not_done(action_id: int):
    return _update(action_id, "not_done", service.mark_not_done, "The action is marked not done.")


@bp.route("/actions/<int:action_id>/notes", methods=["POST"])
@requires(Perm.ACTION_UPDATE)
def note(action_id: int):
    return _update(action_id, "note", service.add_note, "Your update has been added to the action.")


@bp.route("/actions/<int:action_id>/reassign", methods=["POST"])
@requires(Perm.MEETING_MANAGE)
def reassign(action_id: int):
    return _update(action_id, "reassign", service.reassign, "The action has been changed.", checked=False)


@bp.route("/meetings/<int:meeting_id>/actions")
@requires(Perm.MEETING_VIEW)
def meeting_actions(meeting_id: int):
    found = service.meeting_actions(current_user, meeting_id)
    return render_template(
        "meetings/actions/meeting.html", found=found, case_hidden=service.CASE_HIDDEN, tab="actions"
    )
