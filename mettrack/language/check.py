"""The language check before a save: warn, never block (docs/notes.md, DESIGN.md "Language").

Every use case that saves free text a practitioner writes about a child (a note, the
reason for a case move, a screening's notes, a risk assessment's rationale and reasons,
what a Return Home Interview learnt ...) calls `check_before_saving` with the texts it is
about to save, after its own validation and before it writes anything:

- no phrase of the language list found: it returns {} and the save goes ahead;
- phrases found and the writer has not confirmed (`save_anyway` false): it rolls back
  and raises WordingFlagged, naming each field with its findings. Nothing is saved: pages
  show the form again with the findings and a "Save anyway" button, the API answers 422
  with them (mettrack/api/problems.py);
- phrases found and `save_anyway` true: it returns the findings, and the caller merges
  `audit_detail(findings)` into the audit row of the save. That row names the list
  entries flagged, field by field, never the text written (no personal data in the log).

The check warns: a professional may need to record what someone else said.
"""

from collections.abc import Mapping

from mettrack.core.errors import ValidationError
from mettrack.language.phrases import active_phrases, finding_dict
from mettrack.language.rules import Finding, check


def findings_message(findings: list[Finding]) -> str:
    """What a script is told about one field's findings (the API's `errors`)."""
    listed = "; ".join(f"“{f.text}”: consider “{f.suggestion}”" for f in findings)
    count = len(findings)
    return (
        f"The language check flagged {count} phrase{'s' if count != 1 else ''} ({listed}). "
        "Reword it, or send it again with save_anyway: true to save it as written."
    )


class WordingFlagged(ValidationError):
    """The language check found phrases in texts about to be saved and the writer has not
    confirmed: nothing was saved. `findings` maps each field to its findings, in the
    order of the form; `labels` maps a field to the name the form gives it."""

    detail = (
        "Nothing was saved: the language check flagged wording that can blame the child. "
        "`errors` names each field and `findings` lists each phrase with a better one. Reword "
        "it, or send the same request with save_anyway: true to save it as written."
    )

    def __init__(self, findings: Mapping[str, list[Finding]], labels: Mapping[str, str] | None = None):
        self.findings = dict(findings)
        self.labels = dict(labels or {})
        super().__init__({field: findings_message(found) for field, found in self.findings.items()})

    def label(self, field: str) -> str:
        return self.labels.get(field, field)

    @property
    def count(self) -> int:
        return sum(len(found) for found in self.findings.values())

    def finding_dicts(self) -> list[dict]:
        """Every finding with the field it is in, as the API gives them."""
        return [{"field": field, **finding_dict(f)} for field, found in self.findings.items() for f in found]

    def problem_members(self) -> dict:
        return {"findings": self.finding_dicts()}


def flagged_in(texts: Mapping[str, str | None]) -> dict[str, list[Finding]]:
    """The active phrases found in each text (fields with none left out)."""
    given = {field: text for field, text in texts.items() if isinstance(text, str) and text.strip()}
    if not given:
        return {}
    phrases = active_phrases()  # one read of the list for all the fields
    found = {field: check(text, phrases) for field, text in given.items()}
    return {field: items for field, items in found.items() if items}


def check_before_saving(
    texts: Mapping[str, str | None], *, save_anyway: bool, labels: Mapping[str, str] | None = None
) -> dict[str, list[Finding]]:
    """Who: a use case about to save `texts` (field -> text; blank or None is skipped).
    Raises WordingFlagged, after rolling back (so a row lock the caller took is let go),
    when the language check finds phrases and `save_anyway` is false. Otherwise returns
    what it found (empty when the texts read well): pass it to `audit_detail`."""
    found = flagged_in(texts)
    if found and not save_anyway:
        raise WordingFlagged(found, labels)
    return found


def audit_detail(found: Mapping[str, list[Finding]]) -> dict:
    """What the audit row of a save records about the check: nothing when the texts read
    well; otherwise that it was saved anyway and, field by field, the entries of the
    language list that were flagged (the list's own words: never what was written)."""
    found = {field: items for field, items in found.items() if items}
    if not found:
        return {}
    flagged: dict[str, list[str]] = {}
    for field, items in found.items():
        phrases = flagged.setdefault(field, [])
        for finding in items:
            if finding.phrase not in phrases:
                phrases.append(finding.phrase)
    return {"saved_anyway": True, "language_flagged": flagged}
