"""The report's figures, counted by the database (statistics/queries.py, report.py)."""

from datetime import date

import pytest
from sqlalchemy import select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.errors import NotAllowed
from mettrack.core.extensions import db
from mettrack.statistics import report as report_module
from mettrack.statistics.rules import Quarter
from tests import factories
from tests.statistics.world import listed, london

Q3 = Quarter(2022, 3).period  # 1 July - 30 September 2022 (British Summer Time throughout)


@pytest.fixture
def analyst(app_ctx):
    return factories.user(roles=[Role.ANALYST])


def build(user, period=Q3, **kwargs):
    return report_module.build_report(user, period, **kwargs)


def figure(report, table, row, column="all"):
    t = report.table(table)
    index = [c.key for c in report.columns].index(column)
    found = next(r for r in t.rows if r.key == row) if row != "total" else t.total
    return found.cells[index if len(found.cells) > 1 else 0].text


def test_quarter_boundaries_in_london_time(analyst):
    listed(opened=london(2022, 9, 30, 23, 30))  # last day of the quarter, late evening: counts
    listed(opened=london(2022, 10, 1, 0, 30))  # 23:30 UTC on 30 September, but October here: not
    listed(opened=london(2022, 1, 5), closed=london(2022, 7, 1, 0, 30))  # closed on the first day: counts
    listed(opened=london(2022, 1, 5), closed=london(2022, 6, 30, 23, 30))  # the day before: not
    listed(opened=london(2021, 1, 5))  # open all along: counts
    report = build(analyst)
    assert figure(report, "types", "total") == "3"
    assert figure(report, "added_closed", "added") == "1"
    assert figure(report, "added_closed", "closed") == "1"


def test_ages_are_at_the_end_of_the_period(analyst):
    listed(born=date(2004, 9, 30))  # 18 on 30 September 2022
    listed(born=date(2004, 10, 1))  # still 17
    listed(born=date(2012, 9, 30))  # 10
    listed(born=None)
    report = build(analyst)
    assert figure(report, "age", "18_plus") == "1"
    assert figure(report, "age", "16_17") == "1"
    assert figure(report, "age", "10_12") == "1"
    assert figure(report, "age", "not_recorded") == "1"
    assert report.ages["all"] == (10, 18)
    assert "aged 10-18" in report.summary


def test_a_child_in_both_types_counts_once_in_the_total(analyst):
    listed(types=("cse", "cce"), gender="Male")
    listed(types=("cse",))
    listed(types=("cce",), gender="male")
    listed(types=())  # screened, no type yet: not on the list
    report = build(analyst)
    assert figure(report, "types", "cse") == "2"
    assert figure(report, "types", "cce") == "2"
    assert figure(report, "types", "more_than_one") == "1"
    assert figure(report, "types", "total") == "3"
    assert figure(report, "gender", "male", "cce") == "2"
    assert figure(report, "gender", "male") == "2"
    assert report.summary == (
        "3 children on the exploitation list July - September 2022: 2 CCE (aged 15; 2 male), "
        "2 CSE (aged 15; 1 female, 1 male)"
    )


def test_breakdowns_by_flag_place_risk_tier_state_ethnicity_and_exit_reason(analyst):
    listed(
        flags=("county_lines", "trafficking"),
        harm=("hotel",),
        risk="high",
        tier="high",
        ethnicity="White British",
    )
    listed(flags=("county_lines",), risk="high", ethnicity="white  british", state="police_tiered")
    listed(closed=london(2022, 8, 1), reason="risk_reduced", ethnicity="Mixed")
    report = build(analyst)
    assert figure(report, "flags", "county_lines") == "2"
    assert figure(report, "flags", "trafficking") == "1"
    assert figure(report, "harm", "hotel") == "1"
    assert figure(report, "risk", "high") == "2"
    assert figure(report, "risk", "not_recorded") == "1"
    assert figure(report, "tier", "high") == "1"
    assert figure(report, "state", "closed") == "1"
    assert figure(report, "state", "police_tiered") == "1"
    assert figure(report, "ethnicity", "white british") == "2"
    assert (
        next(r for r in report.table("ethnicity").rows if r.key == "white british").label == "White British"
    )
    assert figure(report, "exit_reasons", "risk_reduced") == "1"


def test_state_is_the_one_at_the_end_of_the_period(analyst):
    listed(closed=london(2022, 11, 1))  # closed after the quarter: was open at its end
    assert figure(build(analyst), "state", "met_review") == "1"


