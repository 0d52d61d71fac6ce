"""Risk assessment pages, the case page's risk section, and the indicator admin pages."""

import html
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from mettrack.accounts.models import User
from mettrack.cases.models import Case, CaseTeamMember
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, IndicatorGroup, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.risk import catalogue as risk_catalogue
from mettrack.risk.models import RiskAssessment, RiskIndicator
from mettrack.risk.rules import DEFAULT_INDICATORS
from tests import factories
from tests.conftest import post_form

NOW = datetime(2026, 5, 10, 12, tzinfo=UTC)


@pytest.fixture
def lead_id(auth, app_ctx):
    set_now(NOW)
    risk_catalogue.seed_defaults()
    db.session.commit()
    return auth.as_role(Role.LEAD_PROFESSIONAL)


@pytest.fixture
def case(lead_id):
    child = factories.child(date_of_birth=date(2011, 1, 15), address="1 Test Lane")
    return factories.case(lead=db.session.get(User, lead_id), state=CaseState.REFERRED, child_obj=child)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _form(case, **extra) -> dict:
    form = {"version": str(case.version)}
    for indicator in risk_catalogue.list_active():
        form[f"ratings.{indicator.code}.rating"] = "none"
    form.update(
        {
            "ratings.older_partner.rating": "high",
            "ratings.older_partner.period": "current",
            "ratings.older_partner.reason": "A man of 24 collects her from school.",
            "chosen_level": "high",
            "rationale": "Significant risk of sexual exploitation.",
        }
    )
    form.update(extra)
    return form


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(RiskAssessment))


def _audit(action) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_the_form_shows_every_group_with_none_chosen(client, case):
    response = client.get(f"/cases/{case.id}/risk-assessments/new")
    assert response.status_code == 200
    text = _text(response)
    for group in IndicatorGroup:
        assert group.label in text
    assert 'name="ratings.older_partner.rating" type="radio" value="none" checked' in text
    assert "Check the suggestion" in text and f'name="version" value="{case.version}"' in text


def test_saving_records_the_assessment_and_the_case_page_shows_it(client, case):
    page = f"/cases/{case.id}/risk-assessments/new"
    response = post_form(client, page, _form(case), page=page)
    assert response.status_code == 302, _text(response)[:2000]
    assessment = db.session.scalar(select(RiskAssessment))
    assert (assessment.suggested_level, assessment.chosen_level) == ("high", "high")
    assert assessment.next_review_on == date(2026, 6, 7)
    assert _audit("risk_assessment.recorded") == 1
    db.session.expire_all()
    assert db.session.get(Case, case.id).risk_level == "high"

    text = _text(client.get(f"/cases/{case.id}"))
    assert 'id="risk"' in text and "High (significant)" in text and "7 June 2026" in text
    assert "View the current assessment" in text
    # The move to MET review is now possible from the case page.
    assert f"/cases/{case.id}/moves/send_to_met_review" in text


def test_errors_are_named_beside_their_fields_and_nothing_is_saved(client, case):
    page = f"/cases/{case.id}/risk-assessments/new"
    form = _form(
        case,
        **{"ratings.older_partner.reason": "", "ratings.gang_links.rating": "medium", "rationale": ""},
    )
    response = post_form(client, page, form, page=page)
    assert response.status_code == 400
    text = _text(response)
    assert "Give the reason for rating “An older person presenting as a partner” high" in text
    assert 'href="#ratings.older_partner.reason"' in text
    assert 'href="#ratings.gang_links.period"' in text and 'href="#ratings.gang_links.reason"' in text
    assert "Explain why you chose this risk level" in text
    assert 'value="medium" checked' in text  # the user's answers are kept
    assert _count() == 0


def test_check_the_suggestion_saves_nothing_and_warns_when_the_level_differs(client, case):
    page = f"/cases/{case.id}/risk-assessments/new"
    response = post_form(client, page, _form(case, chosen_level="low", check="1"), page=page)
    assert response.status_code == 200
    text = _text(response)
    assert "Suggested level" in text and "Rated high" in text
    assert "differs from the system's suggestion (high (significant))" in text
    assert _count() == 0


def test_check_the_suggestion_returns_to_the_suggestion_not_the_top_of_the_form(client, case):
    page = f"/cases/{case.id}/risk-assessments/new"
    target = f"{page}#suggestion"
    for response in (client.get(page), post_form(client, page, _form(case, check="1"), page=page)):
        text = _text(response)
        [button] = re.findall(r'<button[^>]*name="check"[^>]*>', text)
        # The button sends the form to the page's own address with the suggestion's
        # fragment: the browser opens the answer there, with no script.
        assert f'formaction="{target}"' in button
        assert '<h2 class="govuk-heading-m" id="suggestion">' in text
        assert "<script>" not in text and "onclick" not in text
    assert "Suggested level" in text  # the answer is in the section the fragment names
    assert _count() == 0


