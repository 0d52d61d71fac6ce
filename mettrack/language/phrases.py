"""The language list: victim-blaming phrases, each with a better one and why (DESIGN.md,
"Language"). Reference data: seeded from mettrack/language/data/phrases.csv (the published
guidance on appropriate language in child exploitation) by `flask db upgrade` on a new
database (mettrack/reference/defaults.py), and extended by admins.

The matching itself (word forms, whole words, any letter case) is the pure
mettrack/language/rules.py; this module keeps the list and runs the check against its
active entries. The check warns, it never blocks: callers show the findings and let the
writer save anyway (notes/case_notes.py records what was flagged).

Who: checking a text needs no record (the list holds nothing about any child); the API
asks for language.check. Changing the list needs reference.admin
(Perm.REFERENCE_DATA_ADMIN); every change is audited.
"""

import re
from collections.abc import Mapping

from sqlalchemy import func, select

from mettrack.core.errors import (
    NotAllowed,  # noqa: F401  (what a refusal raises)
    ValidationError,
)
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_text
from mettrack.core.limits import max_length
from mettrack.language.models import LanguagePhrase
from mettrack.language.rules import Finding, Phrase, check, phrase_key
from mettrack.reference import ListRules, add_defaults
from mettrack.reference import add as reference_lists_add
from mettrack.reference import defaults as reference_defaults
from mettrack.reference import get as reference_lists_get
from mettrack.reference import set_active as reference_lists_set_active
from mettrack.reference import update as reference_lists_update

MAX_PHRASE = max_length(LanguagePhrase.phrase)
MAX_SUGGESTION = max_length(LanguagePhrase.suggestion)
MAX_WHY = 2000
MAX_CHECK_TEXT = 20_000  # a text sent to the check on its own (the API)
FIELDS = ("phrase", "suggestion", "why")  # the order the form shows them
DUPLICATE = "This phrase is already in the list (letter case and spacing are ignored)"
_LETTER = re.compile(r"[^\W\d_]")


# --- the check


def active_phrases() -> list[Phrase]:
    """The active entries of the list. Read afresh for each check (a few dozen short rows;
    the compiled patterns are cached in domain.language), so an admin's change applies at
    once on every web node."""
    rows = db.session.execute(
        select(LanguagePhrase.phrase, LanguagePhrase.suggestion, LanguagePhrase.why)
        .where(LanguagePhrase.active)
        .order_by(LanguagePhrase.id)
    )
    return [Phrase(phrase, suggestion, why or "") for phrase, suggestion, why in rows]


def check_text(text: str | None) -> list[Finding]:
    """Who: any caller. The active phrases found in `text`, in the order they occur."""
    if not text:
        return []
    return check(text, active_phrases())


def check_request(data: Mapping) -> list[Finding]:
    """Who: language.check (the API's /language-check, for partner systems). `text` is
    required and at most MAX_CHECK_TEXT characters; nothing is saved or audited, as the
    text is not kept."""
    errors: dict[str, str] = {}
    text = data.get("text")
    if text is None or (isinstance(text, str) and not text.strip()):
        errors["text"] = "Enter the text to check"
    elif not isinstance(text, str):
        errors["text"] = "The text must be a string"
    elif len(text) > MAX_CHECK_TEXT:
        errors["text"] = f"The text must be {MAX_CHECK_TEXT} characters or fewer"
    if errors:
        raise ValidationError(errors)
    return check_text(text)


def finding_dict(finding: Finding) -> dict:
    """A finding as pages, the API and CaseNote.flagged_phrases hold it."""
    return {
        "text": finding.text,
        "start": finding.start,
        "end": finding.end,
        "phrase": finding.phrase,
        "suggestion": finding.suggestion,
        "why": finding.why,
    }


# --- the list


