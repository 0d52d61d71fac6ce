"""Case notes: the add-note form with its language-check step, and the notes list.

Thin: mettrack/notes/case_notes.py checks, saves and audits. The form posts the note; if
the language check finds phrases, the same form comes back with each phrase as written,
its suggested wording and why, the text kept for editing, and two buttons: "Check again
and save" (after editing) and "Save anyway" (save_anyway=yes). The case page's "Notes"
section (cases/_notes_section.html) gets its data from mettrack/cases/page.py.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mettrack.cases import get_for
from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, can, requires
from mettrack.language import save_anyway_ticked
from mettrack.notes import case_notes as service

bp = Blueprint("notes", __name__, url_prefix="/cases/<int:case_id>/notes")


@bp.app_context_processor
def _notes_globals():
    return {"note_max_length": service.MAX_BODY}


# A filter, not a context global, so that imported macros (notes/_note.html) can use it.
bp.app_template_filter("note_flagged_phrases")(service.flagged_phrases)


@bp.route("")
@requires(Perm.CASE_VIEW)
def index(case_id: int):
    case, notes = service.list_for(current_user, case_id)
    return render_template(
        "notes/index.html", case=case, notes=notes, may_write=can(current_user, Perm.NOTE_WRITE)
    )


def _form(case, *, body: str = "", errors: dict | None = None, findings=None):
    return render_template(
        "notes/form.html", case=case, body=body, errors=errors or {}, findings=findings or []
    ), (400 if errors else 200)


@bp.route("/new", methods=["GET", "POST"])
@requires(Perm.NOTE_WRITE)
def new(case_id: int):
    if request.method == "GET":
        return _form(get_for(current_user, case_id, action="note.form"))
    body = request.form.get("body", "")
    save_anyway = save_anyway_ticked(request.form)
    try:
        outcome = service.add_note(current_user, case_id, body, save_anyway=save_anyway)
    except ValidationError as e:
        return _form(get_for(current_user, case_id, action="note.form"), body=body, errors=e.errors)
    if not outcome.saved:
        return _form(outcome.case, body=body, findings=outcome.findings)
    flash(
        "The note has been saved with the wording flagged by the language check. It is first under Notes."
        if outcome.findings
        else "The note has been saved. It is first under Notes.",
        "success",
    )
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="notes"))
