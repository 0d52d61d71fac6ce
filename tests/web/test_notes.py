"""Case notes through the pages: the language-check step (each phrase, its suggestion
and why; edit or save anyway), the notes on the case page, errors named, audit rows."""

import html
import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.language import phrases as language_phrases
from mettrack.notes.models import CaseNote
from tests import factories
from tests.conftest import post_form
from tests.language.save_anyway import assert_save_anyway_button

FLAGGED = "Carer reports that she is Putting Herself At Risk by meeting adults in the park."
CLEAN = "Met the child and their carer at home. A safety plan was agreed."


@pytest.fixture
def lead_id(auth, app_ctx):
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    language_phrases.seed_defaults()
    db.session.commit()
    return auth.as_role(Role.LEAD_PROFESSIONAL)


@pytest.fixture
def case(lead_id):
    return factories.case(lead=db.session.get(User, lead_id))


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _words(response) -> str:
    """The page's text as a reader sees it: no tags, single spaces."""
    return " ".join(re.sub(r"<[^>]+>", " ", _text(response)).split())


def _notes() -> list[CaseNote]:
    db.session.expire_all()
    return list(db.session.scalars(select(CaseNote).order_by(CaseNote.id)))


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def _post(client, case, data):
    page = f"/cases/{case.id}/notes/new"
    return post_form(client, page, data, page=page)


def test_clean_note_saves_without_a_warning_and_shows_on_the_case_page(client, case):
    response = _post(client, case, {"body": CLEAN})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}#notes")
    [note] = _notes()
    assert note.body == CLEAN and json.loads(note.flagged_phrases) == []
    page = _text(client.get(f"/cases/{case.id}"))
    assert "The note has been saved." in page
    assert CLEAN in page and "Language flagged" not in page
    assert "cannot be changed or deleted" in page
    assert "note.added" in _actions()


def test_flagged_note_shows_each_phrase_with_its_suggestion_and_saves_nothing(client, case):
    response = _post(client, case, {"body": FLAGGED})

    assert response.status_code == 200
    text = _text(response)
    assert "Check the wording" in text and "has not been saved yet" in text
    assert "You wrote “Putting Herself At Risk”" in text
    assert "may have been groomed; is at increased risk of being exploited" in text
    assert "places responsibility on the child" in text  # why
    assert 'href="#body"' in text and "Edit note" in text
    assert "match every form" not in text  # the matcher's note is not the practitioner's why
    assert_save_anyway_button(text)
    assert FLAGGED in text  # kept in the box for editing
    assert _notes() == []
    assert "note.added" not in _actions()


def test_save_anyway_records_the_flagged_phrases_and_marks_the_note(client, case):
    response = _post(client, case, {"body": FLAGGED, "save_anyway": "yes"})

    assert response.status_code == 302
    [note] = _notes()
    flagged = json.loads(note.flagged_phrases)
    assert [(f["text"], f["phrase"]) for f in flagged] == [
        ("Putting Herself At Risk", "putting themselves at risk")
    ]
    page = _words(client.get(f"/cases/{case.id}"))
    assert "saved with the wording flagged" in page
    assert "Language flagged: “Putting Herself At Risk” (saved as written" in page
    listing = _words(client.get(f"/cases/{case.id}/notes"))
    assert "Language flagged: “Putting Herself At Risk”" in listing


def test_edited_note_is_checked_again(client, case):
    _post(client, case, {"body": FLAGGED})

    response = _post(client, case, {"body": CLEAN})

    assert response.status_code == 302
    assert [n.body for n in _notes()] == [CLEAN]


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Enter the note"), ("   ", "Enter the note"), ("x" * 10_001, "10000 characters or fewer")],
)
def test_bad_note_is_an_error_naming_the_field(client, case, body, message):
    response = _post(client, case, {"body": body})

    assert response.status_code == 400
    text = _text(response)
    assert "There is a problem" in text and message in text
    assert 'href="#body"' in text
    assert _notes() == []


def test_notes_page_lists_newest_first_and_says_notes_are_permanent(client, case, lead_id):
    for day, body in ((1, "First visit."), (5, "Second visit."), (3, "Phone call with school.")):
        db.session.add(
            CaseNote(
                case_id=case.id,
                author_id=lead_id,
                written_at=datetime(2026, 2, day, 12, tzinfo=UTC),
                body=body,
                flagged_phrases="[]",
            )
        )
    db.session.commit()

    text = _text(client.get(f"/cases/{case.id}/notes"))

    assert text.index("Second visit.") < text.index("Phone call with school.") < text.index("First visit.")
    assert "once saved, a note cannot be changed or deleted" in text
    assert "/edit" not in text and "Delete" not in text
    listed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "notes.listed")).all()
    assert json.loads(listed[-1].detail)["ids"] == [2, 3, 1]


def test_case_page_shows_the_newest_notes_and_links_to_all(client, case, lead_id):
    for n in range(7):
        db.session.add(
            CaseNote(
                case_id=case.id,
                author_id=lead_id,
                written_at=datetime(2026, 2, 1 + n, tzinfo=UTC),
                body=f"Visit number {n}.",
                flagged_phrases="[]",
            )
        )
    db.session.commit()

    text = _text(client.get(f"/cases/{case.id}"))

    assert "Visit number 6." in text and "Visit number 2." in text and "Visit number 1." not in text
    assert "All 7 notes" in text
    assert "Add a note" in text


def test_line_breaks_are_kept_and_markup_is_escaped(client, case):
    _post(client, case, {"body": "Line one\nLine <b>two</b>"})

    raw = client.get(f"/cases/{case.id}/notes").get_data(as_text=True)

    assert "Line one<br>Line &lt;b&gt;two&lt;/b&gt;" in raw


def test_a_case_outside_need_to_know_is_404_and_nothing_saved(client, lead_id):
    hidden = factories.case(lead=None)

    assert client.get(f"/cases/{hidden.id}/notes").status_code == 404
    assert _post_hidden(client, hidden).status_code == 404
    assert _notes() == []
    assert "note.add.denied" in _actions()


def _post_hidden(client, hidden):
    return post_form(client, f"/cases/{hidden.id}/notes/new", {"body": CLEAN})


def test_an_analyst_gets_403(client, auth, app_ctx):
    case = factories.case(lead=factories.user())
    auth.as_role(Role.ANALYST)

    assert client.get(f"/cases/{case.id}/notes/new").status_code == 403
    assert post_form(client, f"/cases/{case.id}/notes/new", {"body": CLEAN}).status_code == 403
    assert _notes() == []
