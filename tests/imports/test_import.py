"""Importing the exploitation list into the database (mettrack/imports/jobs.py): what is
written, that a file with any error writes nothing, the seed list of the published figure,
.xlsx files, and the command line."""

import io
import json
from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from mettrack.cases.models import Case, CaseEvent, CaseTag, CaseTeamMember
from mettrack.children.models import Child
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.errors import NotAllowed
from mettrack.core.extensions import db
from mettrack.imports import ImportRefused, import_file
from mettrack.specialist_services.models import PoliceTierRecord
from tests import factories
from tests.imports.conftest import HEADER, csv_bytes, row
from tests.imports.seed_list import write_seed_list
from tests.workflow_replay import problems


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def written() -> tuple[int, int, int]:
    return count(Child), count(Case), count(CaseEvent)


def test_a_row_becomes_a_child_and_a_case_whose_history_is_the_tables_moves(lists):
    lead = factories.user((Role.LEAD_PROFESSIONAL,), email="lead@example.org")
    chair = factories.user((Role.MET_CHAIR,))
    content = csv_bytes(
        [
            row(
                state="police_tiered",
                police_tier="high",
                police_team="Hants MET Team",
                lead_email="Lead@Example.org",
                exploitation_type="CSE; CCE",
            )
        ]
    )
    report, case_ids = import_file(chair, "csv", content, dry_run=False)
    case = db.session.get(Case, case_ids[0])
    assert case.state == CaseState.POLICE_TIERED and case.police_team == "hants_met_team"
    assert case.opened_at == datetime(2022, 7, 1, 11, 0, tzinfo=UTC)  # midday in London
    assert case.next_review_on == date(2026, 3, 30)  # high risk: 4 weeks from the import (2 March)
    assert case.lead_professional_id == lead.id and case.lead_agency_id == lead.agency_id
    assert [(m.user_id, m.team_role) for m in db.session.scalars(select(CaseTeamMember))] == [
        (lead.id, "lead")
    ]
    assert sorted(t.value for t in db.session.scalars(select(CaseTag))) == ["cce", "cse"]
    events = db.session.scalars(select(CaseEvent).order_by(CaseEvent.id)).all()
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("open_by_screening", None, "screened"),
        ("refer", "screened", "referred"),
        ("send_to_met_review", "referred", "met_review"),
        ("set_police_tier", "met_review", "police_tiered"),
    ]
    assert all("Imported from the partnership's exploitation list" in e.reason for e in events)
    assert all(e.actor_id == chair.id for e in events)
    assert db.session.scalar(select(PoliceTierRecord.tier_code)) == "high"
    child = db.session.get(Child, case.child_id)
    assert (child.first_name, child.last_name, child.date_of_birth) == ("Ada", "Example", date(2008, 3, 14))
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("case.imported") == 1 and "import.completed" in actions
    detail = json.loads(
        db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "case.imported"))
    )
    assert detail["case_ids"] == case_ids and detail["new_child_ids"] == [child.id] and detail["rows"] == [2]


def test_a_closed_row_keeps_its_dates_and_an_exit_reason(lists):
    _report, case_ids = import_file(
        None, "csv", csv_bytes([row(state="closed", date_closed="15/08/2022")]), dry_run=False
    )
    case = db.session.get(Case, case_ids[0])
    assert case.state == "closed" and case.closure_reason == "other"
    assert case.closed_at == datetime(2022, 8, 15, 11, 0, tzinfo=UTC)
    last = db.session.scalars(select(CaseEvent).order_by(CaseEvent.id.desc())).first()
    assert (last.action, last.to_state, last.occurred_at) == ("close", "closed", case.closed_at)


@pytest.mark.parametrize(
    ("values", "column"),
    [
        ({"exploitation_type": "CSA"}, "Exploitation type"),
        ({"date_of_birth": "30/02/2010"}, "Date of birth"),
        ({"child_name": ""}, "Child name"),
        ({"lead_email": "nobody@example.org"}, "Lead professional e-mail"),
        ({"state": "paused"}, "State"),
        ({"state": "closed"}, "Date closed"),
    ],
)
def test_a_file_with_one_bad_row_writes_nothing(lists, values, column):
    rows = [row(child_name=f"Good Example{chr(97 + i)}") for i in range(3)]
    rows.append(row(**{"child_name": "Cai Example", **values}))
    before = written(), count(AuditEvent)
    with pytest.raises(ImportRefused) as refused:
        import_file(None, "csv", csv_bytes(rows), dry_run=False)
    [error] = refused.value.report.errors
    assert (error.row, error.column) == (5, column)
    assert (written(), count(AuditEvent)) == before


def test_a_duplicate_row_writes_nothing(lists):
    with pytest.raises(ImportRefused) as refused:
        import_file(None, "csv", csv_bytes([row(), row(child_name="Cai Example"), row()]), dry_run=False)
    [error] = refused.value.report.errors
    assert error.row == 4 and "repeats row 2" in error.message
    assert written() == (0, 0, 0)


def test_the_dry_run_writes_nothing(lists):
    report, case_ids = import_file(None, "csv", csv_bytes([row()]), dry_run=True)
    assert len(report.records) == 1 and case_ids == []
    assert written() == (0, 0, 0)


