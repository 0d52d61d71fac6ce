"""Reference data and the language list through the admin pages: what an administrator
changes reaches the forms and the language check at once; bad input names the field."""

import html
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from mettrack.accounts.models import User
from mettrack.cases.models import Case
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, ReferenceKind, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.language import phrases as language_phrases
from mettrack.language.models import LanguagePhrase
from mettrack.notes.models import CaseNote
from mettrack.reference import data as reference_data
from mettrack.reference.models import ReferenceItem
from tests import factories
from tests.conftest import post_form


@pytest.fixture(autouse=True)
def _lists(app_ctx):
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    reference_data.seed_defaults()
    language_phrases.seed_defaults()
    db.session.commit()


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _item(kind: ReferenceKind, code: str) -> ReferenceItem:
    db.session.expire_all()
    return db.session.scalar(
        select(ReferenceItem).where(ReferenceItem.kind == kind.value, ReferenceItem.code == code)
    )


def _sign_in_as(client, auth, role) -> int:
    if client.get("/").status_code == 200:
        auth.logout()
    return auth.as_role(role)


# --- the language list


def test_a_phrase_the_admin_adds_is_then_flagged_in_a_note(client, auth):
    auth.as_role(Role.ADMIN)
    page = "/admin/phrases/new"
    response = post_form(
        client,
        page,
        {"phrase": "Risky lifestyle", "suggestion": "being exploited", "why": "blames the child"},
        page=page,
    )
    assert response.status_code == 302
    assert "Risky lifestyle" in _text(client.get("/admin/phrases"))

    lead_id = _sign_in_as(client, auth, Role.LEAD_PROFESSIONAL)
    case = factories.case(lead=db.session.get(User, lead_id))
    note_page = f"/cases/{case.id}/notes/new"
    response = post_form(
        client, note_page, {"body": "Mum worries about her risky lifestyles."}, page=note_page
    )

    assert response.status_code == 200
    text = _text(response)
    assert "You wrote “risky lifestyles”" in text and "being exploited" in text
    assert db.session.scalar(select(func.count()).select_from(CaseNote)) == 0


def test_a_deactivated_phrase_is_no_longer_flagged(client, auth):
    auth.as_role(Role.ADMIN)
    entry = db.session.scalar(select(LanguagePhrase).where(LanguagePhrase.phrase == "streetwise"))
    response = post_form(client, f"/admin/phrases/{entry.id}/deactivate", page="/admin/phrases")
    assert response.status_code == 302
    assert "no longer checked for" in _text(client.get("/admin/phrases"))

    lead_id = _sign_in_as(client, auth, Role.LEAD_PROFESSIONAL)
    case = factories.case(lead=db.session.get(User, lead_id))
    note_page = f"/cases/{case.id}/notes/new"
    response = post_form(client, note_page, {"body": "Teachers call him streetwise."}, page=note_page)

    assert response.status_code == 302


def test_a_duplicate_or_blank_phrase_is_an_error_naming_the_field(client, auth):
    auth.as_role(Role.ADMIN)
    page = "/admin/phrases/new"

    response = post_form(client, page, {"phrase": "PROMISCUOUS", "suggestion": ""}, page=page)

    assert response.status_code == 400
    text = _text(response)
    assert "There is a problem" in text
    assert 'href="#phrase"' in text and "already in the list" in text
    assert 'href="#suggestion"' in text and "Enter the suggested wording" in text
    assert 'value="PROMISCUOUS"' in text


def test_edit_a_phrase(client, auth):
    auth.as_role(Role.ADMIN)
    entry = db.session.scalar(select(LanguagePhrase).where(LanguagePhrase.phrase == "money mule"))
    page = f"/admin/phrases/{entry.id}/edit"
    assert 'value="money mule"' in _text(client.get(page))

    response = post_form(client, page, {"phrase": "money mule", "suggestion": "a child exploited"}, page=page)

    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.suggestion == "a child exploited"
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "language_phrase.updated"))
    assert json.loads(audit.detail) == {"fields": ["suggestion"]}


