from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mettrack.core.choices import ImportStatus
from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime


class ImportJob(db.Model):
    """One uploaded exploitation list: its file, kept server-side until it is imported
    (a worker task is given this row's id, never the file), how far the check or the
    import has gone, and the dry run's report (JSON, shown to its uploader only)."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    file_kind: Mapped[str] = mapped_column(String(8))  # csv or xlsx (imports/files.py)
    # The file as uploaded; emptied once imported, so the list is not kept twice.
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default=ImportStatus.CHECK_QUEUED.value, index=True)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)  # checked, or written
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    cases_created: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[str | None] = mapped_column(Text)  # the dry run, JSON
    failure: Mapped[str | None] = mapped_column(String(500))  # why the import wrote nothing
    # When the scan last handed it to the broker; a job still waiting long after is handed again.
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
