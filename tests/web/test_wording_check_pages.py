"""The language check on every form that saves free text about a child (besides notes,
tests/web/test_notes.py): flagged wording comes back with its suggestion and a "Save
anyway" button after the form's own (no tick box) and nothing is saved; saved anyway, it
is saved as written and the audit row names the list entry flagged (never the text);
clean wording saves at once."""

import html
import json

import pytest
from sqlalchemy import select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from tests.conftest import post_form
from tests.language.save_anyway import assert_save_anyway_button
from tests.wording_scenarios import CLEAN, FLAGGED, NOW, PHRASE, SCENARIOS, SUGGESTION, WRITTEN, seed_lists


@pytest.fixture(params=list(SCENARIOS))
def scenario(request, auth, app_ctx):
    set_now(NOW)
    seed_lists()
    role, build = SCENARIOS[request.param]
    return build(auth.as_role(role))


def _submit(client, scenario, text: str, **extra):
    return post_form(client, scenario.page, {**scenario.form(text), **extra}, page=scenario.page)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _audit_details(action: str) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        )
    )


def test_flagged_wording_is_shown_again_with_its_suggestion_and_nothing_is_saved(client, scenario):
    response = _submit(client, scenario, FLAGGED)

    assert response.status_code == 200
    page = _text(response)
    assert "Check the wording" in page and "Nothing has been saved yet." in page
    assert f"You wrote “{WRITTEN}”" in page
    assert SUGGESTION in page
    assert f'href="#{scenario.field}"' in page
    assert FLAGGED in page  # kept in its field for editing
    assert_save_anyway_button(page)
    assert scenario.stored() is None
    assert _audit_details(scenario.action)[scenario.audit_before :] == []


def test_save_anyway_saves_as_written_and_the_audit_row_names_the_phrase(client, scenario):
    response = _submit(client, scenario, FLAGGED, save_anyway="yes")

    assert response.status_code == 302, _text(response)
    assert scenario.stored() == FLAGGED
    [detail] = _audit_details(scenario.action)[scenario.audit_before :]
    assert json.loads(detail)["language_flagged"] == {scenario.field: [PHRASE]}
    assert json.loads(detail)["saved_anyway"] is True
    assert WRITTEN not in detail and "park" not in detail  # the list's words, never the text


def test_clean_wording_saves_at_once(client, scenario):
    response = _submit(client, scenario, CLEAN)

    assert response.status_code == 302, _text(response)
    assert scenario.stored() == CLEAN
    [detail] = _audit_details(scenario.action)[scenario.audit_before :]
    assert "language_flagged" not in json.loads(detail)


def test_changed_wording_is_checked_again_and_saves_when_it_reads_well(client, scenario):
    _submit(client, scenario, FLAGGED)

    response = _submit(client, scenario, CLEAN)

    assert response.status_code == 302
    assert scenario.stored() == CLEAN
