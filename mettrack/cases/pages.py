"""The case list, the case page, and the case page's specialist services.

The list's filters that name no one (state, risk, types, flags, places of harm, police
tier, lead professional, what needs attention, sort) are a GET form, so a filtered list
can be bookmarked and paged. The name search is different: a child's name must not be
put in a URL (URLs are kept in browser history, proxies and server logs), so the search
box is a POST form whose term is kept in the user's server-side session (a row in the
database, ended by signing out) and applied to the list until cleared with its own
button. A name typed into the query string is ignored.
"""

from dataclasses import replace

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from mettrack.cases import access_reasons, list_export
from mettrack.cases import page as case_page
from mettrack.cases import queries as cases
from mettrack.core.choices import (
    CaseFlag,
    CaseState,
    ExploitationType,
    HarmLocation,
    RiskLevel,
    Role,
    ServiceOutcome,
)
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.form_input import parse_int, with_date_parts
from mettrack.core.permissions import Perm, requires
from mettrack.core.spreadsheet import csv_response
from mettrack.core.unit_of_work import unit_of_work
from mettrack.language import WordingFlagged, save_anyway_ticked
from mettrack.specialist_services import ASSIGNED, SERVICE_STATES, get_for, service_labels, service_options
from mettrack.specialist_services import end as service_assignments_end
from mettrack.specialist_services import record as service_assignments_record

bp = Blueprint("cases", __name__, url_prefix="/cases")

SEARCH_KEY = "case_list_search"  # the name search, in the server-side session only
PER_PAGE = 25

CHOICE_LABELS = {
    "state": CaseState.labels(),
    "risk_level": RiskLevel.labels(),
    "exploitation_type": ExploitationType.labels(),
    "flag": CaseFlag.labels(),
    "harm_location": HarmLocation.labels(),
}
FIELD_LABELS = {
    "state": "State",
    "risk_level": "Risk level",
    "exploitation_type": "Exploitation type",
    "flag": "Flag",
    "harm_location": "Where harm happens",
    "police_tier": "Police tier",
    "lead_professional": "Lead professional",
    "sort": "Sort by",
    "page": "Page",
    "q": "Name",
}


def _page_arg(errors: dict) -> int:
    given = request.args.get("page", "").strip()
    if not given:
        return 1
    number = parse_int({"page": given}, "page", "Page", {})
    if number is not None and 1 <= number <= cases.MAX_PAGE:
        return number
    errors["page"] = "Page must be a whole number, 1 or more"
    return 1


def _active_filters(filters: cases.CaseFilters, choices: dict, leads: dict) -> list[dict]:
    """Each filter in use, as a label and the address of the list without it."""

    def without(param, value=None) -> str:
        return url_for("cases.index", **filters.without(param, value).query_args())

    shown = []
    for param, attr in cases.MULTI_PARAMS.items():
        for value in getattr(filters, attr):
            label = choices[param].get(value, value)
            shown.append({"text": f"{FIELD_LABELS[param]}: {label}", "href": without(param, value)})
    if filters.lead_professional_id is not None:
        name = "me" if filters.lead_is_me else leads.get(filters.lead_professional_id, "a user with no cases")
        shown.append({"text": f"Lead professional: {name}", "href": without("lead_professional")})
    for param, label in cases.BOOL_PARAMS.items():
        if getattr(filters, param):
            shown.append({"text": label, "href": without(param)})
    return shown


def _index(errors: dict | None = None, typed_search: str | None = None, status: int = 200):
    errors = dict(errors or {})
    filters, filter_errors = cases.parse_filters(request.args, current_user, search=False)
    errors |= filter_errors
    page_number = _page_arg(errors)
    search = session.get(SEARCH_KEY)
    if search:
        filters = replace(filters, search=search)
    page = cases.list_for(current_user, filters, page=page_number, per_page=PER_PAGE)
    leads = dict(cases.lead_options(current_user))
    tier_labels = cases.police_tier_labels()
    choices = {**CHOICE_LABELS, "police_tier": tier_labels}
    if errors and status == 200:
        status = 400
    return render_template(
        "cases/index.html",
        page=page,
        filters=filters,
        query_args=filters.query_args(),
        errors={name: errors[name] for name in (*cases.FILTER_PARAMS, "page", "q") if name in errors},
        field_labels=FIELD_LABELS,
        choices=choices,
        tier_options=cases.police_tier_options(),
        lead_options=list(leads.items()),
        sorts=list(cases.SORTS.items()),
        bool_params=cases.BOOL_PARAMS,
        active_filters=_active_filters(filters, choices, leads),
        search=search,
        typed_search=typed_search,
        is_lead=current_user.has_role(Role.LEAD_PROFESSIONAL),
        summary_only_ids={c.id for c in page.items if not cases.record_visible(c, current_user)},
        # A coordinator's record-only filters and alerts cover only their team's cases: said.
        whole_record_note=cases.WHOLE_RECORD_NOTE if cases.sees_summaries(current_user) else None,
        record_filter_in_use=any(
            getattr(filters, param) for param in cases.BOOL_PARAMS if param not in cases.SUMMARY_ALERTS
        ),
        tier_label=tier_labels,
    ), status


@bp.route("/")
@requires(Perm.CASE_LIST)
def index():
    return _index()


@bp.route("/export.csv")
@requires(Perm.CASE_LIST)
def export():
    """The list as a CSV file: the filters of the address (the "Download CSV" link carries
    the list's), the name search kept in the session, every page. A bad filter shows the
    list with its message, as the list does."""
    filters, errors = cases.parse_filters(request.args, current_user, search=False)
    if errors:
        return _index()
    search = session.get(SEARCH_KEY)
    if search:
        filters = replace(filters, search=search)
    found = list_export.export_for(current_user, filters)
    return csv_response(found.filename, found.header, found.rows)


