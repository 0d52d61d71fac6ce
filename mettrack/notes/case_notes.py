"""Case notes, checked for victim-blaming language before they are saved.

A note is a permanent record: append-only, never changed or deleted (a correction is a
new note). Before a note is saved its text runs through the language check
(language/check.py, as every free text written about a child does). If the
check finds phrases and the writer has not confirmed, nothing is saved and the findings
come back, each with its suggestion and why, so the writer can edit the note or save it
anyway: the check warns, it never blocks.
A note saved anyway records what was flagged (CaseNote.flagged_phrases).

Who: reading needs case.view, writing note.write (any case worker); always on a case
within the user's need-to-know (reached through cases.get_for or the same scope). Every
read and write is audited, naming notes by id, never quoting them.
"""

import json
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from mettrack.accounts.models import User
from mettrack.cases import get_for, record_visible
from mettrack.cases.models import Case
from mettrack.core import audit
from mettrack.core.clock import now
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, can, deny_record, deny_role
from mettrack.core.unit_of_work import transaction
from mettrack.language import WordingFlagged, audit_detail, check_before_saving, finding_dict
from mettrack.language.rules import Finding
from mettrack.notes.models import CaseNote

MAX_BODY = 10_000  # characters of one note
SECTION_SIZE = 5  # notes shown on the case page; the rest on the notes page


@dataclass
class NoteOutcome:
    """What add_note did: `note` is the saved note, or None when the language check found
    phrases the writer has not yet confirmed (`findings`)."""

    note: CaseNote | None
    findings: list[Finding] = field(default_factory=list)
    case: Case | None = None

    @property
    def saved(self) -> bool:
        return self.note is not None


def flagged(note: CaseNote) -> list[dict]:
    """What the language check flagged when the note was saved anyway (may be empty)."""
    try:
        value = json.loads(note.flagged_phrases or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def flagged_phrases(note: CaseNote) -> list[str]:
    """The flagged phrases as written in the note, in order, each once."""
    seen: list[str] = []
    for item in flagged(note):
        text = item.get("text") if isinstance(item, dict) else None
        if text and text not in seen:
            seen.append(text)
    return seen


# --- reading


def _notes_of(case_id: int, limit: int | None = None) -> list[CaseNote]:
    query = (
        select(CaseNote)
        .where(CaseNote.case_id == case_id)
        .options(selectinload(CaseNote.author).selectinload(User.agency))
        .order_by(CaseNote.written_at.desc(), CaseNote.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def count_for_case(case: Case) -> int:
    """How many notes the case has (no audit: a number, not a record)."""
    return db.session.scalar(select(func.count()).select_from(CaseNote).where(CaseNote.case_id == case.id))


def newest_of(case: Case, limit: int) -> list[CaseNote]:
    """The case's newest notes, unaudited: for a caller that audits what it shows (the
    case page, mettrack/cases/page.py)."""
    return _notes_of(case.id, limit)


@transaction
def notes_for_case(user, case: Case) -> list[CaseNote]:
    """Who: case.view, for a case already fetched through cases.get_for (the notes page).
    The case's notes, newest first. Audited as notes.listed with the
    ids shown."""
    # The case page shows a coordinator off the team only the case summary: no notes.
    if not can(user, Perm.CASE_VIEW) or not record_visible(case, user):
        raise deny_record("case", case.id, "notes.listed")
    notes = _notes_of(case.id, None)
    audit.record("notes.listed", "case", case.id, detail={"ids": [n.id for n in notes]}, actor=user)
    return notes


@transaction
def list_for(user, case_id: int) -> tuple[Case, list[CaseNote]]:
    """Who: case.view, on a case within need-to-know (else NotFound, audited). The case
    and all its notes, newest first. Audited."""
    case = get_for(user, case_id, action="notes.list")
    return case, notes_for_case(user, case)


# --- writing


def _body(value, errors: dict) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors["body"] = "Enter the note"
        return None
    if not isinstance(value, str):
        errors["body"] = "The note must be text"
        return None
    # Keep the writer's line breaks; trim only the ends.
    text = value.replace("\r\n", "\n").strip()
    if len(text) > MAX_BODY:
        errors["body"] = f"The note must be {MAX_BODY} characters or fewer (it has {len(text)})"
        return None
    return text


@transaction
def add_note(user, case_id: int, body, *, save_anyway: bool = False) -> NoteOutcome:
    """Who: note.write, on a case within need-to-know (else NotFound, audited).

    `body` is required (at most MAX_BODY characters). The language check runs first:
    with findings and `save_anyway` false nothing is saved and the findings are returned;
    otherwise the note is saved with what was flagged (empty when the text is clean).
    Audited as note.added (ids and counts, never the text)."""
    if not can(user, Perm.NOTE_WRITE):
        raise deny_role("case", case_id, "note.added")
    case = get_for(user, case_id, action="note.add")
    errors: dict[str, str] = {}
    text = _body(body, errors)
    if not isinstance(save_anyway, bool):
        errors["save_anyway"] = "Answer true or false"
    if errors:
        raise ValidationError(errors)
    try:
        findings = check_before_saving({"body": text}, save_anyway=save_anyway).get("body", [])
    except WordingFlagged as flagged:
        return NoteOutcome(None, flagged.findings["body"], case)
    note = CaseNote(
        case_id=case.id,
        author_id=user.id,
        written_at=now(),
        body=text,
        flagged_phrases=json.dumps([finding_dict(f) for f in findings]),
    )
    db.session.add(note)
    db.session.flush()
    audit.record(
        "note.added",
        "case_note",
        note.id,
        detail={
            "case_id": case.id,
            "flagged": len(findings),
            "saved_anyway": bool(findings),
            **audit_detail({"body": findings}),
        },
        actor=user,
    )
    return NoteOutcome(note, findings, case)
