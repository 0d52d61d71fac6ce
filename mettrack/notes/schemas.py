"""The API schemas of notes (fields, requests, responses)."""

from marshmallow import Schema, fields

from mettrack.api.schemas import UserRefSchema, UTCDateTime
from mettrack.language import LanguageFindingSchema


class NoteSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    body = fields.String(required=True)
    author = fields.Nested(UserRefSchema, required=True)
    author_agency = fields.String(required=True, metadata={"description": "The author's agency."})
    written_at = UTCDateTime(required=True)
    flagged_phrases = fields.List(
        fields.Nested(LanguageFindingSchema),
        required=True,
        metadata={
            "description": "What the language check flagged when the note was saved anyway; empty if none."
        },
    )


class NoteListSchema(Schema):
    items = fields.List(fields.Nested(NoteSchema), required=True, metadata={"description": "Newest first."})


class NoteCreateSchema(Schema):
    body = fields.String(required=True, metadata={"description": "The note; up to 10,000 characters."})
    save_anyway = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Save even if the language check flags phrases (they are recorded with "
            "the note). False: a note with findings is not saved and 422 lists them."
        },
    )
