"""The MET chair's page to set or change a case's police tier. Thin: the rules, the move,
the record, the timeline line and the audit rows live in specialist_services/tiers.py. The
case page shows the tier and its history in its "Police tier" section
(cases/_police_tier_section.html, data from mettrack/cases/page.py)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.core.choices import ReferenceKind
from mettrack.core.clock import today
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.form_input import date_parts
from mettrack.core.permissions import Perm, requires
from mettrack.language import WordingFlagged, save_anyway_ticked
from mettrack.reference import list_active
from mettrack.specialist_services import tiers

bp = Blueprint("police_tiers", __name__)

TEXT_FIELDS = ("police_tier", "police_team", "officer", "note")


def _page(found, errors: dict, values: dict, *, conflict: bool = False, flagged=None):
    status = 409 if conflict else (400 if errors else 200)
    return render_template(
        "specialist_services/tier_form.html",
        case=found.case,
        found=found,
        moves=found.case.state in tiers.MOVE_STATES,
        errors=errors,
        values=values,
        conflict=conflict,
        flagged=flagged,
        tiers=[(i.code, i.label) for i in list_active(ReferenceKind.POLICE_TIER)],
        # A team is named with its tier's code, as on the move's form.
        teams=[(i.code, f"{i.label} ({i.parent_code} tier)") for i in list_active(ReferenceKind.POLICE_TEAM)],
    ), status


def _prefilled(found) -> dict:
    day = today()
    values = {f"from_date-{part}": str(getattr(day, part)) for part in ("day", "month", "year")}
    if found.current is not None:
        record = found.current.record
        values |= {"police_tier": record.tier_code, "police_team": record.team_code or ""}
        values["officer"] = record.officer or ""
    return values


@bp.route("/cases/<int:case_id>/police-tier", methods=["GET", "POST"])
@requires(Perm.POLICE_TIER_SET)
def change(case_id: int):
    if request.method == "GET":
        found = tiers.tier_for(current_user, case_id)
        return _page(found, {}, _prefilled(found))
    values = request.form.to_dict()
    data = {name: request.form.get(name, "") for name in TEXT_FIELDS}
    data["from_date"] = date_parts(request.form, "from_date")
    try:
        done = tiers.set_tier(
            current_user,
            case_id,
            data,
            request.form.get("version"),
            save_anyway=save_anyway_ticked(request.form),
        )
    except WordingFlagged as flagged:
        return _page(tiers.tier_for(current_user, case_id), {}, values, flagged=flagged)
    except Conflict:
        return _page(tiers.tier_for(current_user, case_id), {}, values, conflict=True)
    except ValidationError as e:
        return _page(tiers.tier_for(current_user, case_id), e.errors, values)
    flash(
        "The police tier has been set and the case moved to Police tier set."
        if done.moved
        else "The change of police tier has been recorded.",
        "success",
    )
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="police-tier"))
