"""ChoiceSet: an enumeration whose members carry their label (and, where a page shows them
as a tag, their GOV.UK tag colour), so that models, forms, API schemas and filters read
one definition (NetBox's utilities/choices.py is the model).

    class CaseState(ChoiceSet):
        SCREENED = "screened", "Screened", "grey"

`CaseState.SCREENED == "screened"`, `.label == "Screened"`, `.colour == "grey"`.
"""

from enum import StrEnum


class ChoiceSet(StrEnum):
    label: str
    colour: str | None

    def __new__(cls, value: str, label: str | None = None, colour: str | None = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label if label is not None else value
        member.colour = colour
        return member

    @classmethod
    def values(cls) -> list[str]:
        """The stored codes, in the order of definition (what an API schema accepts)."""
        return [member.value for member in cls]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(code, label) pairs, in the order of definition (what a form offers)."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Each code's label, for a template that shows a stored code."""
        return dict(cls.choices())
