"""The child's record pages: record a new child, likely duplicates, read, edit.
Names are invented."""

import html
from datetime import date

import pytest
from sqlalchemy import func, select

from mettrack.accounts.models import User
from mettrack.children.models import Child
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.extensions import db
from tests import factories
from tests.conftest import AuthActions, post_form

DOB = date(2012, 5, 17)


def form(**overrides) -> dict:
    fields = {
        "first_name": "Tamsin",
        "last_name": "Okoro",
        "aliases": "Tam",
        "date_of_birth-day": "17",
        "date_of_birth-month": "5",
        "date_of_birth-year": "2012",
        "gender": "female",
        "ethnicity": "",
        "address": "12 Invented Road",
        "school": "Harbourside Academy",
        "parent_carer_contacts": "",
        "looked_after": "yes",
        "looked_after_status": "s31_care_order",
        "social_worker": "Sam Fielding",
        "nhs_number": "943 476 5919",
        "local_identifier": "",
        "consistent_child_identifier": "",
    }
    return fields | overrides


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def actions(actor_id) -> list[tuple[str, str | None]]:
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.record_id)
        .where(AuditEvent.actor_user_id == actor_id)
        .order_by(AuditEvent.seq)
    )
    return [(r.action, r.record_id) for r in rows if r.action.startswith("child.")]


def count_children() -> int:
    return db.session.scalar(select(func.count()).select_from(Child))


@pytest.fixture
def partner_id(auth, app_ctx):
    return auth.as_role(Role.PARTNER, agency="Harbourside Academy")


def test_new_child_form_has_every_field_of_the_record(client, partner_id):
    page = text_of(client.get("/children/new"))
    for name in (
        "first_name",
        "last_name",
        "aliases",
        "date_of_birth-day",
        "date_of_birth-month",
        "date_of_birth-year",
        "gender",
        "ethnicity",
        "address",
        "school",
        "parent_carer_contacts",
        "looked_after",
        "looked_after_status",
        "social_worker",
        "nhs_number",
        "local_identifier",
        "consistent_child_identifier",
    ):
        assert f'name="{name}"' in page, name


def test_recorded_child_is_shown_to_their_recorder_and_each_step_audited(client, partner_id):
    response = post_form(client, "/children/new", form(), page="/children/new")
    assert response.status_code == 302
    child = db.session.scalar(select(Child))
    assert response.headers["Location"] == f"/children/{child.id}"
    page = text_of(client.get(response.headers["Location"]))
    assert "Tamsin Okoro" in page
    assert "Care order (section 31)" in page
    assert "9434765919" in page
    assert actions(partner_id) == [("child.created", str(child.id)), ("child.viewed", str(child.id))]


BAD_FORMS = [
    (
        "no names",
        {"first_name": "", "last_name": ""},
        ["Enter the child's first name", "Enter the child's last name"],
    ),
    (
        "31 February",
        {"date_of_birth-day": "31", "date_of_birth-month": "2"},
        ["Date of birth must be a real date"],
    ),
    ("letters for a day", {"date_of_birth-day": "ab"}, ["Date of birth must be a real date"]),
    ("future date", {"date_of_birth-year": "2999"}, ["Date of birth must be today or in the past"]),
    ("no year", {"date_of_birth-year": ""}, ["Date of birth must include a year"]),
    ("20-digit day", {"date_of_birth-day": "9" * 20}, ["Date of birth must be a real date"]),
    ("20-digit month", {"date_of_birth-month": "9" * 20}, ["Date of birth must be a real date"]),
    ("20-digit year", {"date_of_birth-year": "9" * 20}, ["Date of birth must be a real date"]),
    ("full-width digits", {"date_of_birth-day": "１７"}, ["Date of birth must be a real date"]),
    ("Arabic-Indic digits", {"date_of_birth-month": "٥"}, ["Date of birth must be a real date"]),
    ("bad NHS number", {"nhs_number": "943 476 5918"}, ["Enter a valid NHS number"]),
    ("looked after, no order", {"looked_after_status": ""}, ["Choose the order or section"]),
]


@pytest.mark.parametrize(("case", "changes", "messages"), BAD_FORMS, ids=[b[0] for b in BAD_FORMS])
def test_bad_input_is_shown_beside_its_field_keeping_the_input(client, partner_id, case, changes, messages):
    response = post_form(client, "/children/new", form(**changes), page="/children/new")
    assert response.status_code == 400
    page = text_of(response)
    assert "There is a problem" in page
    for message in messages:
        assert message in page
    assert 'value="Harbourside Academy"' in page  # the user's input is kept
    assert count_children() == 0


def test_likely_duplicates_are_shown_first_and_hidden_ones_reveal_nothing(app, client, partner_id):
    partner = db.session.get(User, partner_id)
    police = factories.user(roles=[Role.LEAD_PROFESSIONAL], agency="Hampshire and Isle of Wight Constabulary")
    hidden = factories.child(first_name="Zephyrine", last_name="Okoro", date_of_birth=DOB, aliases="Tamsin")
    factories.case(lead=police, child_obj=hidden)
    mine = factories.child(first_name="Okoro", last_name="Tamsin", date_of_birth=DOB)  # names swapped
    factories.case(members=[partner], child_obj=mine)
    hidden_id, mine_id = hidden.id, mine.id

    response = post_form(client, "/children/new", form(nhs_number=""), page="/children/new")

    assert response.status_code == 409
    page = text_of(response)
    assert f'href="/children/{mine_id}"' in page
    assert "A possible match exists, lead agency Hampshire and Isle of Wight Constabulary" in page
    assert "Zephyrine" not in page
    assert f"/children/{hidden_id}" not in page
    assert f"#{hidden_id}" not in page
    assert 'value="Tamsin"' in page  # the form is kept for the confirmation
    assert count_children() == 2
    assert ("child.match_hint", str(hidden_id)) in actions(partner_id)

    confirmed = post_form(
        client, "/children/new", form(nhs_number="", confirmed_no_match="yes"), page="/children/new"
    )
    assert confirmed.status_code == 302
    assert count_children() == 3


