"""What a lead professional brings to a meeting (docs/meetings-agenda.md):

- their short update on a child for one meeting (LeadUpdate), shown on the child's agenda
  item (never in the sanitised copy). Who: the case's lead professional, or a MET chair;
  the case must be on that meeting's draft agenda (not removed). The lead need not be
  invited to the meeting: the update is reached through their own case.
- a proposal that the MET close a case (ClosureProposal), with a reason; the case then
  comes to the next meeting's agenda under "Proposed for closure" until a meeting decides
  it or the proposal is withdrawn. Who: the case's lead professional, or a MET chair.

Both texts go through the language check (save anyway, as notes). Every read and write
is audited; the audit rows never hold the text.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from mettrack.cases import case_scope
from mettrack.cases.models import Case
from mettrack.core import audit
from mettrack.core.choices import AuditOutcome, CaseState, Role
from mettrack.core.clock import now
from mettrack.core.errors import Conflict, NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, deny_record, require
from mettrack.core.unit_of_work import transaction
from mettrack.language import audit_detail, check_before_saving
from mettrack.meetings.models import AgendaItem, ClosureProposal, LeadUpdate, Meeting

MAX_UPDATE = 2000
MAX_REASON = 2000
UPDATE_LABELS = {"text": "Update for the meeting"}
REASON_LABELS = {"reason": "Why the case can close"}
NOT_THE_LEAD = "Only the case's lead professional or a MET chair may do this."


@dataclass
class UpdateForm:
    """What the update page shows: the meeting, the item and the child it is about, and
    the update saved so far (or None)."""

    meeting: Meeting
    item: AgendaItem
    case: Case
    update: LeadUpdate | None


@dataclass
class ClosureForm:
    case: Case
    proposal: ClosureProposal | None  # the open proposal, if any


def _is_chair(user) -> bool:
    return user.has_role(Role.MET_CHAIR)


def _text(data: Mapping, name: str, limit: int, missing: str) -> str:
    value = data.get(name) if hasattr(data, "get") else None
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError({name: missing})
    if len(text) > limit:
        raise ValidationError({name: f"Enter {limit} characters or fewer"})
    return text


# --- the lead professional's update -------------------------------------------------------


def _item_for_contributor(user, meeting_id, item_id, action: str) -> tuple[Meeting, AgendaItem, Case]:
    """The meeting's item and case, if the user leads the case or is a MET chair, and the
    item is on the meeting's draft (not removed); else NotFound, audited."""
    require(user, Perm.MEETING_CONTRIBUTE, action)
    row = None
    if all(isinstance(v, int) and not isinstance(v, bool) for v in (meeting_id, item_id)):
        row = db.session.execute(
            select(AgendaItem, Meeting, Case)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .join(Case, Case.id == AgendaItem.case_id)
            .where(
                AgendaItem.id == item_id, AgendaItem.meeting_id == meeting_id, AgendaItem.removed_at.is_(None)
            )
            # Two saves of the same update at once: the second waits, then replaces.
            .with_for_update(of=AgendaItem)
        ).first()
    if row is None:
        raise deny_record("agenda_item", item_id, action)
    item, meeting, case = row
    if not (_is_chair(user) or case.lead_professional_id == user.id):
        raise deny_record("agenda_item", item_id, action)
    return meeting, item, case


def _update_of(meeting_id: int, case_id: int) -> LeadUpdate | None:
    return db.session.scalar(
        select(LeadUpdate).where(LeadUpdate.meeting_id == meeting_id, LeadUpdate.case_id == case_id)
    )


@transaction
def update_form(user, meeting_id: int, item_id: int) -> UpdateForm:
    """Who: the case's lead professional, or a MET chair. The item and the update saved
    so far. Audited as lead_update.viewed."""
    meeting, item, case = _item_for_contributor(user, meeting_id, item_id, "lead_update.viewed")
    update = _update_of(meeting.id, case.id)
    audit.record(
        "lead_update.viewed",
        "agenda_item",
        item.id,
        detail={"meeting_id": meeting.id, "case_id": case.id, "reason": "meeting"},
        actor=user,
    )
    return UpdateForm(meeting, item, case, update)


