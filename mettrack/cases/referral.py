"""The referral to Children's Services (MASH) after the move: recording its MASH reference
and outcome when they come back (docs/cases.md, "The referral and its outcome").

The refer move (cases/transitions.py) records the referral with its MASH reference
and, if already known, its outcome. The outcome usually comes back from the MASH days
later: `record_outcome` records it, or corrects the MASH reference, without moving the
case. The outcome is free text (the model keeps no list of outcomes: what the MASH
decides, in its words), checked by the language check like every text about the child.

Who: the roles that may refer (Perm.REFERRAL_RECORD: the MET chair and lead
professionals; 403 otherwise, audited), on a case within their need-to-know (404
otherwise, audited). The case must have been referred (a referral or a reopening) and
be open. The order of the checks follows cases/transitions.py: the role, the
need-to-know, the version the user read (Conflict, nothing saved), then the fields
(ValidationError naming each, nothing saved).

A change writes the case's referral fields, who recorded the outcome and when, a
CaseEvent on the timeline (action `referral.outcome_recorded`, from_state == to_state:
not a move) and an audit row naming the fields changed, never their values.
"""

from collections.abc import Mapping

from sqlalchemy.orm.exc import StaleDataError

from mettrack.cases.lock import locked_case
from mettrack.cases.models import Case
from mettrack.cases.queries import get_for
from mettrack.cases.scopes import case_scope
from mettrack.cases.team import require
from mettrack.cases.transitions import MAX_MASH_REFERENCE, MAX_REASON
from mettrack.core import audit, choices
from mettrack.core.choices import CaseEventKind, CaseState
from mettrack.core.clock import now
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_text, parse_version
from mettrack.core.permissions import Perm, can
from mettrack.core.unit_of_work import transaction
from mettrack.language import audit_detail, check_before_saving

ACTION = "case.referral_recorded"
REFERRAL_EVENTS = choices.REFERRAL_EVENTS  # the timeline shows their reason, not a move
FIELDS = ("mash_reference", "referral_outcome")
LABELS = {"mash_reference": "MASH reference", "referral_outcome": "Outcome of the referral"}
CHECKED_TEXT = {"referral_outcome": LABELS["referral_outcome"]}  # a reference is not wording

NOT_REFERRED = (
    "This case has not been referred to Children's Services: refer it first "
    "(Refer to Children's Services, on the case page)"
)
CLOSED = "This case is closed: its referral can no longer be changed"


def refusal_for(case: Case) -> str | None:
    """Why the referral of this case cannot be recorded now, or None."""
    if not case.is_open:
        return CLOSED
    # By its state, not its referral date: every open state after `screened` is reached
    # by a referral (or a reopening, which is one), and cases loaded from elsewhere (the
    # demo data) may carry the state without the date.
    if case.state == CaseState.SCREENED:
        return NOT_REFERRED
    return None


def may_record(user, case: Case) -> bool:
    """Whether the case page offers the form: the user's roles allow it and the case has
    been referred and is open (need-to-know: the case page was reached through it)."""
    return can(user, Perm.REFERRAL_RECORD) and refusal_for(case) is None


def referral_for(user, case_id: int) -> Case:
    """Who: any role with case.view, on a case within need-to-know (NotFound otherwise,
    audited). The case, for its referral fields. Audited as case.referral_viewed."""
    return get_for(user, case_id, action="case.referral_viewed")


def case_to_record(user, case_id: int) -> Case:
    """Who: the form. The case, if the user's roles allow recording a referral's outcome
    (NotAllowed otherwise) and it is within their need-to-know (NotFound otherwise); both
    refusals audited. Audited as case.referral_form_viewed."""
    require(user, Perm.REFERRAL_RECORD, "case.referral_form_viewed")
    return get_for(user, case_id, action="case.referral_form_viewed")


@transaction
def record_outcome(user, case_id: int, data: Mapping, expected_version, *, save_anyway: bool = False) -> Case:
    """Who: the MET chair or a lead professional (NotAllowed otherwise, audited), on a case
    within need-to-know (NotFound otherwise, audited) that has been referred and is open.

    `data`: `mash_reference` (required, up to 60 characters) and `referral_outcome`
    (required, up to 2,000 characters: what the MASH decided). `expected_version`: the
    case version the user read (Conflict when it changed; nothing saved).

    Raises ValidationError naming each bad field (`case` when the case cannot take it),
    WordingFlagged when the language check flags a changed outcome and `save_anyway` is
    false (nothing saved). Saved anyway, the audit row names the list entries flagged.
    Audited as case.referral_recorded with the fields changed."""
    require(user, Perm.REFERRAL_RECORD, ACTION)
    case = locked_case(case_id, case_scope(user), ACTION)
    version = parse_version(expected_version)
    if case.version != version:
        raise Conflict(f"case {case_id} is at version {case.version}, not {version}")

    errors: dict[str, str] = {}
    refusal = refusal_for(case)
    if refusal:
        errors["case"] = refusal
    values = {
        "mash_reference": parse_text(
            data, "mash_reference", "The MASH reference", errors, max_length=MAX_MASH_REFERENCE, required=True
        ),
        "referral_outcome": parse_text(
            data,
            "referral_outcome",
            "The outcome of the referral",
            errors,
            max_length=MAX_REASON,
            required=True,
        ),
    }
    if errors:
        raise ValidationError(errors)

    changed = [name for name in FIELDS if getattr(case, name) != values[name]]
    # Wording already on the case was checked when it was saved; only a new outcome is.
    flagged = check_before_saving(
        {name: values[name] for name in CHECKED_TEXT if name in changed},
        save_anyway=save_anyway,
        labels=CHECKED_TEXT,
    )
    if changed:
        for name in changed:
            setattr(case, name, values[name])
        if "referral_outcome" in changed:
            case.referral_outcome_recorded_at = now()
            case.referral_outcome_recorded_by_id = user.id
        case.note_event(
            user,
            CaseEventKind.REFERRAL_OUTCOME_RECORDED,
            f"Outcome of the referral (MASH reference {values['mash_reference']}): "
            f"{values['referral_outcome']}",
        )
    audit.record(ACTION, "case", case.id, detail={"changed": changed, **audit_detail(flagged)}, actor=user)
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(f"case {case_id} changed while its referral was being recorded") from None
    return case
