"""Pages for missing episodes, Return Home Interviews and the Philomena Protocol.

Each view parses the form, calls one service (mettrack.missing.episodes) and renders.
Dates and times are typed in Europe/London time (GOV.UK date input and a 24-hour time)
and handed to the services as typed: core/form_input.py reads them. The case page's
"Missing" section (cases/_missing_section.html) gets its data from mettrack/cases/page.py.
"""

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from mettrack.cases import get_for
from mettrack.core.choices import RhiStatus
from mettrack.core.clock import local, now
from mettrack.core.errors import ValidationError
from mettrack.core.form_input import datetime_parts
from mettrack.core.permissions import Perm, requires
from mettrack.core.request_limits import FORM_ROOM, accepts_body_up_to
from mettrack.language import WordingFlagged, save_anyway_ticked
from mettrack.missing import episodes as service

bp = Blueprint("missing", __name__, url_prefix="/cases/<int:case_id>")

DATETIME_FIELDS = tuple(service.DATETIME_LABELS)
EPISODE_FIELDS = ("went_missing_at", "returned_at", "reported_by", "police_reference", "where_found")
RETURN_FIELDS = ("returned_at", "where_found")
RHI_FIELDS = ("rhi_status", "rhi_offered_at", "rhi_held_at", "rhi_by", "rhi_learning")
PHILOMENA_FIELDS = (
    "looked_after",
    "photo",
    "photo_taken_on",
    "description",
    "places",
    "people",
    "phone",
    "medical_needs",
)


def datetime_values(name: str, moment: datetime | None) -> dict:
    """Form values for a stored datetime, shown in London time."""
    if moment is None:
        return {}
    shown = local(moment)
    return {
        f"{name}-day": str(shown.day),
        f"{name}-month": str(shown.month),
        f"{name}-year": str(shown.year),
        f"{name}-time": shown.strftime("%H:%M"),
    }


def _form_data(fields: tuple[str, ...]) -> dict:
    # Date-times go to the service as typed (date input and time strings): it reads them.
    return {
        name: datetime_parts(request.form, name) if name in DATETIME_FIELDS else request.form.get(name, "")
        for name in fields
    }


def _ordered(errors: dict, fields: tuple[str, ...]) -> dict:
    # The error summary lists problems in the order of the fields on the page.
    return {f: errors[f] for f in fields if f in errors} | {
        f: m for f, m in errors.items() if f not in fields
    }


def _form(template: str, fields, errors: dict, values: dict, **context):
    errors = _ordered(errors, fields)
    anchors = {name: f"{name}-day" for name in DATETIME_FIELDS}
    return render_template(
        template,
        errors=errors,
        values=values,
        anchors=anchors,
        rhi_statuses=RhiStatus.choices(),
        **context,
    ), (400 if errors else 200)


def _rhi_next(episode) -> str:
    due = service.view_of(episode).rhi_due_at
    when = f" by {local(due):%-d %B %Y %H:%M}" if due else " within 72 hours of the return"
    return f"Next: offer a Return Home Interview{when}."


def _case_page(case_id: int, anchor: str = "missing"):
    return redirect(url_for("cases.detail", case_id=case_id, _anchor=anchor))


@bp.route("/missing/new", methods=["GET", "POST"])
@requires(Perm.MISSING_RECORD)
def new_episode(case_id: int):
    errors, values, flagged = {}, {}, None
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            episode = service.record_episode(
                current_user,
                case_id,
                _form_data(EPISODE_FIELDS),
                save_anyway=save_anyway_ticked(request.form),
            )
        except WordingFlagged as e:
            flagged = e
        except ValidationError as e:
            errors = e.errors
        else:
            flash(
                "The missing episode has been recorded. "
                + (
                    _rhi_next(episode)
                    if episode.returned_at
                    else "Next: when the child is found, record the return (at the top of the case page)."
                ),
                "success",
            )
            return _case_page(case_id)
    case = get_for(current_user, case_id)
    return _form("missing/episode_form.html", EPISODE_FIELDS, errors, values, case=case, flagged=flagged)