def test_a_row_of_a_child_already_recorded_adds_a_case_to_their_record(lists):
    child = factories.child(first_name="Ada", last_name="Example", date_of_birth=date(2008, 3, 14))
    report, case_ids = import_file(None, "csv", csv_bytes([row(child_name="Ada Exampel")]), dry_run=False)
    assert report.records[0].existing_child_id == child.id
    assert db.session.get(Case, case_ids[0]).child_id == child.id and count(Child) == 1


def test_only_admins_and_chairs_may_import(lists):
    with pytest.raises(NotAllowed):
        import_file(factories.user((Role.LEAD_PROFESSIONAL,)), "csv", csv_bytes([row()]), dry_run=True)


def test_an_xlsx_workbook_is_read_with_its_date_cells(lists):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    cells = row()
    cells[1] = datetime(2008, 3, 14)  # a date cell, not text
    sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    report, case_ids = import_file(None, "xlsx", buffer.getvalue(), dry_run=False)
    assert report.records[0].date_of_birth == date(2008, 3, 14) and len(case_ids) == 1


def test_the_seed_list_of_the_published_figure_imports_cleanly(lists, tmp_path):
    path = write_seed_list(tmp_path / "seed.csv")
    report, case_ids = import_file(None, "csv", path.read_bytes(), dry_run=False)
    assert len(case_ids) == 195 and report.new_children == 195
    by_type = dict(db.session.execute(select(CaseTag.value, func.count()).group_by(CaseTag.value)).all())
    assert by_type == {"cce": 135, "cse": 60}
    genders = dict(
        db.session.execute(
            select(CaseTag.value + ":" + Child.gender, func.count())
            .join(Case, Case.id == CaseTag.case_id)
            .join(Child, Child.id == Case.child_id)
            .group_by(CaseTag.value, Child.gender)
        ).all()
    )
    assert genders == {"cce:Male": 122, "cce:Female": 13, "cse:Female": 56, "cse:Male": 4}
    quarter_end = date(2022, 9, 30)
    for kind in ("cse", "cce"):
        born = db.session.scalars(
            select(Child.date_of_birth)
            .join(Case, Case.child_id == Child.id)
            .join(CaseTag, CaseTag.case_id == Case.id)
            .where(CaseTag.value == kind)
        ).all()
        ages = {
            quarter_end.year - b.year - ((quarter_end.month, quarter_end.day) < (b.month, b.day))
            for b in born
        }
        assert min(ages) == 10 and max(ages) == 18, kind
    opened = db.session.scalars(select(Case)).all()
    assert all(c.opened_at.date() <= quarter_end for c in opened)
    assert all(c.closed_at is None or c.closed_at.date() >= date(2022, 7, 1) for c in opened)


def test_the_command_line_dry_run_and_import(lists, runner, tmp_path):
    chair = factories.user((Role.MET_CHAIR,))
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes([row(), row(child_name="Cai Example")]))
    result = runner.invoke(args=["import", "cases", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "2 cases would be created" in result.output and written() == (0, 0, 0)
    result = runner.invoke(args=["import", "cases", str(path), "--as", chair.email])
    assert result.exit_code == 0, result.output
    assert "Imported 2 cases" in result.output and written()[1] == 2
    assert "Checking rows" in result.output and "Writing cases" in result.output  # the progress bars


def test_the_command_line_lists_errors_and_writes_nothing(lists, runner, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes([row(), row(child_name="Cai Example", exploitation_type="CSA")]))
    result = runner.invoke(args=["import", "cases", str(path)])
    assert result.exit_code == 1
    assert "row 3, Exploitation type: Unknown exploitation type 'CSA'" in result.output
    assert written() == (0, 0, 0)


def test_the_command_line_refuses_a_user_who_may_not_import(lists, runner, tmp_path):
    lead = factories.user((Role.LEAD_PROFESSIONAL,))
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes([row()]))
    result = runner.invoke(args=["import", "cases", str(path), "--as", lead.email])
    assert result.exit_code == 1 and written() == (0, 0, 0)


def test_imported_cases_replay_through_the_workflow_table(lists):
    chair = factories.user((Role.MET_CHAIR,))
    rows = [
        row(state="referred", risk_level=""),
        row(child_name="Cai Example", state="closed", risk_level="", date_closed="01/09/2022"),
    ]
    _report, case_ids = import_file(chair, "csv", csv_bytes(rows), dry_run=False)
    for case_id in case_ids:
        assert problems(db.session.get(Case, case_id)) == []


def test_an_administrators_import_makes_the_moves_as_the_lists_owner(lists):
    admin = factories.user((Role.ADMIN,))
    _report, case_ids = import_file(admin, "csv", csv_bytes([row()]), dry_run=False)
    case = db.session.get(Case, case_ids[0])
    assert {e.actor_id for e in case.events} == {None}
    assert db.session.get(Child, case.child_id).created_by_id == admin.id


def test_the_imported_seed_list_gives_the_partnerships_summary_line(lists, tmp_path):
    """Issue 17's done-when: the file imported as a partnership would, then the quarterly
    report read by an analyst states exactly the published figure."""
    from mettrack.statistics import build_report
    from mettrack.statistics.rules import parse_quarter

    path = write_seed_list(tmp_path / "seed.csv")
    import_file(None, "csv", path.read_bytes(), dry_run=False)
    analyst = factories.user(roles=[Role.ANALYST])
    found = build_report(analyst, parse_quarter("2022-Q3").period)
    assert found.summary == (
        "195 children on the exploitation list July - September 2022: 135 CCE (aged 10-18; 122 male, "
        "13 female), 60 CSE (aged 10-18; 56 female, 4 male)"
    )
