"""Importing the exploitation list (docs/imports.md): upload, the dry run, confirm.

Thin: mettrack/imports/jobs.py checks, writes and audits. A file of up to
IMPORT_INLINE_ROWS rows is checked (and, once confirmed, imported) in the request; a
larger one by a worker (workers/tasks/imports.py), while the job's page shows a progress
bar and refreshes itself (a meta refresh: no script).
"""

import json

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.core.choices import IMPORT_WAITING, CaseState, ExploitationType, ImportStatus, RiskLevel
from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, requires
from mettrack.core.request_limits import FORM_ROOM, accepts_body_up_to
from mettrack.core.spreadsheet import csv_response
from mettrack.imports import jobs
from mettrack.imports.rules import COLUMNS, OPTIONAL_COLUMNS

bp = Blueprint("imports", __name__, url_prefix="/imports")

ROWS_PER_PAGE = 200
# The template's example row: made up, as every name in METtrack's examples is.
EXAMPLE_ROW = (
    "Sam Example",
    "14/03/2008",
    "Female",
    "White British",
    "1 Nowhere Lane, Demotown, ZZ99 1ZZ",
    "CSE; CCE",
    "high",
    "high",
    "lead.professional@example.invalid",
    "01/07/2022",
    "police_tiered",
    "",
    "Hants MET Team",
    "",
)


@bp.route("/")
@requires(Perm.CASES_IMPORT)
def index():
    return render_template(
        "imports/index.html",
        recent=jobs.recent_for(current_user),
        errors={},
        columns=COLUMNS,
        optional=OPTIONAL_COLUMNS,
        types=ExploitationType,
        states=CaseState,
        risks=RiskLevel,
        statuses=ImportStatus,
    )


@bp.route("/", methods=["POST"])
@requires(Perm.CASES_IMPORT)
@accepts_body_up_to("IMPORT_MAX_BYTES", extra=FORM_ROOM)
def upload():
    upload = request.files.get("file")
    limit = current_app.config["IMPORT_MAX_BYTES"]
    content = upload.read(limit + 1) if upload and upload.filename else b""
    try:
        if len(content) > limit:
            raise ValidationError({"file": f"The file is larger than {limit // (1024 * 1024)} MB: split it"})
        job = jobs.upload(current_user, upload.filename if upload else "", content)
    except ValidationError as e:
        return render_template(
            "imports/index.html",
            recent=jobs.recent_for(current_user),
            errors=e.errors,
            columns=COLUMNS,
            optional=OPTIONAL_COLUMNS,
            types=ExploitationType,
            states=CaseState,
            risks=RiskLevel,
            statuses=ImportStatus,
        ), 400
    if jobs.in_the_request(job):
        jobs.check_job(job.id)
    return redirect(url_for("imports.job", job_id=job.id))


@bp.route("/template.csv")
@requires(Perm.CASES_IMPORT)
def template():
    header = [heading for _key, heading in COLUMNS + OPTIONAL_COLUMNS]
    return csv_response("exploitation-list-template.csv", header, [EXAMPLE_ROW])


@bp.route("/<int:job_id>")
@requires(Perm.CASES_IMPORT)
def job(job_id: int):
    view = jobs.get_for(current_user, job_id)
    report = view.report
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows = report.get("rows", [])
    pages = max((len(rows) + ROWS_PER_PAGE - 1) // ROWS_PER_PAGE, 1)
    page = min(page, pages)
    return render_template(
        "imports/job.html",
        job=view.job,
        report=report,
        rows=rows[(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE],
        page=page,
        pages=pages,
        waiting=view.job.status in IMPORT_WAITING,
        statuses=ImportStatus,
        state_labels=CaseState.labels(),
        errors={},
    )


@bp.route("/<int:job_id>/progress.json")
@requires(Perm.CASES_IMPORT)
def progress(job_id: int):
    job = jobs.progress_for(current_user, job_id)
    body = {
        "status": job.status,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "errors": job.error_count,
    }
    return current_app.response_class(json.dumps(body), mimetype="application/json")


@bp.route("/<int:job_id>/confirm", methods=["POST"])
@requires(Perm.CASES_IMPORT)
def confirm(job_id: int):
    try:
        job = jobs.confirm(current_user, job_id)
    except ValidationError as e:
        flash(e.errors["confirm"], "error")
        return redirect(url_for("imports.job", job_id=job_id))
    if jobs.in_the_request(job):
        job = jobs.run_job(job.id)
        if job.status == ImportStatus.IMPORTED:
            flash(f"The list has been imported: {job.cases_created} cases.", "success")
        elif job.status == ImportStatus.FAILED:
            flash("The list was not imported, and nothing was written: see the errors below.", "error")
    return redirect(url_for("imports.job", job_id=job_id))
