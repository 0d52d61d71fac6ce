"""The import's pure rules (mettrack/imports/rules.py): headers, each column's values, the
workflow moves a row's state takes, duplicates and matches. No app, no database."""

from datetime import date

import pytest

from mettrack.children.matching import ChildFacts
from mettrack.core.choices import CaseAction, CaseState
from mettrack.imports import rules
from mettrack.imports.files import UnreadableFile, read_table
from tests.imports.conftest import HEADER, csv_bytes, row

TODAY = date(2026, 3, 2)
LIMITS = rules.Limits(name=100, gender=40, ethnicity=100, address=500)
LOOKUPS = rules.Lookups(
    leads={"lead@example.org": rules.Lead(7, 3)},
    tiers={"high": "high", "high: hants met team or high harm": "high", "medium": "medium"},
    teams={
        "hants_met_team": ("hants_met_team", "high"),
        "hants met team": ("hants_met_team", "high"),
        "npt_north": ("npt_north", "medium"),
        "npt_south": ("npt_south", "medium"),
    },
    tier_labels={"high": "High", "medium": "Medium"},
    exit_reasons={"risk_reduced": "risk_reduced", "risk reduced": "risk_reduced", "other": "other"},
    other_exit_reason="other",
    children=[ChildFacts("Bea", "Sample", date(2009, 1, 2), id=41)],
    open_case_children=frozenset({41}),
)


def check(*rows, header=HEADER, lookups=LOOKUPS):
    return rules.check_table(header, rows, lookups, LIMITS, TODAY)


def only_error(report):
    assert len(report.errors) == 1, report.errors
    return report.errors[0]


def test_a_good_row_becomes_a_record_with_the_tables_moves():
    report = check(row())
    assert report.ok
    record = report.records[0]
    assert (record.first_name, record.last_name, record.state) == ("Ada", "Example", CaseState.MET_REVIEW)
    assert [s.action for s in record.steps] == [
        CaseAction.OPEN_BY_SCREENING,
        CaseAction.REFER,
        CaseAction.SEND_TO_MET_REVIEW,
    ]
    assert record.steps[0].from_state is None and record.steps[-1].to_state is CaseState.MET_REVIEW


def test_headers_match_ignoring_case_and_spaces_and_extra_columns_are_ignored():
    header = [h.upper().replace(" ", "  ") for h in HEADER] + ["Notes"]
    report = check([*row(), "kept aside"], header=header)
    assert report.ok and report.ignored_columns == ("Notes",)


def test_a_missing_column_is_named():
    error = only_error(check(row()[1:], header=HEADER[1:]))
    assert (error.row, error.column) == (1, "Child name")


@pytest.mark.parametrize(
    ("values", "column", "words"),
    [
        ({"exploitation_type": "CSA"}, "Exploitation type", "Unknown exploitation type 'CSA'"),
        ({"date_of_birth": "31/02/2010"}, "Date of birth", "not a real date"),
        ({"date_added": "2022-13-01"}, "Date added", "not a real date"),
        ({"date_of_birth": "next week"}, "Date of birth", "is not a date"),
        ({"date_of_birth": "01/01/2027"}, "Date of birth", "in the future"),
        ({"child_name": ""}, "Child name", "Enter the child's name"),
        ({"child_name": "Ada"}, "Child name", "first and last names"),
        ({"child_name": "Ada " + "x" * 101}, "Child name", "100 characters or fewer"),
        ({"gender": "x" * 41}, "Gender", "40 characters or fewer"),
        ({"lead_email": "nobody@example.org"}, "Lead professional e-mail", "No active lead professional"),
        ({"state": "on hold"}, "State", "Unknown state 'on hold'"),
        ({"state": ""}, "State", "Enter the case's state"),
        ({"state": "service_assigned"}, "State", "cannot be imported as 'service_assigned'"),
        ({"risk_level": "severe"}, "Risk level", "Unknown risk level 'severe'"),
        ({"police_tier": "bronze"}, "Police tier", "Unknown police tier 'bronze'"),
        (
            {"state": "police_tiered", "police_tier": "high", "police_team": "npt_north"},
            "Police team",
            "holding team of the High tier",
        ),
        ({"state": "police_tiered", "police_tier": "medium"}, "Police team", "choose the holding team"),
        ({"date_added": ""}, "Date added", "Enter the date the child was added"),
        ({"date_added": "01/01/2007"}, "Date added", "before the date of birth"),
        ({"state": "closed", "date_closed": "30/06/2022"}, "Date closed", "before the date added"),
        ({"state": "closed"}, "Date closed", "the state is closed"),
        ({"date_closed": "01/08/2022"}, "Date closed", "An open case has no date closed"),
        (
            {"exit_reason": "bored", "state": "closed", "date_closed": "01/08/2022"},
            "Exit reason",
            "Unknown exit reason",
        ),
        # The workflow table's guards, as errors on the column that would supply the fact.
        ({"address": ""}, "Address", "Record the child's address before referring"),
        ({"date_of_birth": ""}, "Date of birth", "Record the child's date of birth before referring"),
        ({"exploitation_type": ""}, "Exploitation type", "Record at least one exploitation type"),
        ({"risk_level": ""}, "Risk level", "Complete the risk assessment"),
    ],
)
def test_each_bad_value_is_an_error_naming_row_and_column(values, column, words):
    error = only_error(check(row(), row(**{"child_name": "Cai Example", **values})))
    assert (error.row, error.column) == (3, column)
    assert words in error.message


