"""The minutes pages of a meeting.

/meetings/<id>/minutes: for the chair, each agenda item with its minute form (discussion,
decisions, new actions), the quorum, "Apply decisions" (with each refusal beside its
item) and "Approve" (or a correction); for the members, the latest approved minutes.
/meetings/<id>/minutes/versions/<n>: an approved version.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.core.errors import ValidationError
from mettrack.core.form_input import date_parts_or_blank
from mettrack.core.permissions import Perm, can, requires
from mettrack.language import WordingFlagged, save_anyway_ticked
from mettrack.meetings import minutes as service

bp = Blueprint("meeting_minutes", __name__, url_prefix="/meetings/<int:meeting_id>/minutes")

ITEM_FIELDS = (
    "discussion",
    "risk_level",
    "police_tier",
    "police_team",
    "send_back_to_review",
    "close",
    "exit_reason",
    "closure_note",
    "next_review_on",
)
ACTION_FIELDS = ("description", "owner_id", "agency_id", "due_on")
ACTION_ROWS = 3  # blank action rows on each item's form
# Day, month and year fields (_macros.html date_input), read as one date each.
DATE_FIELDS = ("next_review_on", "due_on")


def _item_data(form) -> dict:
    data = {
        name: date_parts_or_blank(form, name) if name in DATE_FIELDS else form.get(name, "")
        for name in ITEM_FIELDS
    }
    data["services_requested"] = form.getlist("services_requested")
    data["actions"] = [
        {
            name: date_parts_or_blank(form, f"actions-{n}-{name}")
            if name in DATE_FIELDS
            else form.get(f"actions-{n}-{name}", "")
            for name in ACTION_FIELDS
        }
        for n in range(ACTION_ROWS)
    ]
    return data


def _chair_page(meeting_id: int, status: int = 200, **context):
    working = service.working_minutes(current_user, meeting_id)
    page = {
        "form_case": None,
        "errors": {},
        "values": {},
        "flagged": None,
        "refusals": {},
        "approve_errors": {},
        "anchors": {},
    }
    page.update(context)
    return render_template(
        "meetings/minutes_chair.html", working=working, action_rows=ACTION_ROWS, tab="minutes", **page
    ), status


@bp.get("")
@requires(Perm.MEETING_VIEW)
def show(meeting_id: int):
    if can(current_user, Perm.MEETING_MANAGE):
        return _chair_page(meeting_id)
    read = service.read_minutes(current_user, meeting_id)
    return render_template(
        "meetings/minutes_version.html",
        meeting=read.meeting,
        version=read.latest,
        numbers=read.numbers,
        tab="minutes",
    )


@bp.get("/versions/<int:number>")
@requires(Perm.MEETING_VIEW)
def version(meeting_id: int, number: int):
    meeting, version, numbers = service.approved_version(current_user, meeting_id, number)
    return render_template(
        "meetings/minutes_version.html", meeting=meeting, version=version, numbers=numbers, tab="minutes"
    )


@bp.post("/items/<int:case_id>")
@requires(Perm.MEETING_MANAGE)
def record_item(meeting_id: int, case_id: int):
    try:
        service.record_item(
            current_user,
            meeting_id,
            case_id,
            _item_data(request.form),
            save_anyway=save_anyway_ticked(request.form),
        )
    except WordingFlagged as e:
        return _chair_page(meeting_id, 400, form_case=case_id, values=request.form, flagged=e)
    except ValidationError as e:
        # The item's fields are named c<case id>-<field> on the page (one form per item).
        anchors = {
            name: f"c{case_id}-" + name.replace(".", "-") + ("-day" if name.endswith(DATE_FIELDS) else "")
            for name in e.errors
        }
        anchors["decisions"] = f"item-{case_id}"
        return _chair_page(
            meeting_id, 400, form_case=case_id, values=request.form, errors=e.errors, anchors=anchors
        )
    flash(f"The minutes of case {case_id} have been recorded.", "success")
    return redirect(url_for("meeting_minutes.show", meeting_id=meeting_id, _anchor=f"item-{case_id}"))


@bp.post("/apply")
@requires(Perm.MEETING_MANAGE)
def apply(meeting_id: int):
    try:
        applied = service.apply_decisions(current_user, meeting_id)
    except service.DecisionsRefused as e:
        refusals: dict[int, list[dict]] = {}
        for r in e.refusals:
            refusals.setdefault(r["case_id"], []).append(r)
        return _chair_page(meeting_id, 400, refusals=refusals)
    count = len(applied.case_ids)
    flash(f"The decisions have been applied to {count} case{'s' if count != 1 else ''}.", "success")
    return redirect(url_for("meeting_minutes.show", meeting_id=meeting_id))


@bp.post("/approve")
@requires(Perm.MEETING_MANAGE)
def approve(meeting_id: int):
    try:
        version = service.approve(
            current_user,
            meeting_id,
            correction_reason=request.form.get("correction_reason", ""),
            save_anyway=save_anyway_ticked(request.form),
        )
    except WordingFlagged as e:
        return _chair_page(meeting_id, 400, approve_errors=e.errors, values=request.form, flagged=e)
    except ValidationError as e:
        return _chair_page(meeting_id, 400, approve_errors=e.errors, values=request.form)
    flash(f"Version {version.number} of the minutes has been approved.", "success")
    return redirect(url_for("meeting_minutes.version", meeting_id=meeting_id, number=version.number))