def test_the_starting_list_can_be_added_when_phrases_are_missing(client, auth):
    auth.as_role(Role.ADMIN)
    db.session.query(LanguagePhrase).filter(LanguagePhrase.phrase == "consensual").delete()
    db.session.commit()
    assert "1 phrase of the starting list" in _text(client.get("/admin/phrases"))

    response = post_form(client, "/admin/phrases/defaults", page="/admin/phrases")

    assert response.status_code == 302
    assert "1 phrase from the starting list added" in _text(client.get("/admin/phrases"))


# --- reference data


def test_a_deactivated_tier_and_team_are_no_longer_offered_in_the_police_tier_form(client, auth):
    auth.as_role(Role.MET_CHAIR)
    case = factories.case(state=CaseState.MET_REVIEW)  # a chair does not lead cases
    move_form = f"/cases/{case.id}/moves/set_police_tier"
    before = _text(client.get(move_form))
    assert 'value="medium"' in before and 'value="npt_north"' in before

    _sign_in_as(client, auth, Role.ADMIN)
    for code, kind in (("medium", ReferenceKind.POLICE_TIER), ("npt_north", ReferenceKind.POLICE_TEAM)):
        item = _item(kind, code)
        response = post_form(client, f"/admin/reference/items/{item.id}/deactivate", page="/admin/reference")
        assert response.status_code == 302
    assert "Deactivated" in _text(client.get("/admin/reference"))

    _sign_in_as(client, auth, Role.MET_CHAIR)
    after = _text(client.get(move_form))
    assert 'value="medium"' not in after and 'value="npt_north"' not in after
    assert 'value="high"' in after and 'value="hants_met_team"' in after


def test_admin_adds_a_team_and_it_is_offered(client, auth):
    auth.as_role(Role.ADMIN)
    page = "/admin/reference/police_team/new"
    assert "Police tier" in _text(client.get(page))

    response = post_form(
        client,
        page,
        {"code": "npt_east", "label": "Neighbourhood Team (East)", "parent_code": "medium"},
        page=page,
    )

    assert response.status_code == 302
    item = _item(ReferenceKind.POLICE_TEAM, "npt_east")
    assert item.active and item.parent_code == "medium"
    assert "Neighbourhood Team (East)" in _text(client.get("/admin/reference"))


def test_a_bad_item_is_an_error_naming_the_fields(client, auth):
    auth.as_role(Role.ADMIN)
    page = "/admin/reference/police_team/new"

    response = post_form(
        client, page, {"code": "Hants MET Team", "label": "", "sort_order": "soon"}, page=page
    )

    assert response.status_code == 400
    text = _text(response)
    for field in ("code", "label", "parent_code", "sort_order"):
        assert f'href="#{field}"' in text
    assert "lower-case letters" in text and "Enter the label" in text


def test_unknown_list_or_item_is_404(client, auth):
    auth.as_role(Role.ADMIN)

    assert client.get("/admin/reference/colours/new").status_code == 404
    assert client.get("/admin/reference/items/999999/edit").status_code == 404


def test_a_used_code_is_shown_but_cannot_be_changed(client, auth):
    auth.as_role(Role.ADMIN)
    case = factories.case(lead=None)
    db.session.get(Case, case.id).closure_reason = "turned_18"
    db.session.commit()
    item = _item(ReferenceKind.EXIT_REASON, "turned_18")
    page = f"/admin/reference/items/{item.id}/edit"

    text = _text(client.get(page))
    assert "It cannot be changed" in text and 'name="code"' not in text

    response = post_form(client, page, {"code": "eighteen", "label": "Reached 18"}, page=page)
    assert response.status_code == 302
    item = _item(ReferenceKind.EXIT_REASON, "turned_18")
    assert item.label == "Reached 18"


def test_admin_navigation_links_the_lists_and_others_do_not_see_them(client, auth):
    auth.as_role(Role.ADMIN)
    home = _text(client.get("/"))
    assert 'href="/admin/reference"' in home and 'href="/admin/phrases"' in home

    _sign_in_as(client, auth, Role.MET_CHAIR)
    home = _text(client.get("/"))
    assert 'href="/admin/reference"' not in home
    assert client.get("/admin/reference").status_code == 403
    assert client.get("/admin/phrases").status_code == 403
