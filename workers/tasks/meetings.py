"""MET meeting tasks (docs/meetings-issue.md). They take ids only: no name, agenda or case
detail ever crosses the broker."""

import logging

from celery import shared_task

from mettrack.meetings import build_agenda_pdf as build_pdf
from mettrack.meetings import pdfs_to_enqueue

log = logging.getLogger(__name__)


@shared_task(name="mettrack.scan_agenda_pdfs")
def scan_agenda_pdfs() -> dict:
    """Hand every agenda PDF that is pending (never handed, or handed too long ago) to the
    broker, one build task per PDF."""
    ids = pdfs_to_enqueue()
    for pdf_id in ids:
        build_agenda_pdf.delay(pdf_id)
    if ids:
        log.info("agenda PDF scan: %s handed to the broker", len(ids))
    return {"enqueued": len(ids)}


@shared_task(name="mettrack.build_agenda_pdf")
def build_agenda_pdf(pdf_id: int) -> str:
    """Build and store one agenda PDF (ready, or failed with the error on its row)."""
    return build_pdf(int(pdf_id))
