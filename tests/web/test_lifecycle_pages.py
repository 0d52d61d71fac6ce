"""The screening form, its result, and the move forms, through the pages: what the
practitioner sees, and bad input answered with a message naming the field."""

import html
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from mettrack.accounts.models import User
from mettrack.cases.models import Case, CaseEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.reference import data as reference_data
from mettrack.screening.models import Screening
from tests import factories
from tests.conftest import post_form
from tests.dates import date_fields

ANSWERS = {
    **date_fields("screened_on", "2026-03-01"),
    "went_missing": "yes",
    "partner_age": "",
    "controlling_relationship": "no",
    "frequents_exploitation_areas": "no",
}


@pytest.fixture(autouse=True)
def _clock_and_lists(app_ctx):
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    reference_data.seed_defaults()
    db.session.commit()


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _child_of(user_id: int, **fields):
    fields = {"date_of_birth": date(2011, 5, 1), "address": "1 Nowhere Lane, Demotown, ZZ99 1ZZ"} | fields
    return factories.child(created_by_id=user_id, **fields)


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_screening_form_asks_the_four_cserq4_questions(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    child = _child_of(lead_id)
    page = _text(client.get(f"/children/{child.id}/screen"))
    assert "Stayed out overnight or longer without permission (going missing)" in page
    assert "Older partner" in page
    assert "Controlling relationship" in page
    assert "Frequenting areas known for sexual exploitation (anyone worried about their safety)" in page
    assert "Age: <strong>14</strong>" in page  # from the date of birth; no age field
    assert 'name="child_age"' not in page


def test_the_form_asks_the_age_when_the_date_of_birth_is_not_known(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    child = _child_of(lead_id, date_of_birth=None)
    assert 'name="child_age"' in client.get(f"/children/{child.id}/screen").get_data(as_text=True)


def test_a_positive_screening_opens_a_case_and_shows_the_mash_contact_and_refer(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    child = _child_of(lead_id)
    response = post_form(client, f"/children/{child.id}/screen", ANSWERS)
    assert response.status_code == 302
    case = db.session.scalar(select(Case).where(Case.child_id == child.id))
    assert response.headers["Location"].endswith(f"/cases/{case.id}/screenings")
    page = _text(client.get(response.headers["Location"]))
    assert "A case has been opened and you are on its team" in page
    assert "A referral to Children's Services should be made" in page
    assert "MASH duty desk" in page and "01234 000000" in page and "mash@example.invalid" in page
    # No exploitation type yet: the page says so and links to where it is recorded.
    assert "Record at least one exploitation type (CSE, CCE) before referring" in page
    assert f"/cases/{case.id}/classification" in page
    detail = _text(client.get(f"/cases/{case.id}"))
    assert "Screenings (CSERQ4)" in detail
    assert "Refer to Children&#39;s Services" in detail or "Refer to Children's Services" in detail


def test_a_screening_with_no_yes_shows_no_mash_contact(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    child = _child_of(lead_id)
    response = post_form(client, f"/children/{child.id}/screen", {**ANSWERS, "went_missing": "no"})
    page = _text(client.get(response.headers["Location"]))
    assert "MASH duty desk" not in page
    assert "does not indicate a referral" in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"went_missing": ""}, "went_missing", "Answer question 1: yes or no"),
        ({"controlling_relationship": "perhaps"}, "controlling_relationship", "Answer question 3: yes or no"),
        (
            date_fields("screened_on", "2026-03-03"),
            "screened_on-day",
            "The screening date must be today or in the past",
        ),
        (
            {"screened_on-day": "31", "screened_on-month": "2", "screened_on-year": "2026"},
            "screened_on-day",
            "Screening date must be a real date",
        ),
        (
            {"screened_on-day": "3", "screened_on-month": "", "screened_on-year": "2026"},
            "screened_on-day",
            "Screening date must include a month",
        ),
        ({"partner_age": "twenty"}, "partner_age", "must be a whole number"),
        ({"partner_age": "500"}, "partner_age", "between 0 and 120"),
    ],
)
def test_bad_answers_are_shown_beside_the_field_and_kept(auth, client, change, field, message):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    child = _child_of(lead_id)
    response = post_form(client, f"/children/{child.id}/screen", {**ANSWERS, **change})
    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page
    assert f'href="#{field}"' in page
    assert message in page
    assert (_count(Case), _count(Screening)) == (0, 0)


