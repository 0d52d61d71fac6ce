"""The language list for administrators: the phrases the language check flags in every
free-text field it reads (rules.CHECKED_FIELDS, listed on the page), each with its
suggested wording and why (language/phrases.py). Add, change, deactivate and reactivate;
add the starting list's phrases when setting up. The generic admin list pages
(reference/list_pages.py); the service checks and audits each change.
"""

from flask import Blueprint, url_for

from mettrack.language import phrases as service
from mettrack.language.rules import CHECKED_FIELDS
from mettrack.reference import AdminList, Column, FormField, Section, register

bp = Blueprint("phrases_admin", __name__, url_prefix="/admin/phrases")


def _sections() -> list[Section]:
    phrases = service.list_all()
    return [Section(rows=phrases, caption="Phrases the language check looks for")] if phrases else []


COLUMNS = [
    Column("Phrase", lambda e: e.phrase),
    Column("Suggested wording", lambda e: e.suggestion),
    Column("Why", lambda e: e.why or "", classes="govuk-body-s"),
]

SPEC = AdminList(
    title="Language list",
    id_arg="phrase_id",
    item_rule="/<int:phrase_id>",
    anchor="phrase",
    intro="phrases_admin/_intro.html",
    sections=_sections,
    columns=lambda section: COLUMNS,
    status_text="Checked",
    name_of=lambda e: e.phrase,
    empty="The list is empty: nothing is checked until phrases are added.",
    fields=(
        FormField(
            "phrase",
            "Phrase to flag",
            spellcheck=False,
            hint="Write it once, in one of its forms: the check also finds the others, in any letter case, "
            "as whole words.",
        ),
        FormField(
            "suggestion",
            "Suggested wording",
            hint="What to write instead. Separate alternatives with a semicolon.",
        ),
        FormField(
            "why",
            "Why it matters (optional)",
            widget="textarea",
            rows=3,
            hint="Shown to the writer beside the suggestion.",
        ),
    ),
    heading=lambda c: "Change the phrase" if c["row"] else "Add a phrase",
    back_text="Back to the language list",
    back_url=lambda c: url_for("phrases_admin.index"),
    submit="Save the phrase",
    get=service.get,
    add=service.add_phrase,
    update=service.update_phrase,
    set_active=service.set_active,
    values_of=lambda e: {"phrase": e.phrase, "suggestion": e.suggestion, "why": e.why or ""},
    added=lambda e: f"“{e.phrase}” has been added: what is written is checked for it from now on.",
    changed="The phrase has been changed.",
    deactivated=lambda e: (
        f"“{e.phrase}” is no longer checked for. Records already saved keep what was flagged."
    ),
    reactivated=lambda e: f"“{e.phrase}” is checked for again.",
    defaults=service.add_starting_list,
    defaults_added=lambda n: f"{n} phrase{'s' if n != 1 else ''} from the starting list added.",
    page_values=lambda: {"missing_defaults": service.missing_defaults(), "checked_fields": CHECKED_FIELDS},
)
register(bp, SPEC)
