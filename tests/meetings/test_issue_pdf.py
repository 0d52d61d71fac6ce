"""Agenda PDFs: built by the worker task's function from the stored copy (run directly,
not through a broker), served with no-store as an attachment whose name names no child,
a "being prepared" page while pending, and the scan that hands pending PDFs to the broker."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.core.choices import PdfStatus, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.meetings import issue, pdf
from mettrack.meetings.models import AgendaPdf
from tests.meetings.issue_support import audit_rows, meeting_with_agenda

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.fixture
def member_id(auth, app_ctx):
    set_now(NOW)
    yield auth.as_role(Role.LEAD_PROFESSIONAL)
    set_now(None)


@pytest.fixture
def issued(member_id):
    meeting, cases = meeting_with_agenda(2, members=[db.session.get(User, member_id)])
    version = issue.issue_agenda(meeting.chair, meeting.id, note="For the March meeting")
    rows = {
        p.view: p
        for p in db.session.scalars(select(AgendaPdf).where(AgendaPdf.agenda_version_id == version.id))
    }
    return meeting, cases, version, rows


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_opens_and_its_text_holds_the_items(issued):
    meeting, cases, _version, rows = issued
    assert pdf.build_pdf(rows["full"].id) == PdfStatus.READY.value
    db.session.expire_all()
    row = db.session.get(AgendaPdf, rows["full"].id)
    assert row.content.startswith(b"%PDF") and row.built_at is not None and row.error is None
    text = _text(row.content)
    assert meeting.title in text and "OFFICIAL-SENSITIVE" in text and "Page 1 of" in text
    for case in cases:
        assert case.child.first_name in text and case.child.last_name in text
    assert "high risk" in text and "For the March meeting" in text
    # Built once: a second run leaves it as it is.
    assert pdf.build_pdf(rows["full"].id) == PdfStatus.READY.value


def test_a_build_that_fails_is_recorded_on_its_row(issued, monkeypatch):
    _meeting, _cases, _version, rows = issued

    def broken(_html):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    assert pdf.build_pdf(rows["full"].id) == PdfStatus.FAILED.value
    db.session.expire_all()
    row = db.session.get(AgendaPdf, rows["full"].id)
    assert row.status == "failed" and row.error.startswith("RuntimeError") and row.content is None


def test_served_when_ready_with_no_store_and_a_name_naming_no_child(client, issued):
    meeting, cases, _version, rows = issued
    url = f"/meetings/{meeting.id}/agenda/versions/1.pdf"
    pending = client.get(url)
    assert pending.status_code == 202
    assert "being prepared" in pending.get_data(as_text=True)
    assert pending.headers["Cache-Control"] == "no-store"
    pdf.build_pdf(rows["full"].id)
    pdf.build_pdf(rows["sanitised"].id)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "v1.pdf" in disposition
    for case in cases:
        assert case.child.first_name not in disposition and case.child.last_name not in disposition
    assert response.data.startswith(b"%PDF")
    sanitised = client.get(f"/meetings/{meeting.id}/agenda/versions/1/sanitised.pdf")
    assert sanitised.status_code == 200 and "sanitised" in sanitised.headers["Content-Disposition"]
    reads = [r for r in audit_rows("agenda.viewed") if r["detail"].get("format") == "pdf"]
    assert [r["detail"]["copy"] for r in reads] == ["full", "full", "sanitised"]
    assert all(r["record_id"] == meeting.id for r in reads)


def test_a_failed_pdf_says_so(client, issued):
    meeting, _cases, _version, rows = issued
    rows["full"].status = PdfStatus.FAILED.value
    db.session.commit()
    response = client.get(f"/meetings/{meeting.id}/agenda/versions/1.pdf")
    assert response.status_code == 503 and "could not be prepared" in response.get_data(as_text=True)


def test_the_scan_hands_pending_pdfs_to_the_broker_once_then_again_when_lost(issued, app):
    _meeting, _cases, _version, rows = issued
    ids = sorted(p.id for p in rows.values())
    assert sorted(pdf.pdfs_to_enqueue()) == ids
    assert pdf.pdfs_to_enqueue() == []  # handed: not again at once
    pdf.build_pdf(rows["full"].id)
    later = NOW + pdf.requeue_after() + timedelta(seconds=1)
    assert pdf.pdfs_to_enqueue(later) == [rows["sanitised"].id]  # still pending long after: again


def test_the_worker_tasks_take_ids(issued, app, monkeypatch):
    from workers.tasks import meetings as tasks

    _meeting, _cases, _version, rows = issued
    sent = []
    monkeypatch.setattr(tasks.build_agenda_pdf, "delay", lambda pdf_id: sent.append(pdf_id))
    assert tasks.scan_agenda_pdfs.run() == {"enqueued": 2}
    assert sorted(sent) == sorted(p.id for p in rows.values()) and all(isinstance(i, int) for i in sent)
    assert tasks.build_agenda_pdf.run(rows["sanitised"].id) == "ready"
    from workers.schedule import beat_schedule

    assert beat_schedule(app.config)["build-agenda-pdfs"]["task"] == "mettrack.scan_agenda_pdfs"