def test_edit_with_a_huge_number_in_the_date_names_the_field_and_saves_nothing(client, partner_id):
    partner = db.session.get(User, partner_id)
    child = factories.child(first_name="Tamsin", last_name="Okoro", date_of_birth=DOB)
    factories.case(members=[partner], child_obj=child)
    path = f"/children/{child.id}/edit"
    for part in ("day", "month"):
        changes = {f"date_of_birth-{part}": "99999999999999999999", "version": str(child.version)}
        response = post_form(client, path, form(**changes), page=path)
        assert response.status_code == 400
        assert "Date of birth must be a real date" in text_of(response)
        assert 'href="#date_of_birth-day"' in text_of(response)
    db.session.expire_all()
    assert db.session.get(Child, child.id).date_of_birth == DOB


def test_hint_for_a_case_with_no_lead_names_the_agency_to_contact(client, partner_id):
    from mettrack.screening.screenings import screen_child

    police = factories.user(roles=[Role.PARTNER], agency="Hampshire and Isle of Wight Constabulary")
    hidden = factories.child(
        first_name="Tamsin", last_name="Okoro", date_of_birth=DOB, created_by_id=police.id
    )
    answers = {"went_missing": "yes", "controlling_relationship": "no", "frequents_exploitation_areas": "no"}
    screen_child(police, hidden.id, answers, date(2026, 3, 2))

    response = post_form(client, "/children/new", form(nhs_number=""), page="/children/new")

    assert response.status_code == 409
    page = " ".join(text_of(response).split())
    assert "No lead agency is recorded yet: contact Hampshire and Isle of Wight Constabulary" in page
    assert "not recorded." not in page
    assert f"/children/{hidden.id}" not in page


def test_child_outside_need_to_know_or_unknown_is_404_and_audited(client, partner_id):
    hidden_id = factories.case(state=CaseState.CLOSED).child_id
    for path in (f"/children/{hidden_id}", f"/children/{hidden_id}/edit", "/children/999999"):
        assert client.get(path).status_code == 404
    response = post_form(client, f"/children/{hidden_id}/edit", form(version="1"), page="/children/new")
    assert response.status_code == 404
    assert client.get("/children/99999999999").status_code == 404
    assert [a for a, _ in actions(partner_id)] == [
        "child.viewed.denied",
        "child.viewed.denied",
        "child.viewed.denied",
        "child.updated.denied",
    ]


def _edit_client(app, email):
    client = app.test_client()
    AuthActions(client, app).login(email)
    return client


def test_two_saves_from_the_same_version_the_second_is_told_and_the_first_stays(app, client, partner_id):
    partner = db.session.get(User, partner_id)
    colleague = factories.user(roles=[Role.LEAD_PROFESSIONAL], agency="Early Help and Prevention")
    child = factories.child(first_name="Tamsin", last_name="Okoro", date_of_birth=DOB)
    factories.case(lead=colleague, members=[partner], child_obj=child)
    child_id, version = child.id, child.version
    other = _edit_client(app, colleague.email)
    path = f"/children/{child_id}/edit"
    assert f'name="version" value="{version}"' in text_of(client.get(path))

    first = post_form(other, path, form(school="First School", version=str(version)), page=path)
    assert first.status_code == 302
    second = post_form(client, path, form(school="Second School", version=str(version)), page=path)

    assert second.status_code == 409
    page = text_of(second)
    assert "Someone else changed this record" in page
    assert 'value="Second School"' in page  # the user's input is kept
    assert "First School" in page  # beside the record as saved now
    db.session.expire_all()
    assert db.session.get(Child, child_id).school == "First School"


def test_edit_saves_and_shows_the_record(client, partner_id):
    partner = db.session.get(User, partner_id)
    child = factories.child(first_name="Tamsin", last_name="Okoro")
    factories.case(members=[partner], child_obj=child)
    path = f"/children/{child.id}/edit"
    response = post_form(client, path, form(last_name="Okoro-Vale", version=str(child.version)), page=path)
    assert response.status_code == 302
    assert "Tamsin Okoro-Vale" in text_of(client.get(f"/children/{child.id}"))
    assert ("child.updated", str(child.id)) in actions(partner_id)


def test_edit_with_bad_input_or_no_version_saves_nothing(client, partner_id):
    partner = db.session.get(User, partner_id)
    child = factories.child(first_name="Tamsin", last_name="Okoro")
    factories.case(members=[partner], child_obj=child)
    path = f"/children/{child.id}/edit"
    response = post_form(client, path, form(first_name="", version=str(child.version)), page=path)
    assert response.status_code == 400
    assert "Enter the child's first name" in text_of(response)
    response = post_form(client, path, form(), page=path)  # no version
    assert response.status_code == 400
    assert "reload the page" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Child, child.id).first_name == "Tamsin"


def test_case_page_shows_the_child_record_summary_with_an_edit_link(client, partner_id):
    partner = db.session.get(User, partner_id)
    child = factories.child(first_name="Tamsin", last_name="Okoro", school="Harbourside Academy")
    case = factories.case(members=[partner], child_obj=child)
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "The child’s record" in page
    assert "Harbourside Academy" in page
    assert f'href="/children/{child.id}/edit"' in page


def test_analyst_may_not_record_a_child(client, auth, app_ctx):
    auth.as_role(Role.ANALYST)
    assert client.get("/children/new").status_code == 403
