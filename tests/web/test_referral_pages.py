"""Recording the outcome of a referral from the case page: who is offered the form, what
they see after saving, and bad input or flagged wording answered on the form."""

import html
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.cases.models import Case
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from tests import factories
from tests.conftest import post_form
from tests.language.save_anyway import assert_save_anyway_button
from tests.wording_scenarios import FLAGGED, seed_lists

OUTCOME = {"mash_reference": "MASH/2026/0042", "referral_outcome": "Strategy discussion; single assessment."}


@pytest.fixture(autouse=True)
def _clock_and_lists(app_ctx):
    seed_lists()
    set_now(datetime(2026, 3, 9, 14, 0, tzinfo=UTC))


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _referred(lead_id=None, *, state=CaseState.REFERRED, members=()) -> Case:
    lead = db.session.get(User, lead_id) if lead_id else None
    case = factories.case(lead=lead, members=members, state=state, exploitation_types=("cse",))
    case.referred_at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    case.mash_reference = "MASH/2026/0042"
    db.session.commit()
    return case


def _saved(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def test_the_case_page_offers_the_lead_the_form_and_shows_the_outcome_with_who_and_when(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL, name="Lee Leadworth")
    case = _referred(lead_id)
    page = _text(client.get(f"/cases/{case.id}"))
    assert "Record the outcome of the referral" in page
    form = _text(client.get(f"/cases/{case.id}/referral"))
    assert 'value="MASH/2026/0042"' in form
    assert f'name="version" value="{case.version}"' in form

    response = post_form(
        client,
        f"/cases/{case.id}/referral",
        {"version": str(case.version), **OUTCOME},
        page=f"/cases/{case.id}",
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}#referral")
    page = _text(client.get(f"/cases/{case.id}"))
    assert "The outcome of the referral has been recorded." in page
    assert "Strategy discussion; single assessment." in page
    assert "by Lee Leadworth on 9 March 2026" in page
    assert "Change the outcome of the referral" in page
    timeline = page[page.index("Timeline") :]
    assert "Outcome of the referral (MASH reference MASH/2026/0042): Strategy discussion" in timeline
    assert _saved(case.id).referral_outcome_recorded_by_id == lead_id


def test_a_partner_is_not_offered_the_form_and_is_refused_it(auth, client):
    partner_id = auth.as_role(Role.PARTNER)
    case = _referred(members=[db.session.get(User, partner_id)])
    page = _text(client.get(f"/cases/{case.id}"))
    assert "Record the outcome of the referral" not in page
    assert f"/cases/{case.id}/referral" not in page
    assert client.get(f"/cases/{case.id}/referral").status_code == 403
    response = post_form(client, f"/cases/{case.id}/referral", {"version": "1", **OUTCOME})
    assert response.status_code == 403
    assert _saved(case.id).referral_outcome is None


def test_a_screened_case_says_to_refer_first_and_offers_no_form(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = factories.case(lead=db.session.get(User, lead_id))
    assert "Record the outcome of the referral" not in _text(client.get(f"/cases/{case.id}"))
    form = _text(client.get(f"/cases/{case.id}/referral"))
    assert "has not been referred to Children's Services: refer it first" in form
    assert 'name="referral_outcome"' not in form
    response = post_form(client, f"/cases/{case.id}/referral", {"version": "1", **OUTCOME})
    assert response.status_code == 400
    assert "refer it first" in _text(response)


def test_blank_fields_are_named_and_what_was_typed_is_kept(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _referred(lead_id)
    response = post_form(
        client,
        f"/cases/{case.id}/referral",
        {"version": str(case.version), "mash_reference": "MASH/9", "referral_outcome": " "},
    )
    assert response.status_code == 400
    page = _text(response)
    assert 'href="#referral_outcome"' in page
    assert "Enter the outcome of the referral" in page
    assert 'value="MASH/9"' in page
    assert _saved(case.id).mash_reference == "MASH/2026/0042"


def test_a_stale_version_says_someone_else_changed_the_case_and_keeps_the_input(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _referred(lead_id)
    stale = case.version
    case.risk_level = "high"
    db.session.commit()
    response = post_form(client, f"/cases/{case.id}/referral", {"version": str(stale), **OUTCOME})
    assert response.status_code == 409
    page = _text(response)
    assert "Someone else changed this case" in page
    assert OUTCOME["referral_outcome"] in page
    assert f'name="version" value="{stale + 1}"' in page
    assert _saved(case.id).referral_outcome is None


def test_flagged_wording_comes_back_with_the_suggestion_and_saves_when_confirmed(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _referred(lead_id)
    data = {"version": str(case.version), "mash_reference": "MASH/1", "referral_outcome": FLAGGED}

    flagged = post_form(client, f"/cases/{case.id}/referral", data)

    assert flagged.status_code == 200
    page = _text(flagged)
    assert "Check the wording" in page and "putting herself at risk" in page
    assert_save_anyway_button(page)
    assert _saved(case.id).referral_outcome is None

    saved = post_form(client, f"/cases/{case.id}/referral", {**data, "save_anyway": "yes"})

    assert saved.status_code == 302
    assert _saved(case.id).referral_outcome == FLAGGED
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.referral_recorded"))
    assert '"saved_anyway": true' in row.detail


def test_a_case_outside_need_to_know_is_404(auth, client):
    auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _referred()
    assert client.get(f"/cases/{case.id}/referral").status_code == 404
    assert post_form(client, f"/cases/{case.id}/referral", {"version": "1", **OUTCOME}).status_code == 404
