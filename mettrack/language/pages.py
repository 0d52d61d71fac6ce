"""The pages' side of the language check (mettrack/language/check.py): a form
whose wording was flagged comes back with the findings and a "Save anyway" button after
its own (templates/_language_check.html, save_anyway_button: the one way every checked
form offers it); pressed, the form saves the wording as written."""

from collections.abc import Mapping

SAVE_ANYWAY = "yes"  # the value the "Save anyway" button sends


def save_anyway_ticked(form: Mapping) -> bool:
    """Whether the form was sent with its "Save anyway" button."""
    return form.get("save_anyway") == SAVE_ANYWAY
