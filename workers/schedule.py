"""The beat schedule: periodic scans. Each task reads the database for what is due, so a
run that never happened (worker down, message lost) is made good by the next one."""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any


def _every(interval: timedelta, task: str) -> dict:
    # A scan still queued when the next one is due is worthless: let it expire rather
    # than pile up behind a stopped worker.
    return {"task": task, "schedule": interval, "options": {"expires": interval.total_seconds()}}


def beat_schedule(config: Mapping[str, Any]) -> dict:
    reminder_scan = timedelta(seconds=int(config["REMINDER_SCAN_SECONDS"]))
    return {
        "scan-reminders": _every(reminder_scan, "mettrack.scan_reminders"),
        # Agenda PDFs wait for this scan after issuing: it runs often, and does nothing
        # when no PDF is pending (docs/meetings-issue.md).
        "build-agenda-pdfs": _every(
            timedelta(seconds=int(config.get("AGENDA_PDF_SCAN_SECONDS", 60))), "mettrack.scan_agenda_pdfs"
        ),
        # Uploaded exploitation lists too large for the request (docs/imports.md).
        "run-import-jobs": _every(
            timedelta(seconds=int(config.get("IMPORT_SCAN_SECONDS", 5))), "mettrack.scan_import_jobs"
        ),
        # Outside the database, so a deleted audit tail is seen (docs/security.md).
        "write-audit-checkpoint": _every(
            timedelta(seconds=int(config.get("AUDIT_CHECKPOINT_SECONDS", 300))),
            "mettrack.write_audit_checkpoint",
        ),
        # Retention (docs/retention.md): the list of records due for review, made weekly.
        "list-retention-reviews": _every(timedelta(days=7), "mettrack.list_retention_reviews"),
        "purge-expired-sessions": _every(timedelta(minutes=15), "mettrack.purge_expired_sessions"),
        "purge-delivered-broker-messages": _every(
            timedelta(hours=6), "mettrack.purge_delivered_broker_messages"
        ),
    }
