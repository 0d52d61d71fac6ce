"""/api/v1/cases/{case_id}/notes (case notes) and /api/v1/language-check.

A note is checked for victim-blaming language before it is saved (docs/notes.md). With
findings and `save_anyway` false nothing is saved: the answer is a 422 problem whose
`errors` names `body` and whose `findings` member lists each phrase as written, with its
suggestion and why (mettrack/api/problems.py, as for every free text checked). Send the
note again with `save_anyway: true` to save it as written; what was flagged is recorded
with the note. The check warns, it never blocks.
"""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import CASE_ID, ApiBlueprint
from mettrack.core.permissions import Perm, requires
from mettrack.language import (
    LanguageCheckRequestSchema,
    LanguageCheckResultSchema,
    WordingFlagged,
    check_request,
    documents_language_check,
    finding_dict,
)
from mettrack.notes import case_notes as notes
from mettrack.notes.schemas import NoteCreateSchema, NoteListSchema, NoteSchema

blp = ApiBlueprint("api_notes", __name__, path="/cases", description="Case notes")
language_blp = ApiBlueprint(
    "api_language", __name__, path="/language-check", description="The language check"
)


def _note(note) -> dict:
    return {
        "id": note.id,
        "case_id": note.case_id,
        "body": note.body,
        "author": {"id": note.author.id, "name": note.author.name},
        "author_agency": note.author.agency.name,
        "written_at": note.written_at,
        "flagged_phrases": [
            {"why": "", "start": 0, "end": 0, **item}
            for item in notes.flagged(note)
            if isinstance(item, dict)
        ],
    }


@blp.route(f"/{CASE_ID}/notes")
class CaseNotes(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, NoteListSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int):
        """List a case's notes

        Newest first. Notes are append-only: never changed or deleted. Audited as
        notes.listed with the ids returned.
        """
        _case, items = notes.list_for(current_user, case_id)
        return {"items": [_note(n) for n in items]}

    @requires(Perm.NOTE_WRITE)
    @blp.arguments(NoteCreateSchema, unknown=RAISE)
    @blp.response(201, NoteSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @documents_language_check(blp)
    def post(self, data: dict, case_id: int):
        """Add a note to a case

        `body` is required (up to 10,000 characters). The note is checked against the
        language list first; see the 422 answer. Audited as note.added.
        """
        outcome = notes.add_note(current_user, case_id, data["body"], save_anyway=data["save_anyway"])
        if not outcome.saved:
            raise WordingFlagged({"body": outcome.findings}, {"body": "Note"})
        return _note(outcome.note)


@language_blp.route("", strict_slashes=False)
class LanguageCheck(MethodView):
    @requires(Perm.LANGUAGE_CHECK)
    @language_blp.arguments(LanguageCheckRequestSchema, unknown=RAISE)
    @language_blp.response(200, LanguageCheckResultSchema)
    @language_blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, data: dict):
        """Check a text against the language list

        For partner systems: the phrases of the language list found in `text` (whole
        words, any letter case, the usual word forms), each with its suggested wording
        and why. Nothing is saved; the text is not kept or logged.
        """
        return {"findings": [finding_dict(f) for f in check_request(data)]}
