"""The language check on the notes of peer links and of a case's direct links to places and
persons (intelligence/peers.py, case_links.py): a flagged phrase is refused naming `note`
with nothing saved; saved anyway, the audit row names the list entry flagged, never the
text; a note that reads well is saved at once. On the use cases, the pages and the API."""

import pytest
from sqlalchemy import func, select

from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.intelligence import case_links, peers
from mettrack.intelligence.models import CaseSubjectLink, PeerLink
from mettrack.language import WordingFlagged
from tests.conftest import post_form
from tests.intelligence.cases_world import audit_rows, detail_of, make_world
from tests.wording_scenarios import CLEAN, FLAGGED, PHRASE, WRITTEN, seed_lists

PEER = {"kind": "sibling", "reliability": "confirmed"}
SUBJECT = {"reliability": "likely"}


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


@pytest.fixture
def w(app_ctx):
    seed_lists()
    return make_world()


def _peer(w, note: str) -> dict:
    return {**PEER, "other_case_id": w["b"].id, "note": note}


def _subject(w, note: str) -> dict:
    return {**SUBJECT, "location_id": w["hotel"].id, "note": note}


def test_a_peer_link_note_is_checked_and_saved_anyway_is_audited(w):
    with pytest.raises(WordingFlagged) as flagged:
        peers.add(w["lead"], w["a"].id, _peer(w, FLAGGED))
    assert list(flagged.value.errors) == ["note"] and flagged.value.label("note") == "Note"
    assert _count(PeerLink) == 0 and audit_rows("peer_link.added") == []
    view = peers.add(w["lead"], w["a"].id, _peer(w, FLAGGED), save_anyway=True)
    assert view.note == FLAGGED
    (row,) = audit_rows("peer_link.added")
    detail = detail_of(row)
    assert detail["saved_anyway"] is True and detail["language_flagged"] == {"note": [PHRASE]}
    assert WRITTEN not in row.detail


def test_a_subject_link_note_is_checked_and_saved_anyway_is_audited(w):
    with pytest.raises(WordingFlagged) as flagged:
        case_links.add(w["chair"], w["a"].id, _subject(w, FLAGGED))
    assert list(flagged.value.errors) == ["note"]
    assert _count(CaseSubjectLink) == 0 and audit_rows("case_link.added") == []
    view = case_links.add(w["chair"], w["a"].id, _subject(w, FLAGGED), save_anyway=True)
    assert view.note == FLAGGED
    (row,) = audit_rows("case_link.added")
    detail = detail_of(row)
    assert detail["saved_anyway"] is True and detail["language_flagged"] == {"note": [PHRASE]}
    assert WRITTEN not in row.detail


def test_a_note_that_reads_well_is_saved_at_once_with_nothing_flagged(w):
    peers.add(w["lead"], w["a"].id, _peer(w, CLEAN))
    case_links.add(w["chair"], w["a"].id, _subject(w, CLEAN))
    for action in ("peer_link.added", "case_link.added"):
        (row,) = audit_rows(action)
        assert "language_flagged" not in detail_of(row) and "saved_anyway" not in detail_of(row)


def test_a_bad_field_is_named_before_the_wording_is_checked(w):
    with pytest.raises(ValidationError) as refused:
        peers.add(w["lead"], w["a"].id, {**_peer(w, FLAGGED), "kind": "cousin"})
    assert not isinstance(refused.value, WordingFlagged) and "kind" in refused.value.errors


@pytest.fixture
def page_world(app):
    with app.app_context():
        seed_lists()
        w = make_world()
        return {k: v.id for k, v in w.items() if hasattr(v, "id")} | {
            "lead_email": w["lead"].email,
            "chair_email": w["chair"].email,
        }


