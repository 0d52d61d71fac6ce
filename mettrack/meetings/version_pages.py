"""Pages for issued agendas (docs/meetings-issue.md): the chair issues the draft agenda as
a new version; members read each version (the full copy), its sanitised copy, the list of
versions with what changed, and the PDFs (a chair may try a failed PDF again). Each view
calls one use case (meetings/issue.py) and renders; nothing here is kept by a browser or a
proxy (Cache-Control: no-store).
"""

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.core.choices import AgendaView, PdfStatus
from mettrack.core.clock import local
from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, can, requires
from mettrack.meetings import issue as service
from mettrack.meetings import version_rules

bp = Blueprint("agenda_versions", __name__, url_prefix="/meetings/<int:meeting_id>/agenda")


@bp.after_request
def _not_for_caches(response):
    # An agenda names children: no browser or shared cache may keep a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


def _starts(meeting) -> str:
    return local(meeting.starts_at).strftime("%-d %B %Y at %H:%M")


def _issue_page(meeting_id: int, errors: dict, values: dict, status: int = 200):
    form = service.issue_form(current_user, meeting_id)
    return render_template(
        "meetings/agenda_issue.html",
        meeting={"title": form.meeting.title},
        starts_local=_starts(form.meeting),
        items=form.items,
        latest=form.latest,
        next_number=(form.latest or 0) + 1,
        errors=errors,
        values=values,
        versions_url=url_for(".versions", meeting_id=meeting_id),
        draft_url=url_for("meeting_agenda.agenda", meeting_id=meeting_id),
        meeting_id=meeting_id,
        tab="agenda",
    ), status


@bp.route("/issue", methods=["GET", "POST"])
@requires(Perm.MEETING_MANAGE)
def issue(meeting_id: int):
    if request.method == "GET":
        return _issue_page(meeting_id, {}, {})
    values = {"note": request.form.get("note", "")}
    try:
        version = service.issue_agenda(current_user, meeting_id, note=values["note"])
    except ValidationError as e:
        return _issue_page(meeting_id, e.errors, values, 400)
    flash(f"Version {version.number} of the agenda has been issued.", "success")
    return redirect(url_for(".version", meeting_id=meeting_id, number=version.number))


@bp.route("/versions")
@requires(Perm.MEETING_VIEW)
def versions(meeting_id: int):
    found = service.list_versions(current_user, meeting_id)
    newest = found.versions[0].number if found.versions else None
    shown = []
    for v in found.versions:
        urls = {
            "full_url": url_for(".version", meeting_id=meeting_id, number=v.number),
            "sanitised_url": url_for(".sanitised", meeting_id=meeting_id, number=v.number),
            "full_pdf_url": url_for(".version_pdf", meeting_id=meeting_id, number=v.number),
            "sanitised_pdf_url": url_for(".sanitised_pdf", meeting_id=meeting_id, number=v.number),
        }
        statuses = {
            f"{view.value}_pdf_status": _pdf_status(found.pdfs.get((v.id, view.value))) for view in AgendaView
        }
        shown.append(
            {
                "number": v.number,
                "latest": v.number == newest,
                "issued_on": local(v.issued_at).strftime("%-d %B %Y at %H:%M"),
                "issued_by": v.issued_by.name,
                "note": v.note,
                "item_count": version_rules.item_count(v.full),
                "changes": version_rules.display_changes(v.changes or []),
                **urls,
                **statuses,
            }
        )
    return render_template(
        "meetings/agenda_versions.html",
        meeting={"title": found.meeting.title},
        starts_local=_starts(found.meeting),
        versions=shown,
        can_issue=can(current_user, Perm.MEETING_MANAGE),
        issue_url=url_for(".issue", meeting_id=meeting_id),
        draft_url=url_for("meeting_agenda.agenda", meeting_id=meeting_id),
        meeting_id=meeting_id,
        tab="agenda",
    )


def _pdf_status(pdf) -> str:
    return PdfStatus(pdf.status).label if pdf else PdfStatus.PENDING.label


