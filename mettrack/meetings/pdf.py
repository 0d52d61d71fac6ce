"""The PDF of an issued agenda version, laid out for printing (docs/meetings-issue.md).

Issuing a version makes one pending AgendaPdf row per copy (full, sanitised). A periodic
task (workers/tasks/meetings.py, `mettrack.scan_agenda_pdfs`) hands each pending row to the
broker as `mettrack.build_agenda_pdf(pdf_id)`, and hands again a row still pending long
after (a lost message delays a PDF, never loses it). The build renders the stored copy
(never the live cases) to HTML with a print stylesheet and WeasyPrint turns it into the
PDF, stored on the row: ready, or failed with the error. Web requests never call the
broker, and no task argument is more than an id.
"""

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from mettrack.core import audit
from mettrack.core.choices import AgendaView, PdfStatus
from mettrack.core.clock import local, now
from mettrack.core.extensions import db
from mettrack.core.unit_of_work import transaction
from mettrack.meetings import version_rules
from mettrack.meetings.models import AgendaPdf, AgendaVersion

log = logging.getLogger(__name__)

TEMPLATE = "meetings/agenda_print.html"
MARKING = "OFFICIAL-SENSITIVE"


def print_html(version: AgendaVersion, view: AgendaView) -> str:
    """The version's copy as a printable HTML document (the template renders what it is
    given: the stored snapshot, each card's rows worked out by version_rules)."""
    view = AgendaView(view)
    agenda = version.sanitised if view is AgendaView.SANITISED else version.full
    sections = version_rules.display_sections(agenda)
    template = current_app.jinja_env.get_template(TEMPLATE)
    return template.render(
        meeting=agenda["meeting"],
        sections=sections,
        number=version.number,
        issued_on=local(version.issued_at).strftime("%-d %B %Y at %H:%M"),
        note=version.note if view is AgendaView.FULL else None,
        sanitised=view is AgendaView.SANITISED,
        marking=MARKING if view is AgendaView.FULL else None,
        partnership_name=current_app.config.get("PARTNERSHIP_NAME", ""),
    )


def _fetch_nothing(url: str, *args, **kwargs):
    # The agenda's HTML is self-contained: WeasyPrint fetches no file and no URL for it.
    raise ValueError("an agenda PDF loads nothing from outside")


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # loaded by the worker only: it is slow to import

    return HTML(string=html, base_url=current_app.root_path, url_fetcher=_fetch_nothing).write_pdf()


@transaction
def build_pdf(pdf_id: int) -> str:
    """Build and store one PDF (the worker task's body). Returns its status. A row already
    ready, or being built by another worker (locked), is left alone; a failure is stored
    on the row (status failed, the error) rather than raised."""
    pdf = db.session.scalar(select(AgendaPdf).where(AgendaPdf.id == pdf_id).with_for_update(skip_locked=True))
    if pdf is None:
        return "skipped"
    if pdf.status == PdfStatus.READY:
        return pdf.status
    version = db.session.get(AgendaVersion, pdf.agenda_version_id)
    try:
        pdf.content = render_pdf(print_html(version, AgendaView(pdf.view)))
        pdf.status = PdfStatus.READY.value
        pdf.error = None
    except Exception as exc:  # a PDF that cannot be built must not stop the worker
        log.exception("agenda PDF %s could not be built", pdf.id)
        pdf.status = PdfStatus.FAILED.value
        pdf.error = f"{type(exc).__name__}: the PDF could not be built."[:500]
        pdf.content = None
    pdf.built_at = now()
    audit.record(
        "agenda_pdf.built",
        "meeting",
        version.meeting_id,
        detail={"version": version.number, "copy": pdf.view, "status": pdf.status, "pdf_id": pdf.id},
    )
    return pdf.status


def requeue_after() -> timedelta:
    """How long a handed-over PDF may stay pending before it is handed again: longer than
    a task may run (CELERY_TASK_TIME_LIMIT), so a build still running is not doubled."""
    return timedelta(seconds=int(current_app.config.get("CELERY_TASK_TIME_LIMIT", 360)) + 60)


@transaction
def pdfs_to_enqueue(at: datetime | None = None) -> list[int]:
    """The pending PDFs to hand to the broker now: never handed, or handed longer ago than
    requeue_after(). Marks them handed (enqueued_at) in the same transaction."""
    moment = at or now()
    rows = db.session.scalars(
        select(AgendaPdf)
        .where(
            AgendaPdf.status == PdfStatus.PENDING.value,
            or_(AgendaPdf.enqueued_at.is_(None), AgendaPdf.enqueued_at <= moment - requeue_after()),
        )
        .order_by(AgendaPdf.id)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.enqueued_at = moment
    return [row.id for row in rows]
