"""Importing a large exploitation list (docs/imports.md). The tasks take the import job's
id only: the file stays in the database, never in a message."""

import logging

from celery import shared_task

from mettrack.imports import forget_old_uploads, jobs_to_enqueue, work_on

log = logging.getLogger(__name__)


@shared_task(name="mettrack.scan_import_jobs")
def scan_import_jobs() -> dict:
    """Hand every import job waiting for a worker to the broker, one task per job, and
    delete old uploads (IMPORT_KEEP_HOURS)."""
    forgotten = forget_old_uploads()
    ids = jobs_to_enqueue()
    for job_id in ids:
        run_import_job.delay(job_id)
    if ids:
        log.info("import scan: %s job(s) handed to the broker", len(ids))
    return {"enqueued": len(ids), "deleted": len(forgotten)}


@shared_task(name="mettrack.run_import_job")
def run_import_job(job_id: int) -> str:
    """The job's dry run or its import, whichever it waits for; returns its status."""
    return work_on(int(job_id))
