"""The case team, the lead professional, the chair's cases to reassign, and the case's
exploitation types, flags and NRM details, through the pages: what people see, access
following team membership, and bad input answered naming the field."""

import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.cases.models import Case, CaseTag, CaseTeamMember
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from tests import factories
from tests.conftest import post_form


@pytest.fixture(autouse=True)
def _clock(app_ctx):
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _team(case_id: int) -> dict[int, str]:
    db.session.expire_all()
    rows = db.session.scalars(select(CaseTeamMember).where(CaseTeamMember.case_id == case_id))
    return {m.user_id: m.team_role for m in rows}


def _as(auth, client, user: User):
    auth.logout()
    response = auth.login(user.email)
    assert response.status_code == 302


@pytest.fixture
def lead_case(auth):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL, agency="Edge of Care")
    lead = db.session.get(User, lead_id)
    case = factories.case(lead=lead, state=CaseState.MET_REVIEW)
    partner = factories.user(roles=[Role.PARTNER], agency="Demotown Police", name="Pat Partnerton")
    return {"lead": lead, "case": case, "partner": partner}


# --- the team ----------------------------------------------------------------------------


def test_the_case_page_shows_the_team_with_the_lead_first_and_the_links_to_change_it(client, lead_case):
    page = _text(client.get(f"/cases/{lead_case['case'].id}"))
    team = page[page.index('id="team"') :]
    assert lead_case["lead"].name in team and "Lead professional" in team
    assert "Add someone to the team" in team
    assert "Change the lead professional" in team


def test_the_lead_adds_a_partner_who_can_then_open_the_case_and_loses_it_when_removed(
    client, auth, lead_case
):
    case, partner = lead_case["case"], lead_case["partner"]
    form = client.get(f"/cases/{case.id}/team/add")
    assert form.status_code == 200
    assert "Pat Partnerton – Demotown Police" in _text(form)

    response = post_form(client, f"/cases/{case.id}/team/add", {"user_id": str(partner.id)})
    assert response.status_code == 302
    assert partner.id in _team(case.id)
    page = _text(client.get(response.headers["Location"]))
    assert "Pat Partnerton has been added to the team and can now open this case." in page
    assert "Pat Partnerton (Demotown Police) joined the team" in page  # on the timeline

    _as(auth, client, partner)
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert "Add someone to the team" not in _text(client.get(f"/cases/{case.id}"))
    assert client.get(f"/cases/{case.id}/team/add").status_code == 403

    _as(auth, client, lead_case["lead"])
    confirm = client.get(f"/cases/{case.id}/team/{partner.id}/remove")
    assert "Take Pat Partnerton off the team?" in _text(confirm)
    removed = post_form(client, f"/cases/{case.id}/team/{partner.id}/remove", page=f"/cases/{case.id}")
    assert removed.status_code == 302
    assert partner.id not in _team(case.id)

    _as(auth, client, partner)
    assert client.get(f"/cases/{case.id}").status_code == 404


def test_adding_no_one_names_the_field_and_adds_nothing(client, lead_case):
    case = lead_case["case"]
    response = post_form(client, f"/cases/{case.id}/team/add", {"user_id": ""})
    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page
    assert 'href="#user_id"' in page and "Choose the person to add to the team from the list" in page
    assert _team(case.id) == {lead_case["lead"].id: "lead"}


def test_the_lead_cannot_be_taken_off_the_team(client, lead_case):
    case = lead_case["case"]
    page = _text(client.get(f"/cases/{case.id}/team/{lead_case['lead'].id}/remove"))
    assert "Change the lead professional first" in page
    response = post_form(
        client, f"/cases/{case.id}/team/{lead_case['lead'].id}/remove", page=f"/cases/{case.id}"
    )
    assert response.status_code == 400
    assert "change the lead professional first" in _text(response)
    assert lead_case["lead"].id in _team(case.id)


def test_removing_someone_not_on_the_team_is_not_found(client, lead_case):
    case = lead_case["case"]
    assert client.get(f"/cases/{case.id}/team/{lead_case['partner'].id}/remove").status_code == 404


# --- the lead professional ---------------------------------------------------------------


