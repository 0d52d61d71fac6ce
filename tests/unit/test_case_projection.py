"""What a viewer may see of a case: mettrack/cases/projection.py, over cases built in memory."""

from datetime import UTC, date, datetime

import pytest

from mettrack.cases.models import Case, CaseTag
from mettrack.cases.projection import SUMMARY_WITHHELD_CASE, View, project
from mettrack.children.models import Child
from mettrack.core import clock


@pytest.fixture(autouse=True)
def _frozen_clock():
    clock.set_now(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    yield
    clock.set_now(None)


def _case() -> Case:
    child = Child(
        id=7,
        first_name="Kestrel",
        last_name="Example",
        date_of_birth=date(2011, 3, 4),
        aliases="Kez\nK-E",
        address="1 Harbour Road",
        school="Seaview Academy",
        gender="Female",
        looked_after=True,
    )
    case = Case(
        id=40,
        child=child,
        state="met_review",
        mash_reference="MASH-123",
        referral_outcome="Strategy meeting held",
        closure_note=None,
    )
    case.tags = [
        CaseTag(kind="exploitation_type", value="cse"),
        CaseTag(kind="flag", value="county_lines"),
    ]
    return case


def test_the_whole_record_shows_everything_and_names_the_child():
    shown = project(_case(), View.WHOLE)
    assert shown.access == "full" and shown.whole_record
    assert shown.child.name == "Kestrel Example"
    assert shown.child.date_of_birth == date(2011, 3, 4) and shown.child.address == "1 Harbour Road"
    assert shown.child.alias_list == ["Kez", "K-E"]
    assert shown.mash_reference == "MASH-123" and shown.flags == ["county_lines"]


def test_a_summary_gives_age_and_types_but_withholds_the_record_beyond_them():
    shown = project(_case(), View.SUMMARY)
    assert shown.access == "summary" and not shown.whole_record
    assert shown.child.name == "Kestrel Example" and shown.child.age == 15
    assert shown.exploitation_types == ["cse"] and shown.state == "met_review"
    for name in ("date_of_birth", "aliases", "looked_after", "alias_list"):
        assert getattr(shown.child, name) is None, name
    for name in SUMMARY_WITHHELD_CASE:
        assert getattr(shown, name) is None, name


def test_a_sanitised_case_names_no_child_and_says_nothing_that_would_find_one():
    shown = project(_case(), View.SANITISED)
    assert shown.child.name == "KE" and shown.child.age == 15
    for name in ("first_name", "last_name", "display_name", "date_of_birth", "address", "school", "aliases"):
        assert getattr(shown.child, name) is None, name
    assert shown.mash_reference is None and shown.flags is None
    assert shown.exploitation_types == ["cse"]
