"""Pages for issued agendas: the chair issues, members read the versions, the sanitised
copy and the list with what changed; non-members 404, other roles 403; nothing cached."""

import html
from datetime import UTC, datetime

import pytest

from mettrack.accounts.models import User
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.meetings.models import AgendaVersion
from tests import factories
from tests.conftest import post_form
from tests.meetings import factories as meeting_factories
from tests.meetings.issue_support import audit_rows, meeting_with_agenda

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(app_ctx):
    set_now(NOW)
    yield
    set_now(None)


def test_the_chair_issues_and_reissues_from_the_page(client, auth):
    chair_id = auth.as_role(Role.MET_CHAIR)
    meeting, cases = meeting_with_agenda(2, chair=db.session.get(User, chair_id))
    form = client.get(f"/meetings/{meeting.id}/agenda/issue")
    assert form.status_code == 200 and "2 items" in form.get_data(as_text=True)
    response = post_form(
        client, f"/meetings/{meeting.id}/agenda/issue", {"note": "First"}, page=form.request.path
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}/agenda/versions/1")
    page = client.get(response.headers["Location"])
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 200 and "Version 1 of the agenda has been issued" in text
    assert page.headers["Cache-Control"] == "no-store"
    for case in cases:
        assert case.child.display_name in text and f'href="/cases/{case.id}"' in text
    assert "OFFICIAL-SENSITIVE" in text

    cases[0].child.school = "Hollowmere High School"
    db.session.commit()
    post_form(client, f"/meetings/{meeting.id}/agenda/issue", {}, page=form.request.path)
    listing = client.get(f"/meetings/{meeting.id}/agenda/versions")
    text = html.unescape(listing.get_data(as_text=True))
    assert "Version 2 (latest)" in text and "Version 1" in text
    assert "What changed since version 1" in text and "Changed: school" in text
    assert cases[0].child.display_name in text
    sanitised = html.unescape(
        client.get(f"/meetings/{meeting.id}/agenda/versions/2/sanitised").get_data(as_text=True)
    )
    assert "/cases/" not in sanitised.split("<main", 1)[1]
    assert cases[0].child.display_name not in sanitised and "Hollowmere" not in sanitised


def test_an_empty_agenda_is_refused_on_the_form(client, auth):
    chair_id = auth.as_role(Role.MET_CHAIR)
    meeting = meeting_factories.meeting(chair=db.session.get(User, chair_id))
    response = post_form(
        client,
        f"/meetings/{meeting.id}/agenda/issue",
        {"note": "x"},
        page=f"/meetings/{meeting.id}/agenda/issue",
    )
    assert response.status_code == 400
    assert "The agenda has no items" in html.unescape(response.get_data(as_text=True))
    assert db.session.query(AgendaVersion).count() == 0


@pytest.mark.parametrize("role", [Role.LEAD_PROFESSIONAL, Role.COORDINATOR, Role.PARTNER])
def test_members_read_non_members_get_404(client, auth, role):
    user_id = auth.as_role(role)
    meeting, _cases = meeting_with_agenda(1, members=[db.session.get(User, user_id)])
    elsewhere, _ = meeting_with_agenda(1)
    from mettrack.meetings import issue

    issue.issue_agenda(meeting.chair, meeting.id)
    issue.issue_agenda(elsewhere.chair, elsewhere.id)
    for path in (
        "/agenda/versions",
        "/agenda/versions/1",
        "/agenda/versions/1/sanitised",
        "/agenda/versions/1.pdf",
    ):
        assert client.get(f"/meetings/{meeting.id}{path}").status_code in (200, 202)
        assert client.get(f"/meetings/{elsewhere.id}{path}").status_code == 404
    assert client.get(f"/meetings/{meeting.id}/agenda/versions/9").status_code == 404
    assert client.get(f"/meetings/{meeting.id}/agenda/issue").status_code == 403
    reads = audit_rows("agenda.viewed")
    assert len(reads) == 4 and {r["record_id"] for r in reads} == {meeting.id}


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_other_roles_get_403(client, auth, role):
    auth.as_role(role)
    meeting, _cases = meeting_with_agenda(1)
    assert client.get(f"/meetings/{meeting.id}/agenda/versions").status_code == 403
    assert client.get(f"/meetings/{meeting.id}/agenda/versions/1").status_code == 403


def test_a_met_chair_reads_every_meeting(client, auth):
    auth.as_role(Role.MET_CHAIR)
    meeting, _cases = meeting_with_agenda(1, chair=factories.user(roles=[Role.MET_CHAIR]))
    from mettrack.meetings import issue

    issue.issue_agenda(meeting.chair, meeting.id)
    assert client.get(f"/meetings/{meeting.id}/agenda/versions/1").status_code == 200


@pytest.fixture
def no_database_while_rendering(app):
    """Any SQL sent while a template renders fails the request (as tests/web/test_case_page.py)."""
    from flask import before_render_template, template_rendered
    from sqlalchemy import event

    rendering, rendered = [], []

    def started(sender, template, context, **extra):
        rendering.append(template.name)
        rendered.append(template.name)

    def finished(sender, template, context, **extra):
        rendering.pop()

    def refuse(conn, cursor, statement, *args):
        if rendering:
            raise AssertionError(f"{rendering[-1]} touched the database: {statement[:80]}")

    before_render_template.connect(started, app)
    template_rendered.connect(finished, app)
    engine = db.engine
    event.listen(engine, "before_cursor_execute", refuse)
    yield rendered
    event.remove(engine, "before_cursor_execute", refuse)
    template_rendered.disconnect(finished, app)
    before_render_template.disconnect(started, app)


@pytest.mark.usefixtures("app")
def test_no_template_touches_the_database(client, auth, request):
    from mettrack.meetings import issue

    chair_id = auth.as_role(Role.MET_CHAIR)
    meeting, _cases = meeting_with_agenda(1, chair=db.session.get(User, chair_id))
    issue.issue_agenda(meeting.chair, meeting.id)
    rendered = request.getfixturevalue("no_database_while_rendering")
    for path in ("/issue", "/versions", "/versions/1", "/versions/1/sanitised", "/versions/1.pdf"):
        response = client.get(f"/meetings/{meeting.id}/agenda{path}")
        assert response.status_code in (200, 202), path
    assert "meetings/agenda_version.html" in rendered and "meetings/agenda_pdf_pending.html" in rendered
