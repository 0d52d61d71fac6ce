"""The actions list as CSV (/actions/export.csv): the list's rows and filters, every page;
a spreadsheet-safe file; the case hidden where the list hides it; one audit row."""

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from mettrack.audit_log.rules import action_words
from mettrack.core.audit_event import AuditEvent
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.meetings.models import MeetingAction
from tests.meetings.action_helpers import action, make_world

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
BOM = "\ufeff"


@pytest.fixture
def world(app):
    with app.app_context():
        set_now(NOW)
        return make_world()


@pytest.fixture
def sign_in(auth, world):
    def sign(who):
        assert auth.login(world["emails"][who]).status_code == 302

    return sign


def _rows(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    text = response.get_data().decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text[1:])))


def _exports(app) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "action.exported").order_by(AuditEvent.seq)
        )
        return [json.loads(r) for r in rows]


def test_bom_filename_and_formula_cells_neutralised(app, client, world, sign_in):
    with app.app_context():
        found = db.session.get(MeetingAction, world["b"])
        found.description = "=cmd|' /C calc'!A0 and tell the school"
        db.session.commit()
    sign_in("chair")
    response = client.get("/actions/export.csv?owner=any")
    assert response.headers["Content-Disposition"] == 'attachment; filename="actions-2026-03-20.csv"'
    rows = {int(r["Action number"]): r for r in _rows(response)}
    assert rows[world["b"]]["Action"].startswith("'=cmd|")
    assert rows[world["a"]]["Overdue"] == "Yes" and rows[world["a"]]["Due"] == "2026-03-18"
    assert rows[world["a"]]["Child's name"] == f"{world['child_first']} {world['child_last']}"
    assert rows[world["a"]]["Case number"] == str(world["case"])


def test_filters_are_the_lists_and_none_given_is_my_open_actions(app, client, world, sign_in):
    sign_in("owner")
    mine = _rows(client.get("/actions/export.csv"))
    assert [int(r["Action number"]) for r in mine] == [world["a"]]
    everyone = _rows(client.get("/actions/export.csv?owner=any"))
    assert [int(r["Action number"]) for r in everyone] == [world["a"], world["b"]]  # soonest due first
    overdue = _rows(client.get("/actions/export.csv?owner=any&overdue=true"))
    assert [int(r["Action number"]) for r in overdue] == [world["a"]]
    assert _exports(app)[-1]["query"] == {"overdue": "true"}
    bad = client.get("/actions/export.csv?owner=any&due_before=someday")
    assert bad.status_code == 400 and bad.mimetype == "text/html"
    assert len(_exports(app)) == 3  # the refused one wrote no export row


def test_the_case_is_hidden_where_the_list_hides_it(app, client, world, sign_in):
    sign_in("owner")  # owns the action, not on the case's team
    rows = _rows(client.get("/actions/export.csv?owner=any"))
    assert rows and all(r["Case number"] == "" for r in rows)
    assert all(r["Child's name"] == "A case you do not have access to" for r in rows)
    assert world["child_last"] not in json.dumps(rows)
    detail = _exports(app)[-1]
    assert detail["ids"] == [world["a"], world["b"]] and detail["case_ids"] == []


def test_a_user_exports_only_the_actions_they_may_see(app, client, world, sign_in):
    sign_in("outsider")  # not a member of the meeting, owns nothing
    assert _rows(client.get("/actions/export.csv?owner=any")) == []
    assert _exports(app)[-1]["ids"] == []


def test_the_chair_exports_every_page_in_one_audited_row(app, client, world, sign_in):
    with app.app_context():
        from mettrack.accounts.models import User
        from mettrack.cases.models import Case
        from mettrack.meetings.models import Meeting

        meeting = db.session.get(Meeting, world["meeting"])
        case = db.session.get(Case, world["case"])
        owner = db.session.get(User, world["users"]["member"].id)
        for i in range(40):
            action(meeting, case, owner, due_on=date(2026, 5, 1), description=f"Follow-up {i}")
    sign_in("chair")
    rows = _rows(client.get("/actions/export.csv?owner=any"))
    assert len(rows) == 42  # past the page size (25)
    exports = _exports(app)
    assert len(exports) == 1
    assert exports[0]["count"] == 42 and exports[0]["ids"] == [int(r["Action number"]) for r in rows]
    assert exports[0]["case_ids"] == [world["case"]]
    assert action_words("action.exported") == "Downloaded meeting actions as a file"


def test_the_list_page_links_to_the_download_with_its_filters(client, world, sign_in):
    sign_in("owner")
    page = client.get("/actions/?owner=any&status=open").get_data(as_text=True)
    assert 'id="download-csv" href="/actions/export.csv?owner=any&amp;status=open"' in page


def test_the_analyst_gets_403_and_signed_out_goes_to_sign_in(client, world, sign_in):
    assert "/login" in client.get("/actions/export.csv").headers["Location"]
    sign_in("analyst")
    assert client.get("/actions/export.csv?owner=any").status_code == 403
