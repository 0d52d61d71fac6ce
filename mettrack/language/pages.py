"""The pages' side of the language check (mettrack/language/check.py): a form
whose wording was flagged comes back with the findings and a "save anyway" box
(templates/_language_check.html); ticked, the next submit saves the wording as written."""

from collections.abc import Mapping

SAVE_ANYWAY = "yes"  # the value of the box (and of the notes form's "Save anyway" button)


def save_anyway_ticked(form: Mapping) -> bool:
    return form.get("save_anyway") == SAVE_ANYWAY
