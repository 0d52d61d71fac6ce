"""How the API documents the language check on a request that saves free text about a
child (mettrack/language/check.py; the problem itself: mettrack/api/problems.py)."""

from mettrack.api.problems import MEDIA_TYPE
from mettrack.language.schemas import LanguageProblemSchema

LANGUAGE_422 = (
    "Nothing was saved. Bad input: `errors` names each field. Or the language check flagged "
    "wording that can blame the child in a free-text field and `save_anyway` was false: "
    "`errors` names the field and `findings` lists each phrase as written, with the suggested "
    "wording and why. Reword it, or send the same request with `save_anyway: true` to save it "
    "as written (the audit log then records which list entries were flagged, never the text)."
)


def documents_language_check(blp):
    """The 422 answer of an operation whose free text the language check reads."""
    return blp.alt_response(
        422, schema=LanguageProblemSchema, content_type=MEDIA_TYPE, description=LANGUAGE_422
    )
