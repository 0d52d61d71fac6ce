"""Issuing a meeting's agenda as a frozen, numbered version, and reading what was issued
(docs/meetings-issue.md).

Issuing (a MET chair) snapshots the meeting's header and its draft agenda's items (not
removed, in section and position order) with their reasons and cards, twice: the members'
full copy through the projection's whole view and the sanitised copy through its
sanitised view (meetings/cards.py asks cases/projection.py; nothing is deleted from the
full copy to make the sanitised one). What changed since the version before is worked out
by version_rules.changes_between. The two PDFs are requested as pending rows that a worker
builds (meetings/pdf.py); members are told by the reminder scan, not here.

Every read (a version, its sanitised copy, the list, a PDF) is one unit of work that
writes an audit row naming the meeting (membership.audit_read).
"""

from dataclasses import dataclass

from sqlalchemy import select

from mettrack.cases import View
from mettrack.core import audit
from mettrack.core.choices import ActionEventKind, ActionStatus, AgendaSection, AgendaView, PdfStatus
from mettrack.core.clock import local
from mettrack.core.errors import NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm
from mettrack.core.unit_of_work import transaction
from mettrack.meetings import version_rules
from mettrack.meetings.cards import cards_for
from mettrack.meetings.membership import audit_read, meeting_for
from mettrack.meetings.models import (
    ActionEvent,
    AgendaItem,
    AgendaPdf,
    AgendaVersion,
    Meeting,
    MeetingAction,
)

NOTE_MAX = 1000
_SECTION_ORDER = {s.value: i for i, s in enumerate(AgendaSection)}


@dataclass(frozen=True)
class IssuedCopy:
    """One copy of an issued version, as a page, the API or the PDF shows it."""

    meeting: Meeting
    version: AgendaVersion
    view: AgendaView
    agenda: dict  # the snapshot (version_rules module docstring)
    changes: list  # since the version before, over copies of this kind
    pdf: AgendaPdf | None


@dataclass(frozen=True)
class VersionList:
    meeting: Meeting
    versions: list[AgendaVersion]  # newest first
    pdfs: dict  # (version id, view) -> AgendaPdf


# ---------------------------------------------------------------------------------------
# Issuing


def _header(meeting: Meeting, *, sanitised: bool) -> dict:
    # The online link lets one join the meeting: the members' copy only.
    return {
        "title": meeting.title,
        "starts_at": meeting.starts_at.isoformat(),
        "starts_local": local(meeting.starts_at).strftime("%A %-d %B %Y at %H:%M"),
        "duration_minutes": meeting.duration_minutes,
        "place": meeting.place,
        "online_link": None if sanitised else meeting.online_link,
        "chair": meeting.chair.name,
    }


def _snapshot(meeting: Meeting, items: list[AgendaItem], cards: dict[int, dict], *, sanitised: bool) -> dict:
    sections = []
    number = 0
    for section in AgendaSection:
        in_section = [i for i in items if i.section == section.value]
        if not in_section:
            continue
        shown = []
        for item in in_section:
            number += 1
            shown.append(
                {
                    "number": number,
                    "case_id": item.case_id,
                    "reasons": [
                        {"section": r.get("section"), "text": r.get("text")} for r in (item.reasons or [])
                    ],
                    "card": cards.get(item.case_id) or {"case_id": item.case_id},
                }
            )
        sections.append({"section": section.value, "label": section.label, "items": shown})
    return {"meeting": _header(meeting, sanitised=sanitised), "sections": sections}


def _draft_items(meeting: Meeting) -> list[AgendaItem]:
    items = db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.removed_at.is_(None))
    ).all()
    return sorted(items, key=lambda i: (_SECTION_ORDER.get(i.section, len(_SECTION_ORDER)), i.position, i.id))


def _latest(meeting_id: int) -> AgendaVersion | None:
    return db.session.scalar(
        select(AgendaVersion)
        .where(AgendaVersion.meeting_id == meeting_id)
        .order_by(AgendaVersion.number.desc())
        .limit(1)
    )


def _parse_note(note) -> str | None:
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        raise ValidationError({"note": f"The note must be {NOTE_MAX} characters or fewer."})
    return text or None


