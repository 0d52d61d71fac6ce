"""The case list as CSV (/cases/export.csv): the list's rows, filters, sort and scope,
every page; a spreadsheet-safe file; one audit row naming every id."""

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.audit_log.rules import action_words
from mettrack.cases.models import Case, CaseTag, CaseTeamMember
from mettrack.children.models import Child
from mettrack.core.audit import verify_chain
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, CaseTagKind, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.reference import data as reference_data
from tests import factories
from tests.conftest import post_form

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
BOM = "\ufeff"


@pytest.fixture(autouse=True)
def _clock_and_lists(app_ctx):
    set_now(NOW)
    reference_data.seed_defaults()
    db.session.commit()


def _case(first_name="Testchild", *, lead=None, members=(), state=CaseState.MET_REVIEW, types=("cse",)):
    child = factories.child(first_name=first_name, date_of_birth=date(2011, 5, 4))
    return factories.case(lead=lead, members=members, state=state, child_obj=child, exploitation_types=types)


def _rows(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    text = response.get_data().decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text[1:])))


def _exports() -> list[dict]:
    rows = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.exported").order_by(AuditEvent.seq)
    ).all()
    return [json.loads(r.detail) | {"_actor": r.actor_user_id, "_outcome": r.outcome} for r in rows]


def test_the_file_is_utf8_with_a_bom_and_formulas_are_neutralised(client, auth):
    auth.as_role(Role.MET_CHAIR)
    case = _case('=HYPERLINK("http://x.invalid")')
    _case("Zoë")
    response = client.get("/cases/export.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="cases-2026-06-01.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    rows = _rows(response)
    by_id = {int(r["Case number"]): r for r in rows}
    assert by_id[case.id]["Child's name"].startswith("'=HYPERLINK(")
    assert any(r["Child's name"].startswith("Zoë ") for r in rows)
    assert by_id[case.id]["Date of birth"] == "2011-05-04"
    assert by_id[case.id]["State"] == "For MET review"
    assert by_id[case.id]["Exploitation types"] == "CSE"
    assert by_id[case.id]["Access"] == "Whole record"


def test_filters_and_sort_are_the_lists_and_every_page_is_in_it(client, auth):
    auth.as_role(Role.MET_CHAIR)
    referred = [_case(f"Referred{i}", state=CaseState.REFERRED) for i in range(3)]
    _case("Reviewed", state=CaseState.MET_REVIEW)
    cce = _case("Criminal", state=CaseState.REFERRED, types=("cce",))
    rows = _rows(client.get("/cases/export.csv?state=referred&exploitation_type=cse"))
    assert [int(r["Case number"]) for r in rows] == [c.id for c in reversed(referred)]  # newest first
    assert cce.id not in {int(r["Case number"]) for r in rows}
    # A bad filter: the list with its message, no file, no audit row of an export.
    bad = client.get("/cases/export.csv?state=nonsense")
    assert bad.status_code == 400 and bad.mimetype == "text/html"
    assert "Choose each state from" in bad.get_data(as_text=True)
    detail = _exports()[-1]
    assert detail["query"] == {"state": ["referred"], "exploitation_type": ["cse"], "sort": "opened"}
    assert detail["ids"] == [c.id for c in reversed(referred)] and detail["count"] == 3


def test_the_name_search_kept_in_the_session_applies_and_is_not_logged(client, auth):
    auth.as_role(Role.MET_CHAIR)
    found = _case("Aderyn")
    _case("Bethan")
    assert post_form(client, "/cases/search", {"q": "Aderyn"}, page="/cases/").status_code == 302
    page = client.get("/cases/").get_data(as_text=True)
    assert 'href="/cases/export.csv"' in page  # the link carries the filters, never the name
    rows = _rows(client.get("/cases/export.csv"))
    assert [int(r["Case number"]) for r in rows] == [found.id]
    detail = _exports()[-1]
    assert detail["query"]["name_search"] is True
    assert "Aderyn" not in json.dumps(detail)


def test_a_user_exports_only_the_cases_they_may_list(client, auth):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    lead = db.session.get(User, lead_id)
    mine = _case("Mine", lead=lead)
    other = _case("Notmine")
    rows = _rows(client.get("/cases/export.csv"))
    assert [int(r["Case number"]) for r in rows] == [mine.id]
    assert "Notmine" not in json.dumps(rows)
    assert _exports()[-1]["ids"] == [mine.id]
    assert other.id not in _exports()[-1]["ids"]


def test_a_coordinator_gets_the_summary_of_an_open_case_off_their_team(client, auth):
    coordinator_id = auth.as_role(Role.COORDINATOR)
    coordinator = db.session.get(User, coordinator_id)
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    theirs = _case("Onteam", lead=lead, members=[coordinator])
    summary = _case("Offteam", lead=lead)
    closed = _case("Closedoff", lead=lead, state=CaseState.CLOSED)
    db.session.add(CaseTag(case_id=summary.id, kind=CaseTagKind.FLAG.value, value="county_lines"))
    db.session.commit()
    rows = {int(r["Case number"]): r for r in _rows(client.get("/cases/export.csv"))}
    assert set(rows) == {theirs.id, summary.id}  # a closed case off the team is not listed
    assert closed.id not in rows
    assert rows[theirs.id]["Access"] == "Whole record" and rows[theirs.id]["Date of birth"] == "2011-05-04"
    assert rows[summary.id]["Access"] == "Summary only"
    assert rows[summary.id]["Date of birth"] == "" and rows[summary.id]["Flags"] == ""
    assert rows[summary.id]["Age"] == "15"
    assert _exports()[-1]["summary_ids"] == [summary.id]


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_roles_without_the_case_list_get_403_and_it_is_audited(client, auth, role):
    auth.as_role(role)
    _case("Hidden")
    response = client.get("/cases/export.csv")
    assert response.status_code == 403
    assert "Hidden" not in response.get_data(as_text=True)
    assert not _exports()
    denied = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "permission.denied"))
    assert any(json.loads(d).get("endpoint") == "cases.export" for d in denied)


def test_signed_out_is_sent_to_sign_in(client):
    response = client.get("/cases/export.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_list_page_links_to_the_download_with_its_filters(client, auth):
    auth.as_role(Role.MET_CHAIR)
    _case("Linked", state=CaseState.REFERRED)
    page = client.get("/cases/?state=referred&sort=risk").get_data(as_text=True)
    assert 'id="download-csv" href="/cases/export.csv?state=referred&amp;sort=risk"' in page
    empty = client.get("/cases/?state=closed").get_data(as_text=True)
    assert 'id="download-csv"' not in empty  # nothing to download


def test_a_few_hundred_cases_are_one_audit_row_naming_every_id(client, auth):
    """Volume, not the workflow: rows written directly as bench/case_list.py does."""
    auth.as_role(Role.MET_CHAIR)
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    for i in range(300):
        case = Case(
            child=Child(first_name="Bulk", last_name=f"Child{i}"),
            state=CaseState.SCREENED.value,
            lead_professional_id=lead.id,
            opened_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        case.team.append(CaseTeamMember(user_id=lead.id, team_role="lead"))
        db.session.add(case)
    db.session.commit()
    rows = _rows(client.get("/cases/export.csv"))
    assert len(rows) == 300
    exports = _exports()
    assert len(exports) == 1
    assert exports[0]["count"] == 300
    assert exports[0]["ids"] == [int(r["Case number"]) for r in rows]
    assert verify_chain().intact
    assert action_words("case.exported") == "Downloaded the case list as a file"  # the audit log's words