def seed_defaults() -> int:
    """Who: the CLI (`flask demo load`), set-up (`flask db upgrade` adds the same rows),
    and an admin's "add the starting list". Adds each phrase of language/data/phrases.csv
    not in the list yet (compared ignoring case and spacing) and returns how many it added;
    an entry an admin has changed or deactivated is left as it is. Flushes; the caller
    commits."""
    rows = _missing_default_rows()
    db.session.add_all(LanguagePhrase(**row) for row in rows)
    db.session.flush()
    return len(rows)


def _missing_default_rows() -> list[dict]:
    return reference_defaults.missing_rows(
        reference_defaults.language_phrase_rows(),
        reference_defaults.language_phrase_key,
        (phrase_key(p) for p in db.session.scalars(select(LanguagePhrase.phrase))),
    )


def missing_defaults() -> int:
    """How many phrases of the starting list are not in the list (for the admin page)."""
    return len(_missing_default_rows())


def list_all() -> list[LanguagePhrase]:
    """Every entry, active first, then alphabetical (for the admin page)."""
    return list(
        db.session.scalars(
            select(LanguagePhrase).order_by(
                LanguagePhrase.active.desc(), func.lower(LanguagePhrase.phrase), LanguagePhrase.id
            )
        )
    )


def get(phrase_id: int) -> LanguagePhrase:
    """The entry with this id (active or not), or NotFound. Reference data: no audit."""
    return reference_lists_get(RULES, phrase_id)


def _check(data: Mapping, errors: dict, entry: LanguagePhrase | None, fixed: dict) -> dict:
    values: dict = {}
    phrase_id = entry.id if entry is not None else None
    phrase = parse_text(data, "phrase", "The phrase", errors, max_length=MAX_PHRASE, required=True)
    if phrase is not None:
        phrase = " ".join(phrase.split())
        if not _LETTER.search(phrase):
            errors["phrase"] = "The phrase must contain at least one word"
        else:
            key = phrase_key(phrase)
            clash = next(
                (
                    row_id
                    for row_id, text in db.session.execute(select(LanguagePhrase.id, LanguagePhrase.phrase))
                    if phrase_key(text) == key and row_id != phrase_id
                ),
                None,
            )
            if clash is not None:
                errors["phrase"] = DUPLICATE
            else:
                values["phrase"] = phrase
    suggestion = parse_text(
        data, "suggestion", "The suggested wording", errors, max_length=MAX_SUGGESTION, required=True
    )
    if suggestion is not None:
        values["suggestion"] = suggestion
    if phrase_id is None or "why" in data:  # a change that leaves `why` out keeps it
        why = parse_text(data, "why", "Why it matters", errors, max_length=MAX_WHY)
        if "why" not in errors:
            values["why"] = why
    return values


RULES = ListRules(
    record_type="language_phrase",
    model=LanguagePhrase,
    fields=FIELDS,
    refusal="Your role does not allow changing the language list",
    check=_check,
    duplicate=lambda entry: {"phrase": DUPLICATE},
    seed=seed_defaults,
)


def add_phrase(user, data: Mapping) -> LanguagePhrase:
    """Who: reference.admin. A new active entry: `phrase` (required, unique ignoring
    letter case and spacing; written in one of its forms, the check finds the others),
    `suggestion` (required) and `why` (optional). Audited."""
    return reference_lists_add(RULES, user, data)


def update_phrase(user, phrase_id: int, data: Mapping) -> LanguagePhrase:
    """Who: reference.admin. Changes the phrase, its suggestion and why. Notes already
    saved keep what was flagged when they were written. Audited."""
    return reference_lists_update(RULES, user, phrase_id, data)


def set_active(user, phrase_id: int, active: bool) -> LanguagePhrase:
    """Who: reference.admin. Deactivates (no longer checked) or reactivates an entry.
    Audited."""
    return reference_lists_set_active(RULES, user, phrase_id, active)


def add_starting_list(user) -> int:
    """Who: reference.admin. Adds the phrases of the starting list that are not in the
    list yet (seed_defaults) and returns how many. Audited."""
    return add_defaults(RULES, user)