def _carry_forward(user, meeting: Meeting, case_ids: list[int]) -> int:
    """An event on each open action of a case on the agenda raised at an earlier meeting,
    naming this meeting, once per meeting (issuing again adds none)."""
    actions = db.session.scalars(
        select(MeetingAction)
        .join(Meeting, Meeting.id == MeetingAction.meeting_id)
        .where(
            MeetingAction.case_id.in_(case_ids),
            MeetingAction.status == ActionStatus.OPEN.value,
            MeetingAction.meeting_id != meeting.id,
            Meeting.starts_at < meeting.starts_at,
        )
    ).all()
    if not actions:
        return 0
    already = set(
        db.session.scalars(
            select(ActionEvent.action_id).where(
                ActionEvent.action_id.in_([a.id for a in actions]),
                ActionEvent.kind == ActionEventKind.CARRIED_FORWARD.value,
                ActionEvent.meeting_id == meeting.id,
            )
        )
    )
    added = 0
    for action in actions:
        if action.id in already:
            continue
        db.session.add(
            ActionEvent(
                action_id=action.id,
                kind=ActionEventKind.CARRIED_FORWARD.value,
                meeting_id=meeting.id,
                actor_id=user.id,
                note=f"Carried forward to the meeting on {local(meeting.starts_at).strftime('%-d %B %Y')}",
            )
        )
        added += 1
    return added


@transaction
def issue_agenda(user, meeting_id: int, *, note: str | None = None) -> AgendaVersion:
    """Issue the meeting's draft agenda as its next version (a MET chair). Refused with a
    ValidationError naming `agenda` for an empty agenda or a cancelled meeting, `note`
    for a note too long. Returns the new version (its `number`, `changes` ...)."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_MANAGE, "agenda.issue", lock=True)
    if meeting.is_cancelled:
        raise ValidationError({"agenda": "This meeting is cancelled: its agenda cannot be issued."})
    text = _parse_note(note)
    items = _draft_items(meeting)
    if not items:
        raise ValidationError(
            {"agenda": "The agenda has no items. Build the agenda or add a case before issuing it."}
        )
    case_ids = [i.case_id for i in items]
    full = _snapshot(meeting, items, cards_for(case_ids, View.WHOLE, meeting=meeting), sanitised=False)
    sanitised = _snapshot(meeting, items, cards_for(case_ids, View.SANITISED), sanitised=True)
    previous = _latest(meeting.id)
    version = AgendaVersion(
        meeting_id=meeting.id,
        number=(previous.number + 1) if previous else 1,
        issued_by_id=user.id,
        note=text,
        full=full,
        sanitised=sanitised,
        changes=version_rules.changes_between(previous.full if previous else None, full),
    )
    db.session.add(version)
    db.session.flush()
    db.session.add_all(
        [
            AgendaPdf(agenda_version_id=version.id, view=view.value, status=PdfStatus.PENDING.value)
            for view in AgendaView
        ]
    )
    carried = _carry_forward(user, meeting, case_ids)
    audit.record(
        "agenda.issued",
        "meeting",
        meeting.id,
        detail={"version": version.number, "case_ids": case_ids, "actions_carried_forward": carried},
        actor=user,
    )
    return version


# ---------------------------------------------------------------------------------------
# Reading


def _version(meeting: Meeting, number: int | None) -> AgendaVersion:
    if number is None:
        found = _latest(meeting.id)
        if found is None:
            raise NotFound("agenda", meeting.id)
        return found
    found = db.session.scalar(
        select(AgendaVersion).where(AgendaVersion.meeting_id == meeting.id, AgendaVersion.number == number)
    )
    if found is None:
        raise NotFound("agenda version", number)
    return found


def _pdf(version: AgendaVersion, view: AgendaView) -> AgendaPdf | None:
    return db.session.scalar(
        select(AgendaPdf).where(AgendaPdf.agenda_version_id == version.id, AgendaPdf.view == view.value)
    )


def _copy(version: AgendaVersion, view: AgendaView) -> dict:
    return version.sanitised if view is AgendaView.SANITISED else version.full


def _changes(meeting: Meeting, version: AgendaVersion, view: AgendaView) -> list:
    """The full copy's stored changes; the sanitised copy's worked out over the sanitised
    copies, so that they hold nothing the sanitised copy does not."""
    if view is AgendaView.FULL:
        return version.changes or []
    before = db.session.scalar(
        select(AgendaVersion).where(
            AgendaVersion.meeting_id == meeting.id, AgendaVersion.number == version.number - 1
        )
    )
    return version_rules.changes_between(before.sanitised if before else None, version.sanitised)


@transaction
def read_version(user, meeting_id: int, number: int | None = None, view=AgendaView.FULL) -> IssuedCopy:
    """A member's read of one issued version (the newest when `number` is None), in the
    full or the sanitised copy. Audited as agenda.viewed, naming the meeting."""
    view = AgendaView(view)
    meeting = meeting_for(user, meeting_id, Perm.MEETING_VIEW, "agenda.view")
    version = _version(meeting, number)
    audit_read(user, meeting, "agenda", version=version.number, copy=view.value)
    return IssuedCopy(
        meeting=meeting,
        version=version,
        view=view,
        agenda=_copy(version, view),
        changes=_changes(meeting, version, view),
        pdf=_pdf(version, view),
    )


@transaction
def list_versions(user, meeting_id: int) -> VersionList:
    """A member's list of the meeting's issued versions, newest first, each with what
    changed since the one before. Audited as agenda.viewed, naming the meeting."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_VIEW, "agenda.view")
    versions = db.session.scalars(
        select(AgendaVersion)
        .where(AgendaVersion.meeting_id == meeting.id)
        .order_by(AgendaVersion.number.desc())
    ).all()
    pdfs = {}
    if versions:
        rows = db.session.scalars(
            select(AgendaPdf).where(AgendaPdf.agenda_version_id.in_([v.id for v in versions]))
        )
        pdfs = {(p.agenda_version_id, p.view): p for p in rows}
    audit_read(user, meeting, "agenda", versions=[v.number for v in versions])
    return VersionList(meeting=meeting, versions=list(versions), pdfs=pdfs)


