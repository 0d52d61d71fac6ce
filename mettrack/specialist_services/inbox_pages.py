"""The provider's pages (docs/services-inbox.md): /services/requests (the requests sent to
your agency's services, by tab) and /services/requests/<id> (one, as the provider sees
it, with the forms to accept or decline it). Thin: who sees what is in inbox.py, the
answers in requests.py."""

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import date_parts
from mettrack.core.permissions import Perm, can, requires
from mettrack.language import WordingFlagged, save_anyway_ticked
from mettrack.specialist_services import access
from mettrack.specialist_services import inbox as service
from mettrack.specialist_services import requests as answers
from mettrack.ui.paging import page_arg

bp = Blueprint("service_inbox", __name__)

TABS = (service.WAITING, service.ANSWERED, service.WITHDRAWN)
DATE_PARTS = ("day", "month", "year")
# Where the error summary links for each field the answers may name.
ANCHORS = {
    "starts_on": "starts_on-day",
    "accepted_on": "starts_on-day",
    "status": "request-status",
    "state": "request-status",
    "version": "request-status",
}
CONFLICT = (
    "Someone else changed this request while you were looking at it. Nothing was saved: "
    "check the request as it is now and answer again."
)


@bp.app_context_processor
def _provider_flag():
    # For the header's "Requests for your services" link (ui/template_helpers.py
    # NAVIGATION_RULES), worked out before the template renders (templates touch no
    # database). A failed read hides the link rather than failing the page, the error
    # page included.
    if has_request_context() and "provides_service" not in g:
        provides = False
        if current_user.is_authenticated and can(current_user, Perm.CASE_VIEW):
            try:
                provides = access.is_provider(current_user)
            except SQLAlchemyError:
                db.session.rollback()
                current_app.logger.warning("whether the user provides a service could not be read")
        g.provides_service = provides
    return {}


@bp.route("/services/requests")
@requires(Perm.CASE_VIEW)
def index():
    status = request.args.get("status", service.WAITING)
    if status not in TABS:
        status = service.WAITING
    page = service.inbox(current_user, status, page=page_arg(), per_page=current_app.config["PAGE_SIZE"])
    return render_template(
        "specialist_services/inbox/index.html",
        page=page,
        tabs=[(tab, service.FILTER_LABELS[tab], page.counts[tab]) for tab in TABS],
    )


def _detail(
    request_id: int,
    *,
    accept_errors=None,
    accept_values=None,
    decline_errors=None,
    decline_values=None,
    flagged=None,
    conflict=False,
    status=200,
):
    view = service.view(current_user, request_id)
    accept_values = accept_values or {"worker": current_user.name}
    return render_template(
        "specialist_services/inbox/detail.html",
        item=view,
        accept_errors=accept_errors or {},
        accept_values=accept_values,
        decline_errors=decline_errors or {},
        decline_values=decline_values or {},
        flagged=flagged,
        conflict=conflict,
        conflict_text=CONFLICT,
        anchors=ANCHORS,
    ), status


@bp.route("/services/requests/<int:request_id>")
@requires(Perm.CASE_VIEW)
def detail(request_id: int):
    return _detail(request_id)


@bp.route("/services/requests/<int:request_id>/accept", methods=["POST"])
@requires(Perm.CASE_VIEW)
def accept(request_id: int):
    # The provider's side first: a request to another agency's service is a 404 before
    # any answer is tried (even on a case the user is on), and a user whose agency
    # provides nothing a 403.
    service.require_provided(current_user, request_id, "service_request.accepted")
    values = {"worker": request.form.get("worker", "")}
    values |= {f"starts_on-{part}": request.form.get(f"starts_on-{part}", "") for part in DATE_PARTS}
    data = {"worker": values["worker"], "starts_on": date_parts(request.form, "starts_on")}
    try:
        answers.accept(current_user, request_id, data, request.form.get("version"))
    except Conflict:
        return _detail(request_id, accept_values=values, conflict=True, status=409)
    except ValidationError as e:
        return _detail(request_id, accept_errors=e.errors, accept_values=values, status=400)
    flash("You accepted the request. You are now on the case's team and can open the case.", "success")
    return redirect(url_for("service_inbox.detail", request_id=request_id))


@bp.route("/services/requests/<int:request_id>/decline", methods=["POST"])
@requires(Perm.CASE_VIEW)
def decline(request_id: int):
    service.require_provided(current_user, request_id, "service_request.declined")
    values = {"decline_reason": request.form.get("decline_reason", "")}
    try:
        answers.decline(
            current_user,
            request_id,
            values,
            request.form.get("version"),
            save_anyway=save_anyway_ticked(request.form),
        )
    except WordingFlagged as flagged:
        return _detail(request_id, decline_values=values, flagged=flagged)
    except Conflict:
        return _detail(request_id, decline_values=values, conflict=True, status=409)
    except ValidationError as e:
        return _detail(request_id, decline_errors=e.errors, decline_values=values, status=400)
    flash("You declined the request. The coordinator can see your reason.", "success")
    return redirect(url_for("service_inbox.index", status=service.ANSWERED))