@transaction
def save_update(
    user, meeting_id: int, item_id: int, data: Mapping, *, save_anyway: bool = False
) -> LeadUpdate:
    """Who: the case's lead professional, or a MET chair. Save (or replace) the update on
    the child for this meeting: `text`, up to 2,000 characters. Raises ValidationError
    for an empty or long text, WordingFlagged when the language check flags it and
    `save_anyway` is false (nothing saved), Conflict once the meeting is cancelled.
    Audited as lead_update.saved (with the list entries flagged, never the text)."""
    meeting, item, case = _item_for_contributor(user, meeting_id, item_id, "lead_update.saved")
    if meeting.is_cancelled:
        raise Conflict("This meeting was cancelled.")
    text = _text(data, "text", MAX_UPDATE, "Enter your update for the meeting")
    update = _update_of(meeting.id, case.id)
    flagged = {}
    if update is None or update.text != text:
        flagged = check_before_saving({"text": text}, save_anyway=save_anyway, labels=UPDATE_LABELS)
    if update is None:
        update = LeadUpdate(meeting_id=meeting.id, case_id=case.id, author_id=user.id, text=text)
        db.session.add(update)
    else:
        update.text, update.author_id, update.updated_at = text, user.id, now()
    db.session.flush()
    audit.record(
        "lead_update.saved",
        "lead_update",
        update.id,
        detail={"meeting_id": meeting.id, "case_id": case.id, **audit_detail(flagged)},
        actor=user,
    )
    return update


# --- closure proposals --------------------------------------------------------------------


def _case_for_contributor(user, case_id, action: str) -> Case:
    """The case, within the user's need-to-know (NotFound otherwise, audited); NotAllowed
    unless they lead it or are a MET chair."""
    require(user, Perm.MEETING_CONTRIBUTE, action)
    case = None
    if isinstance(case_id, int) and not isinstance(case_id, bool):
        case = db.session.scalar(select(Case).where(Case.id == case_id, case_scope(user)))
    if case is None:
        raise deny_record("case", case_id, action)
    if not (_is_chair(user) or case.lead_professional_id == user.id):
        audit.record_now(
            f"{action}.denied",
            "case",
            case_id,
            detail={"reason": "not the lead"},
            outcome=AuditOutcome.DENIED,
        )
        raise NotAllowed(action, (NOT_THE_LEAD,))
    return case


def _open_proposal(case_id: int) -> ClosureProposal | None:
    return db.session.scalar(
        select(ClosureProposal)
        .where(
            ClosureProposal.case_id == case_id,
            ClosureProposal.settled_at.is_(None),
            ClosureProposal.withdrawn.is_(False),
        )
        .order_by(ClosureProposal.proposed_at.desc(), ClosureProposal.id.desc())
        .limit(1)
    )


@transaction
def closure_form(user, case_id: int) -> ClosureForm:
    """Who: the case's lead professional, or a MET chair. The case and its open proposal.
    Audited as closure_proposal.viewed."""
    case = _case_for_contributor(user, case_id, "closure_proposal.viewed")
    audit.record("closure_proposal.viewed", "case", case.id, actor=user)
    return ClosureForm(case, _open_proposal(case.id))


@transaction
def propose_closure(user, case_id: int, data: Mapping, *, save_anyway: bool = False) -> ClosureProposal:
    """Who: the case's lead professional, or a MET chair. Propose that the MET close an
    open case: `reason` (required, up to 2,000 characters), language-checked. One open
    proposal per case (ValidationError otherwise). Audited as closure.proposed."""
    case = _case_for_contributor(user, case_id, "closure.proposed")
    db.session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
    if case.state == CaseState.CLOSED:
        raise ValidationError({"case": "This case is closed"})
    if _open_proposal(case.id) is not None:
        raise ValidationError({"reason": "This case has already been proposed for closure"})
    reason = _text(data, "reason", MAX_REASON, "Enter why the case can close")
    flagged = check_before_saving({"reason": reason}, save_anyway=save_anyway, labels=REASON_LABELS)
    proposal = ClosureProposal(case_id=case.id, proposed_by_id=user.id, reason=reason, proposed_at=now())
    db.session.add(proposal)
    db.session.flush()
    audit.record(
        "closure.proposed",
        "closure_proposal",
        proposal.id,
        detail={"case_id": case.id, **audit_detail(flagged)},
        actor=user,
    )
    return proposal


@transaction
def withdraw_closure(user, case_id: int) -> ClosureProposal:
    """Who: the case's lead professional, or a MET chair. Withdraw the case's open closure
    proposal (ValidationError when there is none). Audited as closure.withdrawn."""
    case = _case_for_contributor(user, case_id, "closure.withdrawn")
    proposal = _open_proposal(case.id)
    if proposal is None:
        raise ValidationError({"proposal": "This case has no open closure proposal"})
    proposal.withdrawn, proposal.settled_at = True, now()
    db.session.flush()
    audit.record(
        "closure.withdrawn", "closure_proposal", proposal.id, detail={"case_id": case.id}, actor=user
    )
    return proposal
