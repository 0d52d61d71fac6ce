"""Pages of the draft agenda (docs/meetings-agenda.md): the chair's draft at
/meetings/<id>/agenda with its edits, the lead professional's update for an item, and a
closure proposal on a case. Each view parses the form, calls one use case and renders
(a refused edit renders the page again, which reads it again)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, requires
from mettrack.language import WordingFlagged, save_anyway_ticked
from mettrack.meetings import agenda as agenda_cases
from mettrack.meetings import contributions

bp = Blueprint("meeting_agenda", __name__)

MEETING = "/meetings/<int:meeting_id>/agenda"
ITEM = MEETING + "/items/<int:item_id>"


def _agenda_page(meeting_id: int, errors: dict | None = None, values: dict | None = None):
    page = agenda_cases.page_for(current_user, meeting_id)
    if not page.is_chair and page.latest_version:
        # A member who is not a chair reads the issued agenda: the Agenda tab leads there.
        return redirect(url_for("agenda_versions.version", meeting_id=meeting_id, number=page.latest_version))
    template = "meetings/agenda.html" if page.is_chair else "meetings/agenda_not_issued.html"
    errors = errors or {}
    return render_template(
        template,
        page=page,
        errors=errors,
        values=values or {},
        tab="agenda",
        versions_url=url_for("agenda_versions.versions", meeting_id=meeting_id),
        issue_url=url_for("agenda_versions.issue", meeting_id=meeting_id) if page.is_chair else None,
        latest_url=(
            url_for("agenda_versions.version", meeting_id=meeting_id, number=page.latest_version)
            if page.latest_version
            else None
        ),
    ), (400 if errors else 200)


def _to_agenda(meeting_id: int, anchor: str | None = None):
    return redirect(url_for("meeting_agenda.agenda", meeting_id=meeting_id, _anchor=anchor))


def _int(value) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 10 else None


@bp.route(MEETING)
@requires(Perm.MEETING_VIEW)
def agenda(meeting_id: int):
    return _agenda_page(meeting_id)


@bp.route(MEETING + "/build", methods=["POST"])
@requires(Perm.MEETING_MANAGE)
def build(meeting_id: int):
    draft = agenda_cases.build(current_user, meeting_id, with_cards=False)
    count = len(draft.items)
    flash(
        f"The draft agenda has been built from the data as of now: {count} item{'s' if count != 1 else ''}."
    )
    return _to_agenda(meeting_id)


@bp.route(MEETING + "/add", methods=["POST"])
@requires(Perm.MEETING_MANAGE)
def add(meeting_id: int):
    raw = request.form.get("case_id", "")
    case_id = _int(raw)
    try:
        if case_id is None:
            raise ValidationError({"case_id": "Enter the case's number (a whole number)"})
        item = agenda_cases.add_case(current_user, meeting_id, case_id)
    except ValidationError as e:
        return _agenda_page(meeting_id, e.errors, {"case_id": raw})
    flash(f"Case #{case_id} is on the agenda.")
    return _to_agenda(meeting_id, f"item-{item.id}")


@bp.route(ITEM + "/remove", methods=["POST"])
@requires(Perm.MEETING_MANAGE)
def remove(meeting_id: int, item_id: int):
    reason = request.form.get("reason", "")
    try:
        agenda_cases.remove_item(current_user, meeting_id, item_id, reason)
    except ValidationError as e:
        errors = {f"reason-{item_id}" if k == "reason" else k: v for k, v in e.errors.items()}
        return _agenda_page(meeting_id, errors, {f"reason-{item_id}": reason})
    flash("The item has been taken off the agenda. A rebuild keeps it off.")
    return _to_agenda(meeting_id, "removed")


@bp.route(ITEM + "/restore", methods=["POST"])
@requires(Perm.MEETING_MANAGE)
def restore(meeting_id: int, item_id: int):
    try:
        agenda_cases.restore_item(current_user, meeting_id, item_id)
    except ValidationError as e:
        return _agenda_page(meeting_id, e.errors)
    flash("The item is back on the agenda.")
    return _to_agenda(meeting_id, f"item-{item_id}")


@bp.route(ITEM + "/move", methods=["POST"])
@requires(Perm.MEETING_MANAGE)
def move(meeting_id: int, item_id: int):
    direction = request.form.get("direction")
    position = request.form.get("position")
    try:
        if position not in (None, ""):
            number = _int(position)
            if number is None:
                raise ValidationError({"position": "Enter the position as a whole number from 1"})
            agenda_cases.move_item(current_user, meeting_id, item_id, position=number)
        else:
            agenda_cases.move_item(current_user, meeting_id, item_id, direction=direction)
    except ValidationError as e:
        return _agenda_page(meeting_id, e.errors)
    return _to_agenda(meeting_id, f"item-{item_id}")


@bp.route(ITEM + "/update", methods=["GET", "POST"])
@requires(Perm.MEETING_CONTRIBUTE)
def lead_update(meeting_id: int, item_id: int):
    errors, flagged, values = {}, None, {}
    if request.method == "POST":
        values = {"text": request.form.get("text", "")}
        try:
            contributions.save_update(
                current_user, meeting_id, item_id, values, save_anyway=save_anyway_ticked(request.form)
            )
        except WordingFlagged as e:
            flagged = e
        except ValidationError as e:
            errors = e.errors
        else:
            flash("Your update for the meeting has been saved.")
            return redirect(url_for("meeting_agenda.lead_update", meeting_id=meeting_id, item_id=item_id))
    form = contributions.update_form(current_user, meeting_id, item_id)
    if not values and form.update is not None:
        values = {"text": form.update.text}
    return render_template(
        "meetings/lead_update_form.html", form=form, errors=errors, values=values, flagged=flagged
    ), (400 if errors or flagged else 200)


@bp.route("/cases/<int:case_id>/closure-proposal", methods=["GET", "POST"])
@requires(Perm.MEETING_CONTRIBUTE)
def closure_proposal(case_id: int):
    errors, flagged, values = {}, None, {}
    if request.method == "POST":
        values = {"reason": request.form.get("reason", "")}
        try:
            contributions.propose_closure(
                current_user, case_id, values, save_anyway=save_anyway_ticked(request.form)
            )
        except WordingFlagged as e:
            flagged = e
        except ValidationError as e:
            errors = e.errors
        else:
            flash("The case has been proposed for closure. It will be on the next MET meeting's agenda.")
            return redirect(url_for("meeting_agenda.closure_proposal", case_id=case_id))
    form = contributions.closure_form(current_user, case_id)
    return render_template(
        "meetings/closure_form.html", form=form, errors=errors, values=values, flagged=flagged
    ), (400 if errors or flagged else 200)


@bp.route("/cases/<int:case_id>/closure-proposal/withdraw", methods=["POST"])
@requires(Perm.MEETING_CONTRIBUTE)
def withdraw_closure(case_id: int):
    try:
        contributions.withdraw_closure(current_user, case_id)
    except ValidationError as e:
        flash(" ".join(e.errors.values()), "error")
    else:
        flash("The closure proposal has been withdrawn.")
    return redirect(url_for("meeting_agenda.closure_proposal", case_id=case_id))
