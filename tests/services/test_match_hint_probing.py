"""Issue 15, finding 10: the duplicate-child hint answered to a name alone, so anyone who may
record a child could test whether a named child is on METtrack. A hint about a child the
user may not open now needs the date of birth as well as the name, and each user gets at
most MATCH_HINTS_PER_HOUR an hour; it names only whom to contact (children/records.py)."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from mettrack.children import records as svc
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from tests import factories
from tests.services.test_children import DOB, full_input, rows

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NO_IDS = {"nhs_number": "", "consistent_child_identifier": ""}


@pytest.fixture
def prober(app_ctx):
    set_now(T0)
    return factories.user(roles=[Role.PARTNER], agency="Harbourside Academy")


@pytest.fixture
def hidden(app_ctx):
    police = factories.user(roles=[Role.LEAD_PROFESSIONAL], agency="Hampshire and Isle of Wight Constabulary")
    child = factories.child(first_name="Tamsin", last_name="Okoro", date_of_birth=DOB)
    factories.case(lead=police, child_obj=child, state=CaseState.MET_REVIEW)
    return child


def test_a_name_alone_gives_no_hint(prober, hidden):
    report = svc.find_likely_matches(prober, full_input(date_of_birth=("", "", ""), **NO_IDS))

    assert not report and report.hints == [] and report.visible == []
    assert rows("child.match_hint") == []


def test_a_name_and_date_of_birth_give_a_hint_naming_only_whom_to_contact(prober, hidden):
    report = svc.find_likely_matches(prober, full_input(**NO_IDS))

    (hint,) = report.hints
    assert set(vars(hint)) == {"lead_agency", "contact_agency"}  # no name, id, link or birth date
    assert hint.contact_agency == "Hampshire and Isle of Wight Constabulary"
    assert [r.record_id for r in rows("child.match_hint")] == [str(hidden.id)]


def test_an_nhs_number_without_a_date_of_birth_gives_no_hint(prober, hidden):
    hidden.nhs_number = "9434765919"
    report = svc.find_likely_matches(
        prober, full_input(date_of_birth=("", "", ""), consistent_child_identifier="")
    )

    assert report.hints == []


def test_hints_are_limited_per_user_an_hour_and_the_rest_audited(prober, hidden):
    for _ in range(svc.MATCH_HINTS_PER_HOUR):
        assert len(svc.find_likely_matches(prober, full_input(**NO_IDS)).hints) == 1

    over = svc.find_likely_matches(prober, full_input(**NO_IDS))

    assert over.hints == [] and not over
    (withheld,) = rows("child.match_hints_withheld")
    assert withheld.actor_user_id == prober.id and withheld.outcome == "denied"
    assert json.loads(withheld.detail) == {"withheld": 1, "per_hour": svc.MATCH_HINTS_PER_HOUR}
    # Another user has their own allowance; an hour later the prober has theirs again.
    other = factories.user(roles=[Role.PARTNER], agency="Harbourside Academy")
    assert len(svc.find_likely_matches(other, full_input(**NO_IDS)).hints) == 1
    set_now(T0 + timedelta(hours=1, minutes=1))
    assert len(svc.find_likely_matches(prober, full_input(**NO_IDS)).hints) == 1


def test_matches_the_user_may_open_are_shown_without_a_date_of_birth_as_before(prober):
    mine = svc.create_child(prober, full_input(**NO_IDS))

    report = svc.find_likely_matches(prober, full_input(date_of_birth=("", "", ""), **NO_IDS))

    assert [c.id for c, _ in report.visible] == [mine.id]
