"""Pages for peer links between children's cases: the form to link another child to this
one, and removing a link. Thin: the rules live in intelligence/peers.py."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.core.choices import LinkReliability, PeerLinkKind
from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, requires
from mettrack.intelligence import peers
from mettrack.language import WordingFlagged, save_anyway_ticked

bp = Blueprint("intelligence_peers", __name__)


def _form(case_id: int, *, errors=None, values=None, flagged=None, status=200):
    peers.check_may_add(current_user, case_id)
    return render_template(
        "intelligence/peer_form.html",
        case_id=case_id,
        case_url=url_for("cases.detail", case_id=case_id),
        action_url=url_for("intelligence_peers.new", case_id=case_id),
        kinds=PeerLinkKind.choices(),
        reliabilities=LinkReliability.choices(),
        errors=errors or {},
        values=values or {},
        flagged=flagged,
    ), status


@bp.route("/cases/<int:case_id>/peer-links/new", methods=["GET", "POST"])
@requires(Perm.INTEL_VIEW)
def new(case_id: int):
    if request.method == "GET":
        return _form(case_id)
    data = {k: v for k, v in request.form.items() if k not in ("csrf_token", "save_anyway")}
    try:
        peers.add(current_user, case_id, data, save_anyway=save_anyway_ticked(request.form))
    except WordingFlagged as e:
        return _form(case_id, values=data, flagged=e, status=400)
    except ValidationError as e:
        return _form(case_id, errors=e.errors, values=data, status=400)
    flash("The children are linked. The link shows on both cases to those who may see both.", "success")
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="intelligence"))


@bp.route("/cases/<int:case_id>/peer-links/<int:link_id>/remove", methods=["POST"])
@requires(Perm.INTEL_VIEW)
def remove(case_id: int, link_id: int):
    peers.remove(current_user, case_id, link_id)
    flash("The link between the children has been removed.", "success")
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="intelligence"))