@bp.route("/missing/<int:episode_id>/return", methods=["GET", "POST"])
@requires(Perm.MISSING_RECORD)
def record_return(case_id: int, episode_id: int):
    episode = service.episode_for(current_user, case_id, episode_id)
    errors = {}
    values = {**datetime_values("returned_at", episode.returned_at), "where_found": episode.where_found or ""}
    flagged = None
    if request.method == "POST":
        values = request.form.to_dict()
        data = _form_data(RETURN_FIELDS)
        try:
            returned = service.record_return(
                current_user, case_id, episode_id, data, save_anyway=save_anyway_ticked(request.form)
            )
        except WordingFlagged as e:
            flagged = e
        except ValidationError as e:
            errors = e.errors
        else:
            flash("The return has been recorded. " + _rhi_next(returned), "success")
            return _case_page(case_id)
    return _form(
        "missing/return_form.html",
        RETURN_FIELDS,
        errors,
        values,
        case=episode_case(episode),
        episode=episode,
        flagged=flagged,
    )


@bp.route("/missing/<int:episode_id>/rhi", methods=["GET", "POST"])
@requires(Perm.MISSING_RECORD)
def record_rhi(case_id: int, episode_id: int):
    episode = service.episode_for(current_user, case_id, episode_id)
    errors = {}
    values = {
        **datetime_values("rhi_offered_at", episode.rhi_offered_at),
        **datetime_values("rhi_held_at", episode.rhi_held_at),
        "rhi_status": episode.rhi_status or "",
        "rhi_by": episode.rhi_by or "",
        "rhi_learning": episode.rhi_learning or "",
    }
    flagged = None
    if request.method == "POST":
        values = request.form.to_dict()
        data = _form_data(RHI_FIELDS)
        try:
            service.record_rhi(
                current_user, case_id, episode_id, data, save_anyway=save_anyway_ticked(request.form)
            )
        except WordingFlagged as e:
            flagged = e
        except ValidationError as e:
            errors = e.errors
        else:
            flash(
                "The Return Home Interview has been recorded: what it learnt shows in the missing episode "
                "on the case page. Next: bring what it learnt to the MET group or add a note.",
                "success",
            )
            return _case_page(case_id)
    return _form(
        "missing/rhi_form.html",
        RHI_FIELDS,
        errors,
        values,
        case=episode_case(episode),
        episode=service.view_of(episode),
        flagged=flagged,
    )


def episode_case(episode):
    return get_for(current_user, episode.case_id)


@bp.route("/philomena", methods=["GET", "POST"])
@requires(Perm.PHILOMENA_EDIT)
@accepts_body_up_to("PHILOMENA_PHOTO_MAX_BYTES", extra=FORM_ROOM)
def philomena(case_id: int):
    case, profile = service.philomena_for(current_user, case_id)
    errors = {}
    values = {f: getattr(profile, f) or "" for f in PHILOMENA_FIELDS if profile and hasattr(profile, f)}
    if request.method == "POST":
        values = request.form.to_dict()
        upload = request.files.get("photo")
        # One byte past the limit is enough to say the photo is too large.
        limit = current_app.config["PHILOMENA_PHOTO_MAX_BYTES"]
        photo = upload.read(limit + 1) if upload and upload.filename else None
        try:
            service.save_philomena(current_user, case_id, request.form, photo)
        except ValidationError as e:
            errors = e.errors
        else:
            flash("The Philomena Protocol details have been saved.", "success")
            return _case_page(case_id, "philomena")
    values.pop("photo", None)
    return _form("missing/philomena_form.html", PHILOMENA_FIELDS, errors, values, case=case, profile=profile)


@bp.route("/philomena/print")
@requires(Perm.CASE_VIEW)
def philomena_print(case_id: int):
    case, profile = service.philomena_for(current_user, case_id, action="philomena.printed")
    response = make_response(
        render_template("missing/philomena_print.html", case=case, profile=profile, printed_at=now())
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/philomena/photo")
@requires(Perm.CASE_VIEW)
def philomena_photo(case_id: int):
    _case, profile = service.philomena_for(current_user, case_id, action="philomena.photo_viewed")
    if profile is None or not profile.photo:
        abort(404)
    response = make_response(profile.photo)
    response.headers["Content-Type"] = profile.photo_type
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response
