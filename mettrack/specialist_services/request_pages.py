"""The coordinator's pages for a case's service requests: request a service, withdraw a
request nobody has answered, and record an answer the provider gave by phone or e-mail
(accept naming the worker and start date, or decline with the reason).

Thin: specialist_services/requests.py checks, saves and audits. The free texts go
through the language check, with "save anyway" as on the other forms. The provider's own
pages (their inbox) are elsewhere; the legacy "record a service" page with no request
(/cases/<id>/services/new) stays on cases/pages.py.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.cases import get_summary_for
from mettrack.core import audit
from mettrack.core.choices import CaseState, RequestUrgency
from mettrack.core.clock import today
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.form_input import date_parts
from mettrack.core.permissions import Perm, requires
from mettrack.core.unit_of_work import transaction
from mettrack.language import WordingFlagged, save_anyway_ticked
from mettrack.specialist_services import case_requests, requests
from mettrack.specialist_services.requests import REQUEST_STATES, TEXT_LABELS

bp = Blueprint("service_requests", __name__, url_prefix="/cases/<int:case_id>/service-requests")

ACCEPT_DATES = ("starts_on", "accepted_on")


def _back(case_id: int):
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="services"))


# --- requesting


def _request_form(case, *, values=None, errors=None, flagged=None, status=200):
    return render_template(
        "specialist_services/request_form.html",
        case=case,
        values=values or {},
        errors=errors or {},
        flagged=flagged,
        choices=case_requests.choices(),
        open_codes=case_requests.open_codes(case),
        urgencies=RequestUrgency.choices(),
        possible=case.state in REQUEST_STATES,
        labels=TEXT_LABELS,
    ), status


@bp.route("/new", methods=["GET", "POST"])
@requires(Perm.SERVICE_ASSIGN)
def new(case_id: int):
    if request.method == "GET":
        values = {"service": request.args.get("service", ""), "urgency": RequestUrgency.ROUTINE.value}
        return _request_form(
            get_summary_for(current_user, case_id, action="service_request.form"), values=values
        )
    values = request.form.to_dict()
    try:
        sent = requests.request(
            current_user, case_id, request.form, save_anyway=save_anyway_ticked(request.form)
        )
    except WordingFlagged as flagged:
        case = get_summary_for(current_user, case_id, action="service_request.form")
        return _request_form(case, values=values, flagged=flagged)
    except ValidationError as e:
        case = get_summary_for(current_user, case_id, action="service_request.form")
        return _request_form(case, values=values, errors=e.errors, status=400)
    flash(f"The request has been sent to {sent.request.service.name}.", "success")
    if sent.warning:
        flash(sent.warning, "warning")
    return _back(case_id)


# --- withdrawing, and answers recorded for the provider


@transaction
def _read(user, case_id: int, request_id: int, action: str):
    """The case and the request for a form, audited by id."""
    service_request = case_requests.on_case(user, case_id, request_id, action)
    case = get_summary_for(user, case_id, action=action)
    audit.record(
        "service_request.viewed", "case", case.id, detail={"service_request": service_request.id}, actor=user
    )
    return case, service_request


def _answer_form(
    kind: str,
    case_id: int,
    request_id: int,
    *,
    values=None,
    errors=None,
    flagged=None,
    conflict=False,
    status=200,
):
    case, service_request = _read(current_user, case_id, request_id, f"service_request.{kind}_form")
    return render_template(
        f"specialist_services/{kind}_form.html",
        case=case,
        service_request=service_request,
        values=values if values is not None else {},
        errors=errors or {},
        flagged=flagged,
        conflict=conflict,
        labels=TEXT_LABELS,
        waiting=service_request.waiting,
    ), status


def _post(kind: str, case_id: int, request_id: int, change, message: str, data=None):
    values = request.form.to_dict()
    data = data if data is not None else request.form
    try:
        change(current_user, request_id, data, request.form.get("version"))
    except Conflict:
        return _answer_form(kind, case_id, request_id, values=values, conflict=True, status=409)
    except WordingFlagged as flagged:
        return _answer_form(kind, case_id, request_id, values=values, flagged=flagged)
    except ValidationError as e:
        return _answer_form(kind, case_id, request_id, values=values, errors=e.errors, status=400)
    flash(message() if callable(message) else message, "success")
    return _back(case_id)


def _on_this_case(case_id: int, request_id: int, action: str) -> None:
    # The answer's use case reaches the request through its own access rules; the page's
    # path names a case too, and a request of another case is a 404 here.
    case_requests.on_case(current_user, case_id, request_id, action)


@bp.route("/<int:request_id>/withdraw", methods=["GET", "POST"])
@requires(Perm.SERVICE_ASSIGN)
def withdraw(case_id: int, request_id: int):
    if request.method == "GET":
        return _answer_form("withdraw", case_id, request_id)
    _on_this_case(case_id, request_id, "service_request.withdrawn")

    def change(user, rid, data, version):
        return requests.withdraw(user, rid, data, version, save_anyway=save_anyway_ticked(request.form))

    return _post("withdraw", case_id, request_id, change, "The request has been withdrawn.")


@bp.route("/<int:request_id>/decline", methods=["GET", "POST"])
@requires(Perm.SERVICE_ASSIGN)
def decline(case_id: int, request_id: int):
    if request.method == "GET":
        return _answer_form("decline", case_id, request_id)
    _on_this_case(case_id, request_id, "service_request.declined")

    def change(user, rid, data, version):
        return requests.decline(user, rid, data, version, save_anyway=save_anyway_ticked(request.form))

    return _post(
        "decline",
        case_id,
        request_id,
        change,
        "The service's answer has been recorded: it declined the request.",
    )


@bp.route("/<int:request_id>/accept", methods=["GET", "POST"])
@requires(Perm.SERVICE_ASSIGN)
def accept(case_id: int, request_id: int):
    if request.method == "GET":
        day = today()
        values = {
            f"accepted_on-{p}": v
            for p, v in zip(("day", "month", "year"), (day.day, day.month, day.year), strict=True)
        }
        return _answer_form("accept", case_id, request_id, values=values)
    _on_this_case(case_id, request_id, "service_request.accepted")
    before = case_requests.state_of(case_id)
    data = {"worker": request.form.get("worker", "")}
    for name in ACCEPT_DATES:
        data[name] = date_parts(request.form, name)

    def message() -> str:
        after = case_requests.state_of(case_id)
        moved = f" The case moved to {CaseState(after).label}." if after != before else ""
        return "The service's answer has been recorded: it accepted the request." + moved

    return _post("accept", case_id, request_id, requests.accept, message, data=data)