def _page_round_trip(app, client, new: str, form: dict, model, action: str):
    flagged = post_form(client, new, form, page=new)
    assert flagged.status_code == 400
    page = flagged.get_data(as_text=True)
    assert "Check the wording" in page and 'name="save_anyway"' in page
    assert "of “Note”" in page and 'href="#note"' in page  # the field is named
    assert WRITTEN in page  # the note is shown again, as written
    with app.app_context():
        assert _count(model) == 0
    saved = post_form(client, new, {**form, "save_anyway": "yes"}, page=new)
    assert saved.status_code == 302
    with app.app_context():
        assert _count(model) == 1
        (row,) = audit_rows(action)
        assert detail_of(row)["language_flagged"] == {"note": [PHRASE]}


def test_the_peer_link_page_offers_save_anyway(app, client, auth, page_world):
    ids = page_world
    auth.login(ids["lead_email"])
    form = {**PEER, "other_case_id": str(ids["b"]), "note": FLAGGED}
    _page_round_trip(app, client, f"/cases/{ids['a']}/peer-links/new", form, PeerLink, "peer_link.added")


def test_the_subject_link_page_offers_save_anyway(app, client, auth, page_world):
    ids = page_world
    auth.login(ids["chair_email"])
    form = {**SUBJECT, "person_id": str(ids["dale"]), "note": FLAGGED}
    _page_round_trip(
        app, client, f"/cases/{ids['a']}/subject-links/new", form, CaseSubjectLink, "case_link.added"
    )


@pytest.fixture
def tokens(app):
    from mettrack.accounts import tokens as api_tokens

    with app.app_context():
        seed_lists()
        w = make_world()
        ids = {k: v.id for k, v in w.items()}
        ids["tokens"] = {who: api_tokens.create_token(w[who], name="t")[1] for who in ("lead", "chair")}
        return ids


@pytest.mark.parametrize(
    ("who", "kind", "body", "model", "action"),
    [
        ("lead", "peer-links", lambda ids: {**PEER, "other_case_id": ids["b"]}, PeerLink, "peer_link.added"),
        (
            "chair",
            "subject-links",
            lambda ids: {**SUBJECT, "person_id": ids["kyle"]},
            CaseSubjectLink,
            "case_link.added",
        ),
    ],
)
def test_the_api_answers_422_naming_the_note_then_saves_anyway(
    app, client, tokens, who, kind, body, model, action
):
    ids = tokens
    path = f"/api/v1/cases/{ids['a']}/{kind}"
    headers = {"Authorization": f"Bearer {ids['tokens'][who]}"}
    flagged = client.post(path, json={**body(ids), "note": FLAGGED}, headers=headers)
    assert flagged.status_code == 422 and flagged.mimetype == "application/problem+json"
    problem = flagged.get_json()
    assert list(problem["errors"]) == ["note"] and "save_anyway" in problem["errors"]["note"]
    [finding] = problem["findings"]
    assert (finding["field"], finding["text"], finding["phrase"]) == ("note", WRITTEN, PHRASE)
    with app.app_context():
        assert _count(model) == 0
    saved = client.post(path, json={**body(ids), "note": FLAGGED, "save_anyway": True}, headers=headers)
    assert saved.status_code == 201, saved.get_json()
    assert saved.get_json()["note"] == FLAGGED
    with app.app_context():
        (row,) = audit_rows(action)
        assert detail_of(row)["saved_anyway"] is True
        assert detail_of(row)["language_flagged"] == {"note": [PHRASE]}


@pytest.mark.parametrize(
    "path", ["/api/v1/cases/{case_id}/peer-links", "/api/v1/cases/{case_id}/subject-links"]
)
def test_the_openapi_document_describes_save_anyway_and_the_language_422(client, tokens, path):
    spec = client.get(
        "/api/v1/openapi.json", headers={"Authorization": f"Bearer {tokens['tokens']['chair']}"}
    ).get_json()
    operation = spec["paths"][path]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    name = schema["$ref"].split("/")[-1]
    save_anyway = spec["components"]["schemas"][name]["properties"]["save_anyway"]
    assert save_anyway["type"] == "boolean" and save_anyway["default"] is False
    answer = operation["responses"]["422"]
    assert "language check" in answer["description"] and "save_anyway" in answer["description"]