def test_a_child_without_a_date_of_birth_needs_an_age(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    child = _child_of(lead_id, date_of_birth=None)
    response = post_form(client, f"/children/{child.id}/screen", ANSWERS)
    assert response.status_code == 400
    assert 'href="#child_age"' in response.get_data(as_text=True)
    ok = post_form(client, f"/children/{child.id}/screen", {**ANSWERS, "child_age": "15"})
    assert ok.status_code == 302


def test_a_child_outside_need_to_know_is_not_found(auth, client):
    auth.as_role(Role.PARTNER)
    case = factories.case(state=CaseState.SCREENED)
    assert client.get(f"/children/{case.child_id}/screen").status_code == 404
    assert post_form(client, f"/children/{case.child_id}/screen", ANSWERS).status_code == 404
    assert client.get("/children/999999/screen").status_code == 404


# --- moves ---------------------------------------------------------------------------------


def _screened_case(lead_id: int, outcome: str = "refer", types=("cse",)) -> Case:
    lead = db.session.get(User, lead_id)
    case = factories.case(
        lead=lead, state=CaseState.SCREENED, child_obj=_child_of(lead_id), exploitation_types=types
    )
    db.session.add(
        Screening(
            case_id=case.id,
            screened_on=date(2026, 3, 1),
            child_age=14,
            went_missing=outcome == "refer",
            older_partner="unknown",
            controlling_relationship=False,
            frequenting_areas=False,
            outcome=outcome,
            screened_by_id=lead_id,
        )
    )
    db.session.commit()
    return case


def test_the_case_page_offers_the_moves_the_role_may_take(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _screened_case(lead_id)
    page = _text(client.get(f"/cases/{case.id}"))
    assert f'href="/cases/{case.id}/moves/refer"' in page
    assert "Next steps" in page
    # No yes is needed to close as no further action: shown as not yet possible, with why.
    assert "Only a screening with no yes can be closed as no further action" in page


def test_refer_through_the_form(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _screened_case(lead_id)
    version = str(case.version)
    form = client.get(f"/cases/{case.id}/moves/refer")
    assert form.status_code == 200
    assert f'name="version" value="{version}"' in form.get_data(as_text=True)
    response = post_form(
        client,
        f"/cases/{case.id}/moves/refer",
        {"version": version, "mash_reference": "MASH-77"},
        page=f"/cases/{case.id}",
    )
    assert response.status_code == 302
    page = _text(client.get(f"/cases/{case.id}"))
    assert "The referral to Children's Services has been recorded." in page
    assert "MASH-77" in page
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == CaseState.REFERRED


def test_a_guard_refusal_names_what_is_missing_and_shows_no_form(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _screened_case(lead_id)
    case.child.address = None
    db.session.commit()
    response = post_form(
        client, f"/cases/{case.id}/moves/refer", {"version": str(case.version), "mash_reference": "MASH-77"}
    )
    assert response.status_code == 400
    page = _text(response)
    assert "Record the child's address before referring" in page
    # Not possible now: what is missing and where to record it, never a live form.
    assert "This move is not possible yet" in page
    assert 'name="mash_reference"' not in page and 'name="version"' not in page
    assert f'href="/children/{case.child_id}/edit"' in page
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == CaseState.SCREENED


def test_refer_without_an_exploitation_type_names_it_links_to_it_and_changes_nothing(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _screened_case(lead_id, types=())
    form = _text(client.get(f"/cases/{case.id}/moves/refer"))
    assert "Record at least one exploitation type (CSE, CCE) before referring" in form
    assert f'href="/cases/{case.id}/classification"' in form
    assert 'name="mash_reference"' not in form
    response = post_form(
        client, f"/cases/{case.id}/moves/refer", {"version": "1", "mash_reference": "MASH-77"}
    )
    assert response.status_code == 400
    page = _text(response)
    assert "Record at least one exploitation type (CSE, CCE) before referring" in page
    assert f'href="/cases/{case.id}/classification"' in page
    assert 'name="mash_reference"' not in page
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == CaseState.SCREENED
    assert _count(CaseEvent) == 1
    detail = _text(client.get(f"/cases/{case.id}"))
    assert "Record the exploitation types" in detail


def test_a_stale_version_says_someone_else_changed_the_case_and_keeps_the_input(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _screened_case(lead_id)
    read = case.version
    case.child.school = "changes nothing on the case"
    case.risk_level = "high"  # someone else's save: the case is now a version further
    db.session.commit()
    response = post_form(
        client, f"/cases/{case.id}/moves/refer", {"version": str(read), "mash_reference": "MASH-77"}
    )
    assert response.status_code == 409
    page = _text(response)
    assert "Someone else changed this case" in page
    assert 'value="MASH-77"' in page
    assert f'name="version" value="{read + 1}"' in page
    assert _count(CaseEvent) == 1


@pytest.mark.parametrize("version", ["", "abc", "99999999999999999999"])
def test_a_bad_version_is_a_400_not_a_500(auth, client, version):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _screened_case(lead_id)
    response = post_form(client, f"/cases/{case.id}/moves/refer", {"version": version, "mash_reference": "M"})
    assert response.status_code in (400, 409)


def test_the_assign_service_form_refuses_a_future_acceptance_date(auth, client):
    auth.as_role(Role.COORDINATOR)
    case = factories.case(state=CaseState.MET_REVIEW)
    data = {"version": str(case.version), "service": "parcs", **date_fields("accepted_on", "2026-03-03")}
    response = post_form(client, f"/cases/{case.id}/moves/assign_service", data)
    assert response.status_code == 400
    page = _text(response)
    assert 'href="#accepted_on-day"' in page
    assert "must be today or in the past" in page


def test_the_close_form_lists_the_exit_reasons(auth, client):
    auth.as_role(Role.MET_CHAIR)
    case = factories.case(state=CaseState.MET_REVIEW)
    page = _text(client.get(f"/cases/{case.id}/moves/close"))
    for label in ("Risk reduced", "Moved out of area", "Turned 18", "No further action", "Other"):
        assert label in page
    response = post_form(client, f"/cases/{case.id}/moves/close", {"version": str(case.version)})
    assert response.status_code == 400
    assert "Give the exit reason before closing the case" in _text(response)


def test_a_role_the_move_is_not_for_gets_403(auth, client):
    auth.as_role(Role.PARTNER)
    partner = db.session.scalar(select(User).order_by(User.id.desc()))
    case = factories.case(members=[partner], state=CaseState.SCREENED)
    assert client.get(f"/cases/{case.id}/moves/refer").status_code == 403
    assert post_form(client, f"/cases/{case.id}/moves/refer", {"version": "1"}).status_code == 403


@pytest.mark.parametrize("action", ["fly_away", "open_by_screening"])
def test_an_unknown_move_is_404(auth, client, action):
    auth.as_role(Role.MET_CHAIR)
    case = factories.case(state=CaseState.SCREENED)
    assert client.get(f"/cases/{case.id}/moves/{action}").status_code == 404
