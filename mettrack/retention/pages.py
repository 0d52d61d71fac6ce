"""Retention and subject access pages (docs/retention.md).

Thin: mettrack/retention/review.py and subject_access.py check, change and audit. An
administrator's review list shows ids, dates and rules only; deleting a case takes two
steps (the list's "Delete" opens a confirm page, whose form must be ticked).
"""

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, requires
from mettrack.retention import review, subject_access
from mettrack.retention.rules import RULE_WORDS

bp = Blueprint("retention", __name__)


@bp.app_template_filter("retention_rule")
def _rule_words(rule: str) -> str:
    return RULE_WORDS.get(rule, rule)


@bp.route("/admin/retention")
@requires(Perm.RETENTION_REVIEW)
def index():
    listed, made = review.review_list(current_user)
    return render_template("retention/index.html", listed=listed, made=made)


@bp.route("/admin/retention/scan", methods=["POST"])
@requires(Perm.RETENTION_REVIEW)
def scan():
    count = review.scan()
    flash(f"The review list has been made again: {count} records are due for review.", "success")
    return redirect(url_for("retention.index"))


@bp.route("/admin/retention/cases/<int:case_id>/delete", methods=["GET", "POST"])
@requires(Perm.RETENTION_REVIEW)
def delete(case_id: int):
    if request.method == "POST":
        try:
            done = review.delete_case(current_user, case_id, request.form.get("confirm"))
        except review.DeletionRefused as refused:
            flash(refused.errors["case"], "error")
            return redirect(url_for("retention.index"))
        except ValidationError as e:
            due, refusals = review.deletion_preview(current_user, case_id)
            return render_template(
                "retention/confirm.html", case_id=case_id, due=due, refusals=refusals, errors=e.errors
            ), 400
        message = f"Case {case_id} has been deleted ({done.total} rows)."
        versions = done.redacted["agenda_versions"] + done.redacted["minutes_versions"]
        if versions:
            message += (
                f" Its item in {versions} issued agenda or minutes version(s) now reads as a record "
                "removed under the retention policy."
            )
        if done.intelligence_to_review:
            refs = ", ".join(f"CPI-{i:05d}" for i in done.intelligence_to_review)
            message += (
                f" These intelligence items are linked to other records and were kept without the link; "
                f"their text may still mention the child: ask the police reviewer to review {refs}."
            )
        flash(message, "success")
        return redirect(url_for("retention.index"))
    due, refusals = review.deletion_preview(current_user, case_id)
    return render_template("retention/confirm.html", case_id=case_id, due=due, refusals=refusals, errors={})


@bp.route("/cases/<int:case_id>/legal-hold", methods=["GET", "POST"])
@requires(Perm.LEGAL_HOLD)
def hold(case_id: int):
    errors: dict = {}
    reason = request.form.get("reason", "")
    if request.method == "POST":
        try:
            if request.form.get("action") == "clear":
                review.clear_hold(current_user, case_id)
                flash(f"Case {case_id} is no longer on legal hold.", "success")
            else:
                review.set_hold(current_user, case_id, reason)
                flash(f"Case {case_id} is on legal hold: it will not be offered for deletion.", "success")
            return redirect(url_for("retention.hold", case_id=case_id))
        except ValidationError as e:
            errors = e.errors
    current = review.hold_of(current_user, case_id)
    return render_template(
        "retention/hold.html", case_id=case_id, hold=current, reason=reason, errors=errors
    ), (400 if errors else 200)


@bp.route("/children/<int:child_id>/subject-access.<fmt>")
@requires(Perm.SUBJECT_ACCESS)
def subject_access_export(child_id: int, fmt: str):
    data = subject_access.export(current_user, child_id, fmt)
    if fmt == "pdf":
        body, mimetype = subject_access.render_pdf(data), "application/pdf"
    else:
        body, mimetype = json.dumps(data, indent=2, ensure_ascii=False, default=str), "application/json"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="subject-access-child-{child_id}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response