def test_a_row_repeated_is_a_duplicate_naming_the_first():
    error = only_error(check(row(), row()))
    assert (error.row, error.column) == (3, "Child name") and "repeats row 2" in error.message


def test_the_same_child_open_twice_is_refused_but_an_earlier_closed_case_is_theirs_too():
    closed = row(state="closed", date_added="01/01/2021", date_closed="01/03/2021")
    report = check(closed, row())
    assert report.ok and report.new_children == 1 and len(report.records) == 2
    error = only_error(check(row(), row(risk_level="low")))
    assert error.column == "State" and "open case on row 2" in error.message


def test_closed_rows_go_as_far_as_their_columns_allow_then_close():
    report = check(row(state="closed", date_closed="01/08/2022", risk_level="", address=""))
    record = report.records[0]
    assert [s.action for s in record.steps] == [CaseAction.OPEN_BY_SCREENING, CaseAction.CLOSE]
    assert (record.exit_reason, record.closure_note) == ("other", rules.CLOSED_BEFORE_IMPORT)


def test_values_are_read_by_code_or_label_and_both_types_are_kept():
    report = check(
        row(
            exploitation_type="cce and CSE",
            risk_level="Moderate",
            state="Police tier set",
            police_tier="HIGH",
            police_team="hants met team",
            lead_email="LEAD@example.org",
            date_added="2022-07-01",
        )
    )
    record = report.records[0]
    assert record.exploitation_types == ("cse", "cce")
    assert (record.risk_level, record.state, record.police_team) == (
        "medium",
        CaseState.POLICE_TIERED,
        "hants_met_team",
    )
    assert record.lead == rules.Lead(7, 3)


def test_a_tier_with_one_holding_team_needs_no_team_column():
    lookups = rules.Lookups(**{**LOOKUPS.__dict__, "teams": {"hants_met_team": ("hants_met_team", "high")}})
    report = check(row(state="police_tiered", police_tier="high"), lookups=lookups)
    assert report.records[0].police_team == "hants_met_team"


def test_a_child_already_recorded_is_matched_and_may_not_have_a_second_open_case():
    closed = row(
        child_name="Bea Sample", date_of_birth="02/01/2009", state="closed", date_closed="01/08/2022"
    )
    record = check(closed).records[0]
    assert record.existing_child_id == 41 and record.outcome == "match"
    error = only_error(check(row(child_name="Bea Sample", date_of_birth="02/01/2009")))
    assert "record 41) already has an open case" in error.message


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers():
    report = check(row(), [""] * len(HEADER), row(child_name="Cai Example", exploitation_type="CSA"))
    assert [e.row for e in report.errors] == [4]


def test_a_file_with_no_rows_is_an_error():
    assert only_error(check()).column == rules.FILE


def test_csv_with_a_byte_order_mark_is_read():
    table = read_table("csv", b"\xef\xbb\xbf" + csv_bytes([row(child_name="Zoë Example")]))
    assert table.header[0] == "Child name" and table.rows[0][0] == "Zoë Example"


def test_a_csv_not_in_utf8_is_refused():
    with pytest.raises(UnreadableFile, match="not UTF-8"):
        read_table("csv", "Child name\nZoë\n".encode("cp1252"))


def test_progress_is_told_as_rows_are_checked():
    told = []
    rules.check_table(
        HEADER,
        [row(child_name=f"Ada Ex{chr(97 + i)}ample") for i in range(5)],
        LOOKUPS,
        LIMITS,
        TODAY,
        told.append,
        every=2,
    )
    assert told == [2, 4, 5]
