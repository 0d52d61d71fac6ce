"""Trying a failed agenda PDF again: a MET chair sets it back to pending (its error and
enqueued_at cleared) so the scan hands it to a worker again; refused when it has not
failed; audited; the "Try again" button on the failed PDF's page for chairs only."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.core.choices import PdfStatus, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.meetings import issue, pdf
from mettrack.meetings.models import AgendaPdf
from tests import factories
from tests.conftest import post_form
from tests.meetings.issue_support import audit_rows, meeting_with_agenda

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    set_now(NOW)
    yield
    set_now(None)


def _issued(members=()):
    meeting, _cases = meeting_with_agenda(1, members=members)
    version = issue.issue_agenda(meeting.chair, meeting.id)
    rows = {
        p.view: p
        for p in db.session.scalars(select(AgendaPdf).where(AgendaPdf.agenda_version_id == version.id))
    }
    return meeting, rows


def _fail(row, monkeypatch):
    def broken(_html):
        raise RuntimeError("no fonts")

    pdf.pdfs_to_enqueue()
    monkeypatch.setattr(pdf, "render_pdf", broken)
    assert pdf.build_pdf(row.id) == PdfStatus.FAILED.value
    monkeypatch.undo()


def _row(row_id) -> AgendaPdf:
    db.session.expire_all()
    return db.session.get(AgendaPdf, row_id)


def test_a_failed_pdf_goes_back_to_pending_and_the_scan_picks_it_up(app_ctx, monkeypatch):
    meeting, rows = _issued()
    _fail(rows["full"], monkeypatch)
    failed = _row(rows["full"].id)
    assert failed.enqueued_at is not None and failed.error
    assert pdf.pdfs_to_enqueue() == []  # failed: never handed again by itself
    chair = factories.user(roles=[Role.MET_CHAIR])
    issue.retry_pdf(chair, meeting.id, 1, "full")
    row = _row(rows["full"].id)
    assert row.status == PdfStatus.PENDING.value and row.error is None and row.enqueued_at is None
    assert pdf.pdfs_to_enqueue() == [row.id]
    assert pdf.build_pdf(row.id) == PdfStatus.READY.value
    [audited] = audit_rows("agenda.pdf_retried")
    assert audited["actor_user_id"] == chair.id and audited["record_type"] == "meeting"
    assert audited["record_id"] == meeting.id
    assert audited["detail"]["version"] == 1 and audited["detail"]["copy"] == "full"
    assert audited["detail"]["pdf_id"] == row.id


def test_a_pdf_that_has_not_failed_is_refused(app_ctx, monkeypatch):
    meeting, rows = _issued()
    with pytest.raises(ValidationError) as pending:
        issue.retry_pdf(meeting.chair, meeting.id, 1, "sanitised")
    assert "already being prepared" in pending.value.errors["pdf"]
    pdf.build_pdf(rows["full"].id)
    with pytest.raises(ValidationError) as ready:
        issue.retry_pdf(meeting.chair, meeting.id, 1, "full")
    assert "ready" in ready.value.errors["pdf"]
    assert _row(rows["full"].id).status == PdfStatus.READY.value
    assert audit_rows("agenda.pdf_retried") == []


def test_only_a_chair_may_try_again(app_ctx, monkeypatch):
    member = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    meeting, rows = _issued(members=[member])
    _fail(rows["full"], monkeypatch)
    with pytest.raises(NotAllowed):
        issue.retry_pdf(member, meeting.id, 1, "full")
    assert _row(rows["full"].id).status == PdfStatus.FAILED.value


def test_the_failed_page_shows_try_again_to_a_chair_and_it_works(client, auth, app, monkeypatch):
    with app.app_context():
        meeting, rows = _issued()
        _fail(rows["sanitised"], monkeypatch)
        meeting_id, row_id = meeting.id, rows["sanitised"].id
    auth.as_role(Role.MET_CHAIR)
    page = f"/meetings/{meeting_id}/agenda/versions/1/sanitised.pdf"
    failed = client.get(page)
    assert failed.status_code == 503
    text = failed.get_data(as_text=True)
    assert "Try again" in text and f"{page}/retry" in text and "csrf_token" in text
    response = post_form(client, f"{page}/retry", page=page)
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    followed = client.get(page)
    assert followed.status_code == 202 and "will be prepared again" in followed.get_data(as_text=True)
    with app.app_context():
        assert _row(row_id).status == PdfStatus.PENDING.value
    # Again, now that it is pending: refused with a message, nothing changed.
    again = post_form(client, f"{page}/retry", page=page)
    assert again.status_code == 302
    assert "already being prepared" in client.get(page).get_data(as_text=True)
    with app.app_context():
        assert len(audit_rows("agenda.pdf_retried")) == 1


def test_a_member_who_is_not_a_chair_sees_no_button_and_is_refused(client, auth, app, monkeypatch):
    member_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    with app.app_context():
        meeting, rows = _issued(members=[db.session.get(User, member_id)])
        _fail(rows["full"], monkeypatch)
        meeting_id, row_id = meeting.id, rows["full"].id
    page = f"/meetings/{meeting_id}/agenda/versions/1.pdf"
    failed = client.get(page)
    text = failed.get_data(as_text=True)
    assert failed.status_code == 503 and "could not be prepared" in text
    assert "Try again" not in text and "/retry" not in text and "Ask the meeting's chair" in text
    assert post_form(client, f"{page}/retry").status_code == 403
    with app.app_context():
        assert _row(row_id).status == PdfStatus.FAILED.value


def test_someone_not_on_the_meeting_gets_not_found(client, auth, app, monkeypatch):
    auth.as_role(Role.LEAD_PROFESSIONAL)
    with app.app_context():
        meeting, rows = _issued()
        _fail(rows["full"], monkeypatch)
        meeting_id = meeting.id
    page = f"/meetings/{meeting_id}/agenda/versions/1.pdf"
    assert client.get(page).status_code == 404
    # The role is refused before the meeting is looked at.
    assert post_form(client, f"{page}/retry").status_code == 403