def test_a_stale_version_keeps_the_input_and_saves_nothing(client, case):
    page = f"/cases/{case.id}/risk-assessments/new"
    response = post_form(client, page, _form(case, version="7"), page=page)
    assert response.status_code == 409
    text = _text(response)
    assert "Someone else changed this case" in text
    assert "A man of 24 collects her from school." in text
    assert _count() == 0


def test_history_and_one_assessment(client, case):
    page = f"/cases/{case.id}/risk-assessments/new"
    post_form(client, page, _form(case), page=page)
    db.session.expire_all()
    case_now = db.session.get(Case, case.id)
    set_now(datetime(2026, 5, 10, 12, 20, tzinfo=UTC))  # within the idle timeout
    post_form(client, page, _form(case_now, chosen_level="medium", rationale="Partner arrested."), page=page)
    first, second = db.session.scalars(select(RiskAssessment).order_by(RiskAssessment.id)).all()

    text = _text(client.get(f"/cases/{case.id}/risk-assessments"))
    assert text.index("10 May 2026 13:20") < text.index("10 May 2026 13:00")
    assert text.count("Current") == 1
    text = _text(client.get(f"/cases/{case.id}/risk-assessments/{first.id}"))
    assert "A newer assessment has replaced this one" in text
    assert "A man of 24 collects her from school." in text
    text = _text(client.get(f"/cases/{case.id}/risk-assessments/{second.id}"))
    assert "the level set differs" in text and "Partner arrested." in text
    assert _audit("risk_assessment.viewed") == 2


def test_a_partner_on_the_team_reads_but_may_not_record(client, auth, case):
    auth.logout()
    partner_id = auth.as_role(Role.PARTNER)
    case.team.append(CaseTeamMember(user_id=partner_id, team_role="member"))
    db.session.commit()
    text = _text(client.get(f"/cases/{case.id}"))
    assert 'id="risk"' in text and "Record a risk assessment" not in text
    assert client.get(f"/cases/{case.id}/risk-assessments").status_code == 200
    assert client.get(f"/cases/{case.id}/risk-assessments/new").status_code == 403


# --- the indicator catalogue (admin)


@pytest.fixture
def admin(auth, app_ctx):
    risk_catalogue.seed_defaults()
    db.session.commit()
    return auth.as_role(Role.ADMIN)


def test_admin_lists_adds_and_deactivates_indicators(client, admin, auth):
    text = _text(client.get("/admin/risk-indicators"))
    assert "Going missing from home or care" in text and IndicatorGroup.ONLINE.label in text

    page = "/admin/risk-indicators/new"
    form = {"code": "online_gaming", "label": "Contacted through online games", "group": "online"}
    response = post_form(client, page, form, page=page)
    assert response.status_code == 302
    added = db.session.scalar(select(RiskIndicator).where(RiskIndicator.code == "online_gaming"))
    assert added.active

    missing = db.session.scalar(select(RiskIndicator).where(RiskIndicator.code == "moved_around"))
    response = post_form(
        client, f"/admin/risk-indicators/{missing.id}/deactivate", page="/admin/risk-indicators"
    )
    assert response.status_code == 302
    db.session.refresh(missing)
    assert not missing.active
    assert _audit("risk_indicator.deactivated") == 1

    # A lead professional's form offers the new indicator and not the deactivated one.
    auth.logout()
    lead = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = factories.case(lead=db.session.get(User, lead))
    text = _text(client.get(f"/cases/{case.id}/risk-assessments/new"))
    assert "Contacted through online games" in text
    assert "Being moved or taken to other towns or areas" not in text


def test_admin_form_errors_name_the_field(client, admin):
    page = "/admin/risk-indicators/new"
    response = post_form(client, page, {"code": "older_partner", "label": "", "group": "nowhere"}, page=page)
    assert response.status_code == 400
    text = _text(response)
    assert "An indicator with this code already exists" in text
    assert 'href="#label"' in text and 'href="#group"' in text
    assert db.session.scalar(select(func.count()).select_from(RiskIndicator)) == len(DEFAULT_INDICATORS)


def test_admin_edits_the_label_and_the_code_stays(client, admin):
    indicator = db.session.scalar(select(RiskIndicator).where(RiskIndicator.code == "petty_crime"))
    page = f"/admin/risk-indicators/{indicator.id}/edit"
    assert "petty_crime" in _text(client.get(page))
    response = post_form(
        client, page, {"label": "Offending that others may be directing", "group": "behaviour"}, page=page
    )
    assert response.status_code == 302
    db.session.refresh(indicator)
    assert (indicator.code, indicator.label) == ("petty_crime", "Offending that others may be directing")


def test_a_lead_professional_may_not_open_the_admin_pages(client, lead_id):
    assert client.get("/admin/risk-indicators").status_code == 403


def test_administrators_find_the_catalogue_in_the_navigation(client, admin):
    text = _text(client.get("/"))
    assert 'href="/admin/risk-indicators"' in text