@bp.route("/search", methods=["POST"])
@requires(Perm.CASE_LIST)
def search():
    """Keep (or clear) the name search in the session, then show the list with the
    filters the form carried. The redirect's address names no one."""
    filters, _errors = cases.parse_filters(request.form, current_user, search=False)
    back = url_for("cases.index", **filters.query_args())
    if request.form.get("clear"):
        session.pop(SEARCH_KEY, None)
        return redirect(back)
    errors: dict[str, str] = {}
    term = cases.normalise_search(request.form.get("q", ""), errors)
    if errors:
        return _index(errors, typed_search=request.form.get("q", ""))
    if term:
        session[SEARCH_KEY] = term
    else:
        session.pop(SEARCH_KEY, None)
    return redirect(back)


@bp.route("/<int:case_id>")
@requires(Perm.CASE_VIEW)
def detail(case_id: int):
    # A coordinator reaches every open case's summary; the sections beyond it are built
    # only when the whole record is within their need-to-know (mettrack/cases/page.py).
    # One unit of work: one audit row, one commit, after rendering, so that nothing the
    # page shows is expired by a commit before the template reads it.
    try:
        with unit_of_work():
            page = case_page.page_for(current_user, case_id)
            return render_template("cases/detail.html", page=page, case=page.case)
    except access_reasons.AccessReasonRequired as needed:
        return redirect(url_for("cases.access_reason", case_id=needed.case_id))


# --- why a police user opens the case (cases/access_reasons.py)


def _after_reason(case) -> str:
    # Back to the page asked for (a path on this site only: access_reasons.safe_next), the
    # child's page, or the case page, so the address cannot send the user off the site.
    back = access_reasons.safe_next(request.args.get("next"))
    if back:
        return back
    if request.args.get("to") == "child":
        return url_for("children.detail", child_id=case.child_id)
    return url_for("cases.detail", case_id=case.id)


@bp.route("/<int:case_id>/access-reason", methods=["GET", "POST"])
@requires(Perm.CASE_VIEW)
def access_reason(case_id: int):
    """The question before a police user's first view of the case this session. It shows
    the case's number and the choices, nothing of the child's record."""
    case = cases.case_within(current_user, case_id, cases.case_summary_scope(current_user), "case.viewed")
    if not access_reasons.asks(current_user):
        return redirect(_after_reason(case))
    errors: dict[str, str] = {}
    values = {"reason": "", "typed_reason": ""}
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in values}
        try:
            reason = access_reasons.parse(
                current_user, [case], values["reason"], values["typed_reason"], access_reasons.FIELD
            )
        except ValidationError as e:
            errors = e.errors
        else:
            access_reasons.remember(case.id, reason)
            return redirect(_after_reason(case))
    return render_template(
        "cases/access_reason.html",
        case=case,
        choices=access_reasons.choices_for(current_user, case),
        errors=errors,
        values=values,
        text_max=access_reasons.TEXT_MAX,
        to=request.args.get("to") == "child",
    ), 400 if errors else 200


# --- specialist services on a case (cases/_services_section.html)


def _service_form(case, errors: dict, values: dict, status: int = 200, conflict: bool = False):
    return render_template(
        "cases/service_form.html",
        case=case,
        errors=errors,
        values=values,
        conflict=conflict,
        services=service_options(),
        moves=case.state != ASSIGNED,
        possible=case.state in SERVICE_STATES,
    ), status


@bp.route("/<int:case_id>/services/new", methods=["GET", "POST"])
@requires(Perm.SERVICE_ASSIGN)
def new_service(case_id: int):
    if request.method == "GET":
        return _service_form(cases.get_summary_for(current_user, case_id), {}, {})
    values = request.form.to_dict()
    try:
        data = with_date_parts(request.form, ("accepted_on",))
        moved = service_assignments_record(current_user, case_id, data, request.form.get("version")).moved
    except Conflict:
        return _service_form(cases.get_summary_for(current_user, case_id), {}, values, 409, conflict=True)
    except ValidationError as e:
        return _service_form(cases.get_summary_for(current_user, case_id), e.errors, values, 400)
    flash(
        "The specialist service has been recorded"
        + (" and the case moved to Specialist service assigned." if moved else "."),
        "success",
    )
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="services"))


@bp.route("/<int:case_id>/services/<int:assignment_id>/end", methods=["GET", "POST"])
@requires(Perm.SERVICE_ASSIGN)
def end_service(case_id: int, assignment_id: int):
    case, assignment = get_for(current_user, case_id, assignment_id)
    labels = service_labels()
    context = {
        "case": case,
        "assignment": assignment,
        "label": labels.get(assignment.service_code, ""),
        "outcomes": ServiceOutcome.choices(),
    }
    if request.method == "GET":
        return render_template("cases/service_end_form.html", errors={}, values={}, **context)
    values = request.form.to_dict()
    try:
        service_assignments_end(
            current_user,
            case_id,
            assignment_id,
            with_date_parts(request.form, ("ended_on",)),
            save_anyway=save_anyway_ticked(request.form),
            outcome_required=True,
        )
    except WordingFlagged as flagged:
        return render_template(
            "cases/service_end_form.html", errors={}, values=values, flagged=flagged, **context
        )
    except ValidationError as e:
        return render_template("cases/service_end_form.html", errors=e.errors, values=values, **context), 400
    flash("The end of the service's work has been recorded.", "success")
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="services"))
