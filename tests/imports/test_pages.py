"""The import pages (mettrack/imports/pages.py) and the worker task for large files
(workers/tasks/imports.py): upload, the dry run row by row, confirm, progress."""

import io
import json

import pytest
from sqlalchemy import func, select

from mettrack.cases.models import Case
from mettrack.children.models import Child
from mettrack.core.choices import ImportStatus, Role
from mettrack.core.extensions import db
from mettrack.imports import jobs
from mettrack.imports.models import ImportJob
from tests.conftest import csrf_from
from tests.imports.conftest import csv_bytes, row


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def upload(client, content: bytes, name: str = "list.csv"):
    token = csrf_from(client.get("/imports/"))
    return client.post(
        "/imports/",
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def confirm(client, job_id: int):
    token = csrf_from(client.get(f"/imports/{job_id}"))
    return client.post(f"/imports/{job_id}/confirm", data={"csrf_token": token})


def latest_job() -> ImportJob:
    db.session.expire_all()
    return db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()


@pytest.fixture
def run_task(app):
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()

    def run(job_id):
        result = celery.tasks["mettrack.run_import_job"].apply(args=(job_id,))
        assert result.successful(), result.traceback
        # The test's requests share its app context, and so its session: let them read afresh.
        db.session.expire_all()
        return result.get()

    return run


def test_the_dry_run_shows_each_row_and_writes_nothing_until_confirmed(lists, client, auth):
    auth.as_role(Role.MET_CHAIR)
    response = upload(client, csv_bytes([row(), row(child_name="Cai Example", state="referred")]))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ada Example" in page and "Cai Example" in page and "Create the child and a case" in page
    assert "Import 2 cases" in page and "Nothing has been written yet" in page
    assert (count(Child), count(Case)) == (0, 0)

    job = latest_job()
    assert confirm(client, job.id).status_code == 302
    assert (count(Child), count(Case)) == (2, 2)
    job = latest_job()
    assert job.status == ImportStatus.IMPORTED and job.content is None and job.cases_created == 2
    confirm(client, job.id)  # pressed again: refused, nothing imported twice
    assert count(Case) == 2
    assert "Imported" in client.get(f"/imports/{job.id}").get_data(as_text=True)


def test_errors_are_listed_by_row_and_column_and_the_file_cannot_be_imported(lists, client, auth):
    auth.as_role(Role.ADMIN)
    upload(client, csv_bytes([row(), row(child_name="Cai Example", exploitation_type="CSA")]))
    job = latest_job()
    page = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "1 error" in page and "Exploitation type" in page and "Unknown exploitation type" in page
    assert "Import 1 cases" not in page
    confirm(client, job.id)
    assert latest_job().status == ImportStatus.CHECKED and count(Case) == 0


def test_a_file_that_is_not_a_list_is_refused_naming_the_field(lists, client, auth):
    auth.as_role(Role.MET_CHAIR)
    response = upload(client, b"%PDF-1.4", name="list.pdf")
    assert response.status_code == 400 and "Choose a CSV file" in response.get_data(as_text=True)
    assert count(ImportJob) == 0


def test_an_upload_is_seen_only_by_its_uploader(lists, client, auth):
    auth.as_role(Role.MET_CHAIR)
    upload(client, csv_bytes([row()]))
    job = latest_job()
    auth.logout()
    auth.as_role(Role.MET_CHAIR)
    assert client.get(f"/imports/{job.id}").status_code == 404


def test_the_template_has_the_headings_and_one_made_up_row(lists, client, auth):
    auth.as_role(Role.MET_CHAIR)
    response = client.get("/imports/template.csv")
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeffChild name,Date of birth,Gender,Ethnicity,Address,Exploitation type")
    assert len(text.strip().splitlines()) == 2 and "example.invalid" in text


def test_a_large_file_goes_to_the_worker_with_a_progress_bar(lists, app, client, auth, run_task, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_INLINE_ROWS", 2)
    auth.as_role(Role.MET_CHAIR)
    upload(client, csv_bytes([row(child_name=f"Ada Ex{chr(97 + i)}mple") for i in range(3)]))
    job = latest_job()
    assert job.status == ImportStatus.CHECK_QUEUED
    page = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh"' in page and "<progress" in page
    assert json.loads(client.get(f"/imports/{job.id}/progress.json").data)["status"] == "check_queued"

    assert jobs.jobs_to_enqueue() == [job.id] and jobs.jobs_to_enqueue() == []  # handed over once
    assert run_task(job.id) == "checked"
    page = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "Import 3 cases" in page and "<progress" not in page

    confirm(client, job.id)
    assert latest_job().status == ImportStatus.IMPORT_QUEUED and count(Case) == 0
    assert run_task(job.id) == "imported"
    assert count(Case) == 3
    assert run_task(job.id) == "imported" and count(Case) == 3  # a second run does nothing


def test_the_worker_reports_progress_while_checking(lists, app, client, auth, run_task, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_INLINE_ROWS", 2)
    auth.as_role(Role.MET_CHAIR)
    names = [f"Ada Ex{chr(97 + i // 26)}{chr(97 + i % 26)}mple" for i in range(1200)]
    upload(client, csv_bytes([row(child_name=name) for name in names]))
    job = latest_job()
    seen = []
    real_set = jobs._set

    def watching(job_id, **values):
        real_set(job_id, **values)
        with db.engine.connect() as other:  # what the page reads meanwhile, on its own connection
            seen.append(
                other.execute(
                    select(ImportJob.status, ImportJob.rows_done).where(ImportJob.id == job_id)
                ).one()
            )

    monkeypatch.setattr(jobs, "_set", watching)
    run_task(job.id)
    # (the move to "checking" with no row done is the claim's own, _claim, before these)
    assert [tuple(s) for s in seen] == [
        ("checking", 500),
        ("checking", 1000),
        ("checking", 1200),
    ]


def test_an_import_that_fails_on_confirming_writes_nothing_and_says_why(lists, client, auth):
    auth.as_role(Role.MET_CHAIR)
    upload(client, csv_bytes([row(lead_email="lead@example.org")]))
    job = latest_job()
    assert job.error_count == 1  # no such lead yet
    db.session.execute(
        ImportJob.__table__.update().values(error_count=0)  # as if the lead existed at the dry run
    )
    db.session.commit()
    confirm(client, job.id)
    job = latest_job()
    assert job.status == ImportStatus.FAILED and "Lead professional e-mail" in job.failure
    assert count(Case) == 0 and count(Child) == 0


def test_a_small_file_worked_on_by_the_request_is_left_alone_by_the_workers_scan(lists, client, auth):
    auth.as_role(Role.MET_CHAIR)
    upload(client, csv_bytes([row()]))
    job = latest_job()
    assert job.status == ImportStatus.CHECKED and job.enqueued_at is not None
    assert jobs.jobs_to_enqueue() == []


def test_uploads_are_deleted_once_old_and_the_deletion_is_audited(lists, app, client, auth):
    from datetime import timedelta

    from mettrack.core.audit_event import AuditEvent
    from mettrack.core.clock import now

    auth.as_role(Role.MET_CHAIR)
    upload(client, csv_bytes([row()]))
    job = latest_job()
    assert job.status == ImportStatus.CHECKED  # checked, never confirmed
    hours = app.config["IMPORT_KEEP_HOURS"]
    assert jobs.forget_old_uploads(now() + timedelta(hours=hours - 1)) == []
    assert jobs.forget_old_uploads(now() + timedelta(hours=hours + 1)) == [job.id]
    db.session.expire_all()
    assert latest_job() is None
    assert client.get(f"/imports/{job.id}").status_code == 404
    row_ = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import.uploads_deleted")).one()
    assert json.loads(row_.detail)["ids"] == [job.id]


def audit_rows(action: str) -> list:
    from mettrack.core.audit_event import AuditEvent

    db.session.expire_all()
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
    return list(db.session.scalars(query))


def test_reading_a_job_and_the_list_of_uploads_is_audited_but_not_the_progress(lists, client, auth):
    auth.as_role(Role.MET_CHAIR)
    upload(client, csv_bytes([row()]))
    job = latest_job()
    viewed = len(audit_rows("import.viewed"))
    assert "Ada Example" in client.get(f"/imports/{job.id}").get_data(as_text=True)
    rows = audit_rows("import.viewed")
    assert len(rows) == viewed + 1 and rows[-1].record_id == str(job.id)

    client.get("/imports/")
    listed = audit_rows("import.listed")[-1]
    assert listed.record_type == "import_job" and json.loads(listed.detail)["ids"] == [job.id]

    # progress.json shows the status and counts only: no name, so no audit row per poll
    client.get(f"/imports/{job.id}/progress.json")
    assert len(audit_rows("import.viewed")) == viewed + 1


def test_a_job_delivered_twice_at_once_is_imported_once(lists, app, client, auth, monkeypatch):
    import threading

    monkeypatch.setitem(app.config, "IMPORT_INLINE_ROWS", 0)  # every job to the worker
    auth.as_role(Role.MET_CHAIR)
    upload(client, csv_bytes([row()]))
    job_id = latest_job().id
    assert jobs.work_on(job_id) == "checked"
    confirm(client, job_id)
    assert latest_job().status == ImportStatus.IMPORT_QUEUED

    # The second delivery arrives while the first is checking the file again, on its own
    # connection (another worker process), and runs to its end before the first goes on.
    second: list[str] = []
    real_check = jobs.check

    def second_delivery():
        with app.app_context():
            try:
                second.append(jobs.work_on(job_id))
            finally:
                db.session.remove()

    def check_while_delivered_again(table, progress=None):
        if not second:
            thread = threading.Thread(target=second_delivery)
            thread.start()
            thread.join(timeout=30)
        return real_check(table, progress)

    monkeypatch.setattr(jobs, "check", check_while_delivered_again)
    assert jobs.work_on(job_id) == "imported"
    assert second == ["importing"]  # it found the job claimed, and wrote nothing
    db.session.expire_all()
    assert (count(Child), count(Case)) == (1, 1)


def test_a_job_left_mid_import_by_a_dead_worker_is_handed_out_again_and_imported(lists, app, client, auth):
    from datetime import timedelta

    from mettrack.core.clock import now

    auth.as_role(Role.MET_CHAIR)
    upload(client, csv_bytes([row()]))
    job = latest_job()
    db.session.execute(
        ImportJob.__table__.update().values(
            status=ImportStatus.IMPORTING.value, enqueued_at=now() - timedelta(hours=1)
        )
    )
    db.session.commit()
    assert jobs.work_on(job.id) == "importing"  # not claimable while marked as being worked on
    assert jobs.jobs_to_enqueue() == [job.id]
    assert latest_job().status == ImportStatus.IMPORT_QUEUED
    assert jobs.work_on(job.id) == "imported" and count(Case) == 1


# --- files that cannot be read ----------------------------------------------------------------


def rewritten(content: bytes, name: str, change) -> bytes:
    """The zip (a workbook) with its part `name` changed."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            part = zin.read(item.filename)
            zout.writestr(item, change(part) if item.filename == name else part)
    return out.getvalue()


def workbook(*rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for cells in rows:
        book.active.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def a_zip_that_is_not_a_workbook() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("notes.txt", "not a spreadsheet")
    return out.getvalue()


def a_workbook_with_no_sheet() -> bytes:
    import re

    return rewritten(workbook(), "xl/workbook.xml", lambda xml: re.sub(rb"<sheet [^>]*/>", b"", xml))


def a_workbook_whose_sheet_is_damaged() -> bytes:
    from tests.imports.conftest import HEADER

    return rewritten(workbook(HEADER, row()), "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2])


LATIN_1_CSV = "Child name,Date of birth\nZoë Example,14/03/2008\n".encode("latin-1")
UNREADABLE = [
    pytest.param("list.xlsx", a_zip_that_is_not_a_workbook(), "not an Excel workbook", id="zip"),
    pytest.param("list.xlsx", a_workbook_with_no_sheet(), "has no worksheet", id="no-sheet"),
    pytest.param("list.xlsx", workbook(), "The file is empty", id="empty-sheet"),
    pytest.param("list.xlsx", a_workbook_whose_sheet_is_damaged(), "workbook cannot be read", id="damaged"),
    pytest.param("list.csv", LATIN_1_CSV, "not UTF-8", id="latin-1"),
]


@pytest.mark.parametrize(("name", "content", "message"), UNREADABLE)
def test_an_unreadable_upload_is_refused_with_a_clear_message(lists, client, auth, name, content, message):
    auth.as_role(Role.MET_CHAIR)
    response = upload(client, content, name=name)
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and message in text and "Zoë" not in text
    assert count(ImportJob) == 0


def stored_job(content: bytes, kind: str) -> int:
    """A job whose file the worker is to check, as the upload keeps it (one kept before the
    file reader refused such files, or one the worker reads differently)."""
    from tests import factories

    job = ImportJob(
        created_by_id=factories.user((Role.MET_CHAIR,)).id, file_kind=kind, content=content, rows_total=1
    )
    db.session.add(job)
    db.session.commit()
    return job.id


@pytest.mark.parametrize(("name", "content", "message"), UNREADABLE)
def test_a_file_the_worker_cannot_read_fails_the_job_with_a_reason(lists, name, content, message):
    job_id = stored_job(content, name.rsplit(".", 1)[1])
    assert jobs.work_on(job_id) == "failed"
    job = latest_job()
    assert message in job.failure and job.finished_at is not None
    assert jobs.jobs_to_enqueue() == []  # not handed out again


def test_an_unexpected_error_while_checking_fails_the_job_which_is_deleted_in_time(
    lists, app, client, auth, monkeypatch
):
    from datetime import timedelta

    from mettrack.core.clock import now

    monkeypatch.setitem(app.config, "IMPORT_INLINE_ROWS", 0)  # to the worker
    auth.as_role(Role.MET_CHAIR)
    upload(client, csv_bytes([row()]))
    job_id = latest_job().id

    def broken(*args, **kwargs):
        raise KeyError("Ada Example")  # an error whose text quotes a cell

    monkeypatch.setattr(jobs.rules, "check_table", broken)
    assert jobs.work_on(job_id) == "failed"
    job = latest_job()
    assert job.failure.startswith("The check failed (KeyError)") and "Ada" not in job.failure
    page = client.get(f"/imports/{job_id}")
    assert page.status_code == 200 and "The check failed (KeyError)" in page.get_data(as_text=True)
    assert jobs.jobs_to_enqueue() == []  # not handed out again
    hours = app.config["IMPORT_KEEP_HOURS"]
    assert jobs.forget_old_uploads(now() + timedelta(hours=hours + 1)) == [job_id]