def _render_copy(meeting_id: int, number: int, view: AgendaView):
    copy = service.read_version(current_user, meeting_id, number, view)
    sanitised = view is AgendaView.SANITISED
    sections = version_rules.display_sections(copy.agenda)
    for section in sections:
        for item in section["items"]:
            # Only the members' copy links to the case page (which keeps its own need-to-know).
            item["case_url"] = (
                None if sanitised or item["removed"] else url_for("cases.detail", case_id=item["case_id"])
            )
    if sanitised:
        pdf_url = url_for(".sanitised_pdf", meeting_id=meeting_id, number=number)
        other_url = url_for(".version", meeting_id=meeting_id, number=number)
        other_text = "The full agenda (members)"
    else:
        pdf_url = url_for(".version_pdf", meeting_id=meeting_id, number=number)
        other_url = url_for(".sanitised", meeting_id=meeting_id, number=number)
        other_text = "The sanitised copy"
    return render_template(
        "meetings/agenda_version.html",
        meeting=copy.agenda["meeting"],
        number=copy.version.number,
        sanitised=sanitised,
        issued_on=local(copy.version.issued_at).strftime("%-d %B %Y at %H:%M"),
        issued_by=copy.version.issued_by.name,
        note=None if sanitised else copy.version.note,
        sections=sections,
        changes=version_rules.display_changes(copy.changes),
        versions_url=url_for(".versions", meeting_id=meeting_id),
        pdf_url=pdf_url,
        other_url=other_url,
        other_text=other_text,
        meeting_id=meeting_id,
        tab="agenda",
        minutes_url=url_for("meeting_minutes.show", meeting_id=meeting_id),
    )


@bp.route("/versions/<int:number>")
@requires(Perm.MEETING_VIEW)
def version(meeting_id: int, number: int):
    return _render_copy(meeting_id, number, AgendaView.FULL)


@bp.route("/versions/<int:number>/sanitised")
@requires(Perm.MEETING_VIEW)
def sanitised(meeting_id: int, number: int):
    return _render_copy(meeting_id, number, AgendaView.SANITISED)


def _send_pdf(meeting_id: int, number: int, view: AgendaView):
    found = service.read_pdf(current_user, meeting_id, number, view)
    pdf = found.pdf
    sanitised = view is AgendaView.SANITISED
    page_url = url_for(".sanitised" if sanitised else ".version", meeting_id=meeting_id, number=number)
    retry_url = url_for(
        ".retry_sanitised_pdf" if sanitised else ".retry_pdf", meeting_id=meeting_id, number=number
    )
    if pdf.status != PdfStatus.READY or not pdf.content:
        failed = pdf.status == PdfStatus.FAILED
        body = render_template(
            "meetings/agenda_pdf_pending.html",
            meeting={"title": found.meeting.title},
            number=number,
            failed=failed,
            can_retry=failed and can(current_user, Perm.MEETING_MANAGE),
            retry_url=retry_url,
            page_url=page_url,
            pdf_url=request.path,
        )
        # 202: accepted, not ready yet; a failed build is the server's fault (503, try later).
        return body, (503 if failed else 202)
    # The file name names the meeting and the version, never a child.
    day = local(found.meeting.starts_at).strftime("%Y-%m-%d")
    suffix = "-sanitised" if sanitised else ""
    response = make_response(pdf.content)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="met-agenda-{found.meeting.id}-{day}-v{number}{suffix}.pdf"'
    )
    return response


@bp.route("/versions/<int:number>.pdf")
@requires(Perm.MEETING_VIEW)
def version_pdf(meeting_id: int, number: int):
    return _send_pdf(meeting_id, number, AgendaView.FULL)


@bp.route("/versions/<int:number>/sanitised.pdf")
@requires(Perm.MEETING_VIEW)
def sanitised_pdf(meeting_id: int, number: int):
    return _send_pdf(meeting_id, number, AgendaView.SANITISED)


def _retry(meeting_id: int, number: int, view: AgendaView):
    """A MET chair's "Try again" on a failed PDF: back to pending, built at the next scan.
    Back to the PDF's page either way (it says "being prepared" and refreshes itself)."""
    try:
        service.retry_pdf(current_user, meeting_id, number, view)
    except ValidationError as e:
        flash(e.errors.get("pdf", str(e)))
    else:
        flash("The PDF will be prepared again. It is usually ready within a minute or two.", "success")
    endpoint = ".sanitised_pdf" if view is AgendaView.SANITISED else ".version_pdf"
    return redirect(url_for(endpoint, meeting_id=meeting_id, number=number))


@bp.route("/versions/<int:number>.pdf/retry", methods=["POST"])
@requires(Perm.MEETING_MANAGE)
def retry_pdf(meeting_id: int, number: int):
    return _retry(meeting_id, number, AgendaView.FULL)


@bp.route("/versions/<int:number>/sanitised.pdf/retry", methods=["POST"])
@requires(Perm.MEETING_MANAGE)
def retry_sanitised_pdf(meeting_id: int, number: int):
    return _retry(meeting_id, number, AgendaView.SANITISED)