def test_trend_counts_the_quarters_before(analyst):
    listed(opened=london(2022, 2, 1), closed=london(2022, 5, 1))
    listed(opened=london(2022, 8, 1))
    report = build(analyst, quarters=2)
    assert [(r.key, r.cells[-1].text, r.added.text, r.closed.text) for r in report.trend] == [
        ("2022-Q1", "1", "1", "0"),
        ("2022-Q2", "1", "0", "1"),
        ("2022-Q3", "1", "1", "0"),
    ]


def test_publication_suppresses_small_groups_and_one_more(analyst):
    for _ in range(8):
        listed(gender="Female")
    for _ in range(3):
        listed(gender="Male")
    listed(gender=None)
    for _ in range(6):
        listed(gender="Female", types=("cce",))
    plain = build(analyst)
    assert figure(plain, "gender", "male", "cse") == "3"
    published = build(analyst, publication=True)
    assert figure(published, "gender", "male", "cse") == "fewer than 5"
    assert figure(published, "gender", "not_recorded", "cse") == "fewer than 5"
    assert figure(published, "gender", "female", "cse") == "8"
    assert figure(published, "gender", "female", "cce") == "6"
    assert figure(published, "gender", "male", "cce") == "0"
    assert "fewer than 5 male" in published.summary


def test_secondary_suppression_in_a_table(analyst):
    for _ in range(9):
        listed(risk="high")
    for _ in range(6):
        listed(risk="medium")
    for _ in range(2):
        listed(risk="low")
    published = build(analyst, publication=True)
    assert figure(published, "risk", "low") == "fewer than 5"
    assert figure(published, "risk", "medium") == "suppressed"
    assert figure(published, "risk", "high") == "9"
    assert figure(published, "risk", "total") == "17"


def test_the_report_is_audited_and_names_no_child(analyst):
    listed()
    build(analyst, output="csv", publication=True)
    row = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "statistics.report_viewed")).one()
    assert row.actor_user_id == analyst.id
    assert '"output": "csv"' in row.detail and '"period": "2022-Q3"' in row.detail
    assert "Statchild" not in row.detail


def test_other_roles_are_refused(app_ctx):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    with pytest.raises(NotAllowed):
        build(lead)
    denied = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "permission.denied")).all()
    assert len(denied) == 1


def test_type_totals_are_hidden_only_when_small_and_the_same_in_every_table(analyst):
    listed(types=("cse", "cce"))
    for _ in range(6):
        listed(types=("cse",))
    for _ in range(3):
        listed(types=("cce",), gender="Male")
    published = build(analyst, publication=True)
    assert figure(published, "types", "cse") == "7"
    assert figure(published, "types", "cce") == "fewer than 5"
    assert figure(published, "types", "more_than_one") == "fewer than 5"
    assert figure(published, "types", "total") == "10"
    for key in ("gender", "age", "risk", "state"):
        assert figure(published, key, "total", "cce") == "fewer than 5"
        assert figure(published, key, "total", "cse") == "7"
    assert published.summary.startswith("10 children on the exploitation list July - September 2022: 7 CSE")
    assert "fewer than 5 CCE" in published.summary


def test_the_partnerships_figure(analyst):
    """The seed's figure (DESIGN.md, Statistics), from children aged 10 to 18 at the end of
    September 2022."""
    from mettrack.core.extensions import db as database

    def add(n, type_, gender):
        for i in range(n):
            born = date(2004, 9, 30) if i == 0 else date(2012, 9, 30) if i == 1 else date(2008, 1, 1)
            listed(types=(type_,), gender=gender, born=born, commit=False)

    add(122, "cce", "Male")
    add(13, "cce", "Female")
    add(56, "cse", "Female")
    add(4, "cse", "Male")
    database.session.commit()
    assert build(analyst, quarters=0).summary == (
        "195 children on the exploitation list July - September 2022: 135 CCE (aged 10-18; 122 male, "
        "13 female), 60 CSE (aged 10-18; 56 female, 4 male)"
    )


def test_the_number_of_queries_does_not_grow_with_the_cases(analyst):
    from sqlalchemy import event

    def queries() -> int:
        count = 0

        def counted(*_args, **_kwargs):
            nonlocal count
            count += 1

        event.listen(db.engine, "before_cursor_execute", counted)
        try:
            build(analyst)
        finally:
            event.remove(db.engine, "before_cursor_execute", counted)
        return count

    listed(flags=("online",), closed=london(2022, 8, 1), reason="risk_reduced")
    one = queries()
    for _ in range(15):
        listed(flags=("online", "trafficking"), types=("cse", "cce"), commit=False)
        listed(closed=london(2022, 8, 2), reason="moved_out_of_area", commit=False)
    db.session.commit()
    assert queries() == one