def test_the_lead_hands_the_case_over(client, lead_case):
    case, lead = lead_case["case"], lead_case["lead"]
    new = factories.user(roles=[Role.LEAD_PROFESSIONAL], agency="Early Help", name="Nia Newlead")
    form = _text(client.get(f"/cases/{case.id}/lead"))
    assert "Nia Newlead – Early Help" in form
    assert f"Also take {lead.name} off the team" in form

    v = case.version
    response = post_form(client, f"/cases/{case.id}/lead", {"user_id": str(new.id), "version": str(v)})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Case, case.id)
    assert (saved.lead_professional_id, saved.lead_agency_id, saved.version) == (new.id, new.agency_id, v + 1)
    assert _team(case.id) == {lead.id: "member", new.id: "lead"}
    page = _text(client.get(response.headers["Location"]))
    assert "Nia Newlead is now the lead professional" in page
    assert f"Lead professional: Nia Newlead (Early Help), in place of {lead.name} (Edge of Care)" in page
    # The timeline shows the change as such, not as a move between states.
    assert "For MET review → For MET review" not in page


def test_handing_over_and_leaving_the_team_takes_the_lead_home(client, lead_case):
    case = lead_case["case"]
    new = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    data = {"user_id": str(new.id), "version": str(case.version), "remove_previous": "yes"}
    response = post_form(client, f"/cases/{case.id}/lead", data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert "You are no longer on this case's team" in _text(client.get("/"))
    assert client.get(f"/cases/{case.id}").status_code == 404


def test_a_stale_lead_change_says_someone_else_changed_the_case(client, lead_case):
    case = lead_case["case"]
    new = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    response = post_form(client, f"/cases/{case.id}/lead", {"user_id": str(new.id), "version": "7"})
    assert response.status_code == 409
    page = _text(response)
    assert "Someone else changed this case" in page
    assert f'value="{new.id}" selected' in page  # the choice is kept
    db.session.expire_all()
    assert db.session.get(Case, case.id).lead_professional_id == lead_case["lead"].id


def test_choosing_no_new_lead_names_the_field(client, lead_case):
    case = lead_case["case"]
    response = post_form(client, f"/cases/{case.id}/lead", {"user_id": "", "version": str(case.version)})
    assert response.status_code == 400
    assert "Choose the new lead professional from the list" in _text(response)


# --- the chair's cases to reassign --------------------------------------------------------


def test_the_chair_reassigns_a_deactivated_leads_case_from_the_list(client, auth):
    gone = factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Gale Gonebye", agency="Early Help")
    case = factories.case(lead=gone, state=CaseState.REFERRED)
    new = factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Nia Newlead", agency="Edge of Care")
    gone.active, gone.deactivated_at = False, datetime(2026, 2, 27, 9, tzinfo=UTC)
    db.session.commit()
    auth.as_role(Role.MET_CHAIR)

    home = _text(client.get("/"))
    assert "Cases to reassign" in home
    # The chair's work queue of cases needing a lead: the case, why, and a link to act.
    assert 'id="queue-needs-lead"' in home
    assert "The lead professional's account is deactivated" in home
    assert f'href="/cases/{case.id}/lead"' in home

    listed = _text(client.get("/reassign-cases"))
    assert f"#{case.id}" in listed
    assert "The lead professional's account is deactivated: Gale Gonebye (Early Help)" in listed
    assert "deactivated 27 February 2026" in listed
    assert "Nia Newlead – Edge of Care" in listed
    assert "Back to your home" in listed  # the way back to the queue it came from
    assert re.search(rf'<option value="{gone.id}">Gale Gonebye', listed) is None  # not offered

    data = {
        "user_id": str(new.id),
        "version": str(case.version),
        "return_to": "reassign",
        "remove_previous": "yes",
    }
    response = post_form(client, f"/cases/{case.id}/lead", data, page="/reassign-cases")
    assert response.status_code == 302 and response.headers["Location"].endswith("/reassign-cases")
    after = _text(client.get(response.headers["Location"]))
    assert f"Nia Newlead is now the lead professional for case #{case.id}." in after
    assert "No cases need a new lead professional." in after
    assert _team(case.id) == {new.id: "lead"}


def test_a_refused_reassignment_shows_the_lead_form_with_the_error(client, auth):
    case = factories.case(lead=None, state=CaseState.SCREENED)
    auth.as_role(Role.MET_CHAIR)
    data = {"user_id": "", "version": str(case.version), "return_to": "reassign"}
    response = post_form(client, f"/cases/{case.id}/lead", data, page="/reassign-cases")
    assert response.status_code == 400
    page = _text(response)
    assert "Choose the new lead professional from the list" in page
    assert "Back to the cases to reassign" in page


def test_an_admin_sees_only_a_count_and_an_admin_who_is_chair_gets_the_link(client, auth):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    factories.case(lead=lead, state=CaseState.REFERRED)
    lead.active = False  # left after leading the case (a deactivated user is never made lead)
    db.session.commit()
    auth.as_role(Role.ADMIN)
    page = _text(client.get(f"/admin/users/{lead.id}"))
    assert "is lead professional for 1 open case" in page
    assert "/reassign-cases" not in page

    chair_admin = factories.user(roles=[Role.ADMIN, Role.MET_CHAIR])
    _as(auth, client, chair_admin)
    page = _text(client.get(f"/admin/users/{lead.id}"))
    assert "is lead professional for 1 open case" in page
    assert 'href="/reassign-cases">See the cases to reassign</a>' in page


# --- exploitation types, flags and NRM ---------------------------------------------------


def _classification_form(**changes) -> dict:
    form = {
        "version": "1",
        "exploitation_types": ["cse", "cce"],
        "flags": ["county_lines"],
        "harm_locations": ["hotel", "online"],
        "nrm_referred_on-day": "10",
        "nrm_referred_on-month": "1",
        "nrm_referred_on-year": "2026",
        "nrm_reasonable_grounds": "positive",
        "nrm_reasonable_grounds_on-day": "20",
        "nrm_reasonable_grounds_on-month": "1",
        "nrm_reasonable_grounds_on-year": "2026",
        "nrm_conclusive_grounds": "",
    }
    form.update(changes)
    return form


def test_the_lead_records_types_flags_places_and_the_nrm_referral(client, lead_case):
    case = lead_case["case"]
    form = _text(client.get(f"/cases/{case.id}/classification"))
    assert "Child sexual exploitation (CSE)" in form and "County lines" in form and "Hotel" in form

    response = post_form(
        client, f"/cases/{case.id}/classification", _classification_form(version=str(case.version))
    )
    assert response.status_code == 302
    db.session.expire_all()
    tags = {(t.kind, t.value) for t in db.session.scalars(select(CaseTag).where(CaseTag.case_id == case.id))}
    assert ("exploitation_type", "cse") in tags and ("exploitation_type", "cce") in tags
    page = _text(client.get(response.headers["Location"]))
    section = page[page.index('id="classification"') :]
    assert "Child sexual exploitation (CSE), Child criminal exploitation (CCE)" in section
    assert "County lines" in section and "Online, Hotel" in section
    assert "10 January 2026" in section and "Positive, 20 January 2026" in section
    assert "No exploitation type is recorded" not in page


def test_bad_classification_input_names_each_field_and_saves_nothing(client, lead_case):
    case = lead_case["case"]
    before = db.session.scalars(select(CaseTag).where(CaseTag.case_id == case.id)).all()
    form = _classification_form(
        version=str(case.version),
        exploitation_types=[],
        **{"nrm_referred_on-year": "2027", "nrm_reasonable_grounds_on-month": ""},
    )
    response = post_form(client, f"/cases/{case.id}/classification", form)
    assert response.status_code == 400
    page = _text(response)
    assert 'href="#exploitation_types"' in page and "Choose at least one exploitation type" in page
    assert 'href="#nrm_referred_on-day"' in page and "must be today or in the past" in page
    assert 'href="#nrm_reasonable_grounds_on-day"' in page and "must include a month" in page
    assert 'value="county_lines" checked' in page  # what was typed is kept
    assert db.session.scalars(select(CaseTag).where(CaseTag.case_id == case.id)).all() == before


def test_a_stale_classification_save_keeps_the_answers(client, lead_case):
    case = lead_case["case"]
    response = post_form(
        client, f"/cases/{case.id}/classification", _classification_form(version=str(case.version - 1))
    )
    assert response.status_code == 409
    assert "Someone else changed this case" in _text(response)


def test_a_partner_on_the_team_sees_the_classification_but_cannot_change_it(client, auth, lead_case):
    case, partner = lead_case["case"], lead_case["partner"]
    post_form(client, f"/cases/{case.id}/classification", _classification_form(version=str(case.version)))
    post_form(client, f"/cases/{case.id}/team/add", {"user_id": str(partner.id)})
    _as(auth, client, partner)
    page = _text(client.get(f"/cases/{case.id}"))
    assert "County lines" in page
    assert "Change the exploitation types" not in page
    assert client.get(f"/cases/{case.id}/classification").status_code == 403
