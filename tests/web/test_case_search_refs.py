"""The case list's search box finds a case by its number ("13", "#13", "Case #13", as the
pages show it) and by its MASH reference, as well as by the child's name (issue 16). A
coordinator, who sees only a summary of a case they are not on, finds it by number but
never by its MASH reference, which is part of the whole record."""

import html
from datetime import UTC, datetime

import pytest

from mettrack.cases.rules import case_number_in
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.reference import data as reference_data
from tests import factories
from tests.conftest import post_form

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_and_lists(app_ctx):
    set_now(NOW)
    reference_data.seed_defaults()
    db.session.commit()


def _case(first_name: str, mash_reference: str | None = None):
    # A last name with no digits: a typed case number also matches part of a name.
    child = factories.child(first_name=first_name, last_name=f"{first_name}son")
    case = factories.case(state=CaseState.MET_REVIEW, child_obj=child)
    case.mash_reference = mash_reference
    db.session.commit()
    return case


def _found(client, q: str) -> str:
    response = post_form(client, "/cases/search", {"q": q}, page="/cases/")
    assert response.status_code == 302
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    return page.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]


@pytest.mark.parametrize(
    ("typed", "number"),
    [("13", 13), ("#13", 13), (" # 13 ", 13), ("Case #13", 13), ("case 13", 13), ("case no. 13", 13)],
)
def test_case_numbers_read_every_way_they_are_typed(typed, number):
    assert case_number_in(typed) == number


@pytest.mark.parametrize("typed", ["", "0", "Sam", "13 Sam", "MASH-13", "#", "1234567890"])
def test_what_is_not_a_case_number(typed):
    assert case_number_in(typed) is None


@pytest.mark.parametrize("typed", ["{id}", "#{id}", "Case #{id}"])
def test_a_chair_finds_a_case_by_its_number(client, auth, typed):
    auth.as_role(Role.MET_CHAIR)
    wanted = _case("Wrenna")
    _case("Otherly")
    rows = _found(client, typed.format(id=wanted.id))
    assert "Wrenna" in rows and "Otherly" not in rows


def test_a_chair_finds_a_case_by_its_mash_reference_in_part(client, auth):
    auth.as_role(Role.MET_CHAIR)
    _case("Wrenna", mash_reference="MASH/2026/00417")
    _case("Otherly", mash_reference="MASH/2026/00999")
    for typed in ("MASH/2026/00417", "mash/2026/00417", "00417"):
        rows = _found(client, typed)
        assert "Wrenna" in rows and "Otherly" not in rows, typed


def test_the_name_search_still_works(client, auth):
    auth.as_role(Role.MET_CHAIR)
    _case("Wrenna")
    _case("Otherly")
    rows = _found(client, "wren")
    assert "Wrenna" in rows and "Otherly" not in rows


def test_a_coordinator_finds_a_summary_by_number_but_not_by_mash_reference(client, auth):
    auth.as_role(Role.COORDINATOR)
    wanted = _case("Wrenna", mash_reference="MASH/2026/00417")
    assert "Wrenna" in _found(client, f"#{wanted.id}")
    assert "Wrenna" not in _found(client, "00417")


def test_a_partner_does_not_find_a_case_they_are_not_on_by_number(client, auth):
    auth.as_role(Role.PARTNER)
    other = _case("Wrenna", mash_reference="MASH/2026/00417")
    assert "Wrenna" not in _found(client, str(other.id))
    assert "Wrenna" not in _found(client, "00417")
