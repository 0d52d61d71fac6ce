"""The audit log in words (issue 16): each action shown as words with its code beside it,
the record type chosen from a list, and a case number ("13", "#13") finding the case's
rows and those of its records."""

import html
import re

import pytest
from sqlalchemy import select

from mettrack.audit_log.rules import ACTION_WORDS, action_words, record_type_words
from mettrack.core import audit
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from tests import factories

ROW_RE = re.compile(r'<tr class="govuk-table__row">(.*?)</tr>', re.S)


@pytest.fixture
def lead(app_ctx):
    return factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Lee Lead")


def _rows(response) -> list[str]:
    body = response.get_data(as_text=True).split('<tbody class="govuk-table__body">', 1)[1]
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", r)).split()) for r in ROW_RE.findall(body)]


def _write(action, record_type, record_id, actor, detail=None):
    audit.record(action, record_type, record_id, actor=actor, detail=detail)
    db.session.commit()


def test_words_for_codes_known_and_new():
    assert action_words("notes.listed") == "Listed a case's notes"
    assert action_words("widgets.polished_up") == "Widgets: polished up"
    assert record_type_words("case_note") == "Case note"
    assert record_type_words("widget_part") == "Widget part"


def test_every_action_the_demo_writes_has_words(app_ctx):
    from tests.demo_data import load_demo_snapshot

    load_demo_snapshot()
    db.session.commit()
    actions = set(db.session.scalars(select(AuditEvent.action).distinct()))
    assert actions and not actions - set(ACTION_WORDS), sorted(actions - set(ACTION_WORDS))


def test_the_log_shows_words_and_keeps_the_code(client, auth, lead):
    auth.as_role(Role.MET_CHAIR)
    _write("notes.listed", "case", 13, lead)
    rows = _rows(client.get("/audit/?record_type=case"))
    assert rows and "Listed a case's notes notes.listed" in rows[0]
    assert "Case #13 case" in rows[0]


def test_the_record_type_is_a_list(client, auth, lead):
    auth.as_role(Role.MET_CHAIR)
    _write("widget.made", "widget_part", 1, lead)  # a type no list names yet is offered too
    page = client.get("/audit/").get_data(as_text=True)
    assert re.search(r'<select class="govuk-select[^"]*" id="record_type" name="record_type"', page)
    assert '<option value="case_note">Case note</option>' in page
    assert '<option value="widget_part">Widget part</option>' in page


@pytest.mark.parametrize("typed", ["13", "#13", "Case #13"])
def test_a_case_number_finds_the_case_and_its_records(client, auth, lead, typed):
    auth.as_role(Role.MET_CHAIR)
    _write("case.viewed", "case", 13, lead)
    _write("note.added", "case_note", 7, lead, detail={"case_id": 13, "flagged": 0})
    _write("screening.recorded", "screening", 3, lead, detail={"outcome": "refer", "case_id": 13})
    _write("case.viewed", "case", 131, lead)
    _write("note.added", "case_note", 8, lead, detail={"case_id": 131})
    _write("case.viewed", "case", 1, lead)
    rows = _rows(client.get("/audit/", query_string={"case": typed}))
    assert [r.split(") ", 1)[1].split(" ok")[0].strip() for r in rows] == [
        "Recorded a screening screening.recorded Screening #3 screening",
        "Added a case note note.added Case note #7 case_note",
        "Viewed a case case.viewed Case #13 case",
    ]
    searched = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "audit.searched")
    ).all()
    assert '"case_id": 13' in searched[-1]


@pytest.mark.parametrize("typed", ["thirteen", "#", "13 14", "99999999999"])
def test_a_bad_case_number_is_named(client, auth, typed):
    auth.as_role(Role.MET_CHAIR)
    response = client.get("/audit/", query_string={"case": typed})
    assert response.status_code == 400
    assert "Enter a case number, like 13 or #13" in html.unescape(response.get_data(as_text=True))


def test_an_admin_may_not_search_by_case(client, auth):
    auth.as_role(Role.ADMIN)
    assert client.get("/audit/?case=13").status_code == 403
    assert 'name="case"' not in client.get("/audit/").get_data(as_text=True)
