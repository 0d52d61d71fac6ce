"""Pages for Community Partnership Information: the form (/intelligence/share), one's own
submissions (/intelligence/mine), one item (/intelligence/<id>), and for reviewers the
queue (/intelligence/review), the grading form and the link forms. Thin: the rules live
in intelligence/sharing.py and intelligence/review.py."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.core.choices import HandlingCode, IntelligenceAssessment, IntelligenceStatus, SourceEvaluation
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.form_input import date_parts
from mettrack.core.permissions import Perm, requires
from mettrack.intelligence import review, sharing
from mettrack.intelligence.paths import link_to
from mettrack.language import WordingFlagged, save_anyway_ticked
from mettrack.ui.paging import page_arg

bp = Blueprint("intelligence", __name__, url_prefix="/intelligence")

DATE_FIELDS = ("information_date", "source_date_of_birth")
DATE_ANCHORS = {name: f"{name}-day" for name in DATE_FIELDS}
CONFLICT = (
    "Someone else graded this item while you were looking at it. Nothing was saved: "
    "check the item as it is now and grade it again."
)


# --- sharing ----------------------------------------------------------------------------


def _submission(form) -> dict:
    data = {name: form.get(name) for name in sharing.FIELDS if name not in DATE_FIELDS}
    for name in DATE_FIELDS:
        data[name] = date_parts(form, name)
    return data


def _share_page(values: dict, errors: dict, status: int = 200, flagged=None):
    return render_template(
        "intelligence/share.html",
        values=values,
        errors=errors,
        flagged=flagged,
        anchors=DATE_ANCHORS,
        limits=sharing.limits(),
        mine_url=url_for("intelligence.mine"),
    ), status


@bp.route("/share", methods=["GET", "POST"])
@requires(Perm.INTEL_SHARE)
def share():
    if request.method == "GET":
        return _share_page(sharing.prefill(current_user), {})
    try:
        item = sharing.submit(
            current_user, _submission(request.form), save_anyway=save_anyway_ticked(request.form)
        )
    except WordingFlagged as e:
        return _share_page(request.form.to_dict(), {}, 400, flagged=e)
    except ValidationError as e:
        return _share_page(request.form.to_dict(), e.errors, 400)
    flash(
        f"Thank you: your information has been shared. Your reference is {item.reference}. "
        "A reviewer will grade it; you can see it here and in your shared information.",
        "success",
    )
    return redirect(url_for("intelligence.item", item_id=item.id))


@bp.route("/mine")
@requires(Perm.INTEL_SHARE)
def mine():
    found = sharing.my_submissions(current_user, page=page_arg(), per_page=current_app.config["PAGE_SIZE"])
    return render_template(
        "intelligence/item_list.html",
        page=found,
        heading="Information you have shared",
        endpoint="intelligence.mine",
        query_args={},
        item_urls={row.id: url_for("intelligence.item", item_id=row.id) for row in found.items},
        share_url=url_for("intelligence.share"),
        errors={},
    )


# --- one item -----------------------------------------------------------------------------


def _item_page(item_id: int, *, errors=None, values=None, status=200):
    view = sharing.read(current_user, item_id)
    target_urls = {
        link.id: link_to(link.kind, link.target_id) if link.target_id else None for link in view.links
    }
    return render_template(
        "intelligence/item.html",
        item=view,
        errors=errors or {},
        values=values or {},
        target_urls=target_urls,
        grade_url=url_for("intelligence.grade", item_id=view.id) if view.may_review else None,
        link_url=url_for("intelligence.link", item_id=view.id) if view.may_review else None,
        unlink_urls=(
            {link.id: url_for("intelligence.unlink", item_id=view.id, link_id=link.id) for link in view.links}
            if view.may_review
            else {}
        ),
        back_url=url_for("intelligence.review_queue") if view.may_review else url_for("intelligence.mine"),
        case_hidden=sharing.CASE_HIDDEN,
    ), status


@bp.route("/<int:item_id>")
@requires(Perm.INTEL_VIEW)
def item(item_id: int):
    return _item_page(item_id)


# --- review -------------------------------------------------------------------------------


@bp.route("/review")
@requires(Perm.INTEL_REVIEW)
def review_queue():
    filters, errors = sharing.parse_filters(request.args)
    found = review.queue(current_user, filters, page=page_arg(), per_page=current_app.config["PAGE_SIZE"])
    return render_template(
        "intelligence/review_queue.html",
        page=found,
        filters=filters,
        query_args=filters.query_args(),
        errors=errors,
        statuses=IntelligenceStatus.choices(),
        handling=HandlingCode.choices(),
        item_urls={row.id: url_for("intelligence.item", item_id=row.id) for row in found.items},
        endpoint="intelligence.review_queue",
    ), (400 if errors else 200)


def _grading_values(item) -> dict:
    users, agencies = sharing.grant_ids(item)
    return {
        "source_evaluation": item.source_evaluation or "",
        "intelligence_assessment": item.intelligence_assessment or "",
        "handling_code": item.handling_code or "",
        "handling_conditions": item.handling_conditions or "",
        "sanitised_text": item.sanitised_text or "",
        "grant_user_ids": ", ".join(str(i) for i in users),
        "grant_agency_ids": [str(i) for i in agencies],
    }


def _grading_data(form) -> dict:
    data = {name: form.get(name) for name in review.GRADE_FIELDS}
    data["grant_agency_ids"] = form.getlist("grant_agency_ids")
    return data


@bp.route("/<int:item_id>/grade", methods=["GET", "POST"])
@requires(Perm.INTEL_REVIEW)
def grade(item_id: int):
    errors, status, values, flagged = {}, 200, None, None
    if request.method == "POST":
        try:
            review.grade(
                current_user,
                item_id,
                _grading_data(request.form),
                save_anyway=save_anyway_ticked(request.form),
            )
        except WordingFlagged as e:
            flagged, status = e, 400
        except ValidationError as e:
            errors, status = e.errors, 400
        except Conflict:
            errors, status = {"version": CONFLICT}, 409
        else:
            flash("The grading has been saved.", "success")
            return redirect(url_for("intelligence.item", item_id=item_id))
        values = request.form.to_dict()
        values["grant_agency_ids"] = request.form.getlist("grant_agency_ids")
    view, found = review.for_grading(current_user, item_id)
    return render_template(
        "intelligence/review_grade.html",
        item=view,
        values=values or _grading_values(found),
        version=found.version if status != 400 else request.form.get("version", found.version),
        errors=errors,
        flagged=flagged,
        conflict=status == 409,
        evaluations=SourceEvaluation.choices(),
        assessments=IntelligenceAssessment.choices(),
        handling=HandlingCode.choices(),
        agencies=sharing.agency_options(),
        never_sanitised=review.C_NEVER_SANITISED,
        item_url=url_for("intelligence.item", item_id=item_id),
    ), status


@bp.route("/<int:item_id>/links", methods=["POST"])
@requires(Perm.INTEL_REVIEW)
def link(item_id: int):
    data = {
        name: request.form.get(name) for name in review.LINK_FIELDS if (request.form.get(name) or "").strip()
    }
    try:
        review.link(current_user, item_id, data)
    except ValidationError as e:
        return _item_page(item_id, errors=e.errors, values=request.form.to_dict(), status=400)
    flash("The link has been added.", "success")
    return redirect(url_for("intelligence.item", item_id=item_id, _anchor="links"))


@bp.route("/<int:item_id>/links/<int:link_id>/remove", methods=["POST"])
@requires(Perm.INTEL_REVIEW)
def unlink(item_id: int, link_id: int):
    review.unlink(current_user, item_id, link_id)
    flash("The link has been removed.", "success")
    return redirect(url_for("intelligence.item", item_id=item_id, _anchor="links"))
