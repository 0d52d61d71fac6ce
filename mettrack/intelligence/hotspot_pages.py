"""The hotspots page (/intelligence/hotspots): places ranked by the children and items
linked to them in a period, for reviewers. Thin: the rules live in intelligence/hotspots.py."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, requires
from mettrack.intelligence import hotspots

bp = Blueprint("intelligence_hotspots", __name__, url_prefix="/intelligence/hotspots")


def _values(period: hotspots.Period) -> dict:
    return {
        f"{name}-{part}": str(getattr(day, attr))
        for name, day in (("from", period.start), ("to", period.end))
        for part, attr in (("day", "day"), ("month", "month"), ("year", "year"))
    }


@bp.route("/")
@requires(Perm.INTEL_REVIEW)
def index():
    errors: dict = {}
    try:
        period = hotspots.parse_period(request.args)
    except ValidationError as e:
        errors, period = e.errors, hotspots.default_period()
    found = hotspots.ranking(current_user, period)
    values = request.args.to_dict() if errors else _values(found.period)
    return render_template("intelligence/hotspots.html", found=found, errors=errors, values=values), (
        400 if errors else 200
    )
