"""The API schemas of language (fields, requests, responses)."""

from marshmallow import Schema, fields

from mettrack.api.problems import ProblemSchema


# Types here; mettrack/notes/case_notes.py checks the note (required, length) and names
# the field, so pages and scripts get the same messages.
class LanguageFindingSchema(Schema):
    text = fields.String(required=True, metadata={"description": "The phrase as written in the text."})
    start = fields.Integer(required=True, metadata={"description": "Where it starts in the text (0-based)."})
    end = fields.Integer(required=True, metadata={"description": "Where it ends (exclusive)."})
    phrase = fields.String(
        required=True, metadata={"description": "The entry of the language list it matched."}
    )
    suggestion = fields.String(required=True, metadata={"description": "Better wording."})
    why = fields.String(required=True, metadata={"description": "Why it matters."})


class FlaggedFindingSchema(LanguageFindingSchema):
    field = fields.String(
        required=True, metadata={"description": "The field of the request the phrase is in."}
    )


class LanguageProblemSchema(ProblemSchema):
    """A 422 problem; when the language check flagged wording (save_anyway false),
    `findings` lists each phrase with a better one."""

    findings = fields.List(
        fields.Nested(FlaggedFindingSchema),
        metadata={
            "description": "Only when the language check flagged wording: each phrase as written, "
            "the field it is in, the list entry it matched and the suggested wording. Nothing was saved."
        },
    )


class LanguageCheckRequestSchema(Schema):
    text = fields.String(required=True, metadata={"description": "Up to 20,000 characters."})


class LanguageCheckResultSchema(Schema):
    findings = fields.List(
        fields.Nested(LanguageFindingSchema),
        required=True,
        metadata={"description": "In the order they occur; empty when the text reads well."},
    )