def test_free_text_cannot_become_a_formula_in_the_csv(analyst):
    from mettrack.statistics import export

    listed(ethnicity="=HYPERLINK(1)")
    report = build(analyst)
    rows = export.rows(report)
    from mettrack.core.spreadsheet import csv_text

    text = csv_text(export.header(report), rows)
    assert "By ethnicity,'=HYPERLINK(1),1,0,1" in text


def _forty_cse_three_cce():
    from mettrack.core.extensions import db as database

    for _ in range(40):
        listed(types=("cse",), gender="Female", commit=False)
    for _ in range(3):
        listed(types=("cce",), gender="Male", born=date(2008, 3, 1), commit=False)
    database.session.commit()


def test_a_hidden_type_cannot_be_worked_out_across_the_types(analyst):
    # CSE 40, CCE 3, in both 0, all 43: CCE would be 43 - 40 + 0 = 3.
    _forty_cse_three_cce()
    published = build(analyst, publication=True, quarters=0)
    assert figure(published, "types", "cce") == "fewer than 5"
    assert figure(published, "types", "more_than_one") == "0"
    assert figure(published, "types", "cse") == "suppressed"
    assert figure(published, "types", "total") == "43"
    for key in ("gender", "age", "state"):
        assert figure(published, key, "total", "cse") == "suppressed"
    # The breakdown's rows: female CSE 40 = all 40 (CCE 0), male CCE 3 = all 3.
    assert figure(published, "gender", "female", "cse") == "suppressed"
    assert figure(published, "gender", "female", "all") == "suppressed"
    assert figure(published, "gender", "male", "cce") == "fewer than 5"
    assert figure(published, "gender", "male", "all") == "fewer than 5"
    assert [c.text for c in published.trend[-1].cells] == ["suppressed", "fewer than 5", "43"]
    assert "40" not in published.summary and "CSE suppressed" in published.summary


def test_a_row_with_one_hidden_figure_hides_a_second(analyst):
    from mettrack.core.extensions import db as database

    for kind, risk, children in (
        ("cse", "high", 10),
        ("cce", "high", 12),
        ("cse", "medium", 9),
        ("cce", "medium", 3),
        ("cse", "low", 6),
        ("cce", "low", 6),
    ):
        for _ in range(children):
            listed(types=(kind,), risk=risk, commit=False)
    database.session.commit()
    published = build(analyst, publication=True, quarters=0)
    # Medium: CSE 9, CCE 3 (hidden), all 12 would give CCE = 12 - 9.
    hidden = [figure(published, "risk", "medium", c) for c in ("cse", "cce", "all")]
    assert hidden.count("fewer than 5") == 1 and hidden.count("suppressed") == 1
    for row in published.table("risk").rows:
        assert sum(cell.count is None for cell in row.cells) != 1
    for index in range(3):
        column = [row.cells[index] for row in published.table("risk").rows]
        assert sum(cell.count is None for cell in column) != 1


def test_no_ages_for_a_type_whose_number_is_hidden(analyst, app):
    _forty_cse_three_cce()
    published = build(analyst, publication=True, quarters=0)
    assert "aged" not in published.summary
    assert published.ages["cce"] == (None, None) and published.ages["cse"] == (None, None)
    assert published.ages["all"] == (None, None)
    plain = build(analyst, quarters=0)
    assert "aged 14" in plain.summary and plain.ages["cce"] == (14, 14)
    from mettrack.statistics.schemas import ReportSchema

    assert ReportSchema().dump(published)["ages"]["cce"] == {"youngest": None, "oldest": None}


def test_the_summary_hides_the_same_gender_figures_as_the_table(analyst, monkeypatch):
    from mettrack.statistics import queries

    for gender, n in (("Female", 8), ("Male", 8), (None, 2)):
        for _ in range(n):
            listed(gender=gender)
    found = queries.figures

    def reversed_order(period, which=None):  # the database may return the rows in any order
        counts = found(period, which)
        parts = counts.parts
        parts["gender"] = {t: dict(reversed(list(by.items()))) for t, by in parts["gender"].items()}
        return counts

    monkeypatch.setattr(queries, "figures", reversed_order)
    published = build(analyst, publication=True, quarters=0)
    assert figure(published, "gender", "female", "cse") == "suppressed"
    assert figure(published, "gender", "male", "cse") == "8"
    assert "female suppressed" in published.summary and "8 male" in published.summary
