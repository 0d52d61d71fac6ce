"""marshmallow schemas of the API's resources: the fields a partner's script can rely on.

Only the fields listed here leave the system through the API; adding one is a decision
about what partners see, not a side effect of a model change."""

from datetime import UTC

from marshmallow import Schema, ValidationError, fields
from marshmallow.validate import OneOf


def listed(choice_set) -> str:
    """The codes of an enumeration as a field description names them, built from its one
    definition in core/choices.py, so the documentation cannot fall behind it."""
    return ", ".join(member.value for member in choice_set)


DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
# Far beyond any real list; it keeps the row offset within what the database takes.
MAX_PAGE = 1_000_000


def save_anyway_field() -> fields.Boolean:
    """The confirmation a request sends to save text the language check flags."""
    return fields.Boolean(
        load_default=False,
        metadata={
            "description": "Save even if the language check flags phrases in the free text (what was "
            "flagged is recorded in the audit log, by list entry, never the text). False: text with "
            "findings is not saved and the 422 problem lists them in `findings`."
        },
    )


class UTCDateTime(fields.DateTime):
    """ISO 8601 in UTC (`2026-03-01T09:30:00+00:00`), whatever zone the value is in."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.astimezone(UTC).isoformat()


class UserRefSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class _Computed:
    """A field whose value a function of the object gives (documented with the type of
    the field class it is mixed into)."""

    def __init__(self, function, **kwargs):
        super().__init__(**kwargs)
        self.function = function

    def serialize(self, attr, obj, accessor=None, **kwargs):
        return self.function(obj)


class ComputedBoolean(_Computed, fields.Boolean):
    pass


class ComputedStrings(_Computed, fields.List):
    def __init__(self, function, **kwargs):
        super().__init__(function, cls_or_instance=fields.String(), **kwargs)


def _choices(name: str, choices):
    """Validates a whole list (so that the error names the field, not "field.0"); the
    items' enum is documented on the item field (_item)."""
    choices = list(choices)

    def validate(values) -> None:
        if any(value not in choices for value in values):
            raise ValidationError(f"Choose each {name} from: {', '.join(choices)}")

    return validate


def _item(choices) -> fields.String:
    return fields.String(metadata={"enum": list(choices)})


class AwareDateTime(fields.AwareDateTime):
    """An ISO 8601 timestamp with its offset (`2026-03-01T09:30:00+00:00`); given back in UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.astimezone(UTC).isoformat()


def _codes(enum, description: str):
    return fields.List(
        fields.String(validate=OneOf(enum.values())),
        required=True,
        metadata={"description": description},
    )