@dataclass(frozen=True)
class PdfRead:
    meeting: Meeting
    version: AgendaVersion
    view: AgendaView
    pdf: AgendaPdf


@transaction
def read_pdf(user, meeting_id: int, number: int, view=AgendaView.FULL) -> PdfRead:
    """A member's read of a version's PDF (its row says whether it is ready). Audited as
    agenda.viewed, naming the meeting, the version, the copy and the format."""
    view = AgendaView(view)
    meeting = meeting_for(user, meeting_id, Perm.MEETING_VIEW, "agenda.view")
    version = _version(meeting, number)
    pdf = _pdf(version, view)
    if pdf is None:  # issued before PDFs were requested: ask for one now
        pdf = AgendaPdf(agenda_version_id=version.id, view=view.value, status=PdfStatus.PENDING.value)
        db.session.add(pdf)
        db.session.flush()
    audit_read(user, meeting, "agenda", version=version.number, copy=view.value, format="pdf")
    return PdfRead(meeting=meeting, version=version, view=view, pdf=pdf)


@transaction
def retry_pdf(user, meeting_id: int, number: int, view=AgendaView.FULL) -> AgendaPdf:
    """A MET chair's "Try again" for a version's PDF whose build failed: the row goes back
    to pending (its error and enqueued_at cleared), so the next scan (pdf.pdfs_to_enqueue)
    hands it to a worker again. Refused with a ValidationError naming `pdf` when the PDF
    has not failed. Audited as agenda.pdf_retried, naming the meeting."""
    view = AgendaView(view)
    meeting = meeting_for(user, meeting_id, Perm.MEETING_MANAGE, "agenda.pdf_retried")
    version = _version(meeting, number)
    pdf = db.session.scalar(
        select(AgendaPdf)
        .where(AgendaPdf.agenda_version_id == version.id, AgendaPdf.view == view.value)
        .with_for_update()
    )
    if pdf is None or pdf.status == PdfStatus.PENDING:
        raise ValidationError({"pdf": "This PDF is already being prepared: there is nothing to try again."})
    if pdf.status != PdfStatus.FAILED:
        raise ValidationError({"pdf": "This PDF is ready: there is nothing to try again."})
    previous_error = pdf.error
    pdf.status = PdfStatus.PENDING.value
    pdf.error = None
    pdf.enqueued_at = None
    pdf.built_at = None
    audit.record(
        "agenda.pdf_retried",
        "meeting",
        meeting.id,
        detail={"version": version.number, "copy": view.value, "pdf_id": pdf.id, "error": previous_error},
        actor=user,
    )
    return pdf


@dataclass(frozen=True)
class IssueForm:
    meeting: Meeting
    items: int  # on the draft agenda, not removed
    latest: int | None  # the newest issued version's number


def issue_form(user, meeting_id: int) -> IssueForm:
    """What the chair's issue page says before issuing (counts only: no child's data)."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_MANAGE, "agenda.issue")
    latest = _latest(meeting.id)
    return IssueForm(
        meeting=meeting, items=len(_draft_items(meeting)), latest=latest.number if latest else None
    )
