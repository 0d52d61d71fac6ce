"""The draft agenda of a meeting: built from the data as of now, edited by the chair
(docs/meetings-agenda.md). Who: MET chairs (meeting.manage), through membership.meeting_for.

What puts a case on the agenda (agenda_rules.SECTIONS, in order), "since" meaning since
the previous meeting (the latest meeting not cancelled that starts before this one, of the
same series when this one has a series; with none, the 28 days before this meeting):
- new referrals: referred (the case's `refer` event) since;
- high risk: an open case whose agreed risk level is high (at every meeting);
- due for review: an open case whose next review date is on or before the meeting's date;
- new information: a missing episode that began, ended or is still open since, a risk
  assessment recorded since, or intelligence recorded since (meetings/intelligence_links.py);
- proposed for closure: an open closure proposal (meetings/contributions.py);
- open actions from earlier meetings: an action still open, raised at a meeting that
  started before this one (roll-forward: it comes back by itself until done or not done).

A child appears once, in the first section that applies, with the other reasons listed.
Building again keeps the chair's changes (agenda_rules.merge). The number of SQL queries
a build costs does not grow with the number of cases: each rule is one query for all cases.
"""

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.cases import View, case_scope
from mettrack.cases.models import Case, CaseEvent
from mettrack.core import audit
from mettrack.core.choices import (
    ActionStatus,
    AgendaSection,
    CaseEventKind,
    CaseState,
    MeetingStatus,
    RiskLevel,
)
from mettrack.core.clock import local, now
from mettrack.core.errors import Conflict, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, can, deny_record
from mettrack.core.unit_of_work import transaction, unit_of_work
from mettrack.meetings import agenda_rules as rules
from mettrack.meetings import intelligence_links
from mettrack.meetings.cards import cards_for
from mettrack.meetings.membership import audit_read, meeting_for
from mettrack.meetings.models import AgendaItem, AgendaVersion, ClosureProposal, Meeting, MeetingAction
from mettrack.missing.models import MissingEpisode
from mettrack.risk.models import RiskAssessment

NO_PREVIOUS_LOOKBACK = timedelta(days=28)


class AgendaClosed(Conflict):
    detail = "This meeting was cancelled: its agenda cannot be built or changed."


# --- what the draft agenda is -------------------------------------------------------------


@dataclass
class DraftItem:
    id: int | None
    case_id: int
    section: str
    section_label: str
    reasons: list[dict]
    position: int
    added_by_chair: bool
    moved_by_chair: bool
    from_data: bool
    removed: bool
    removed_reason: str | None
    removed_at: datetime | None
    card: dict | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["removed_at"] = self.removed_at.isoformat() if self.removed_at else None
        return data


@dataclass
class DraftSection:
    value: str
    label: str
    items: list[DraftItem] = field(default_factory=list)


@dataclass
class DraftAgenda:
    """The draft as the chair sees it: the sections that hold items, in order, and the
    removed items apart. `saved` is False for a preview (built, not saved)."""

    meeting: Meeting
    previous_meeting: Meeting | None
    since: datetime
    built_at: datetime | None
    sections: list[DraftSection]
    removed: list[DraftItem]
    saved: bool = True

    @property
    def items(self) -> list[DraftItem]:
        return [item for section in self.sections for item in section.items]

    def as_dict(self) -> dict:
        return {
            "meeting_id": self.meeting.id,
            "previous_meeting_id": self.previous_meeting.id if self.previous_meeting else None,
            "since": self.since.isoformat(),
            "built_at": self.built_at.isoformat() if self.built_at else None,
            "saved": self.saved,
            "sections": [
                {"section": s.value, "label": s.label, "items": [i.as_dict() for i in s.items]}
                for s in self.sections
            ],
            "removed": [i.as_dict() for i in self.removed],
        }


# --- the data -----------------------------------------------------------------------------


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The latest meeting not cancelled that starts before this one (of its series, when
    it has one)."""
    query = select(Meeting).where(
        Meeting.starts_at < meeting.starts_at,
        Meeting.status != MeetingStatus.CANCELLED.value,
        Meeting.id != meeting.id,
    )
    if meeting.series_id is not None:
        query = query.where(Meeting.series_id == meeting.series_id)
    return db.session.scalar(query.order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(1))


def since_for(meeting: Meeting, previous: Meeting | None) -> datetime:
    return previous.starts_at if previous is not None else meeting.starts_at - NO_PREVIOUS_LOOKBACK


def _day(moment: datetime):
    return local(moment).date()


def gather(meeting: Meeting, since: datetime) -> dict[int, tuple[list[dict], tuple]]:
    """Case id -> (reasons, sort key) for every case the data puts on the agenda. One
    query per rule, whatever the number of cases."""
    is_open = Case.state != CaseState.CLOSED.value
    meeting_day = _day(meeting.starts_at)
    facts: dict[int, rules.Facts] = {}

    def of(case_id: int) -> rules.Facts:
        if case_id not in facts:
            facts[case_id] = rules.Facts(case_id=case_id)
        return facts[case_id]

    referred = db.session.execute(
        select(CaseEvent.case_id, func.max(CaseEvent.occurred_at))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.action == CaseEventKind.REFER.value, CaseEvent.occurred_at > since, is_open)
        .group_by(CaseEvent.case_id)
    )
    for case_id, at in referred:
        of(case_id).referred_on = _day(at)

    due = db.session.execute(
        select(Case.id, Case.risk_level, Case.next_review_on).where(
            is_open,
            or_(Case.risk_level == RiskLevel.HIGH.value, Case.next_review_on <= meeting_day),
        )
    )
    for case_id, risk_level, review_on in due:
        if risk_level == RiskLevel.HIGH.value:
            of(case_id).high_risk = True
        if review_on is not None and review_on <= meeting_day:
            of(case_id).review_due_on = review_on

    episodes = db.session.execute(
        select(MissingEpisode.case_id, MissingEpisode.went_missing_at, MissingEpisode.returned_at)
        .join(Case, Case.id == MissingEpisode.case_id)
        .where(
            is_open,
            or_(
                MissingEpisode.went_missing_at > since,
                MissingEpisode.returned_at > since,
                MissingEpisode.returned_at.is_(None),
            ),
        )
    )
    for case_id, went, returned in episodes:
        of(case_id).missing.append((_day(went), _day(returned) if returned else None))

    assessed = db.session.execute(
        select(RiskAssessment.case_id, RiskAssessment.assessed_at)
        .join(Case, Case.id == RiskAssessment.case_id)
        .where(is_open, RiskAssessment.assessed_at > since)
    )
    for case_id, at in assessed:
        of(case_id).assessed_on.append(_day(at))

    intelligence = intelligence_links.new_intelligence_since(None, since)
    if intelligence:
        open_ids = set(db.session.scalars(select(Case.id).where(Case.id.in_(list(intelligence)), is_open)))
        for case_id, days in intelligence.items():
            if case_id in open_ids:
                of(case_id).intelligence_on.extend(days)

    proposals = db.session.execute(
        select(
            ClosureProposal.case_id,
            ClosureProposal.proposed_at,
            ClosureProposal.proposed_by_id,
            Case.lead_professional_id,
            Agency.name,
        )
        .join(Case, Case.id == ClosureProposal.case_id)
        .join(User, User.id == ClosureProposal.proposed_by_id)
        .outerjoin(Agency, Agency.id == User.agency_id)
        .where(is_open, ClosureProposal.settled_at.is_(None), ClosureProposal.withdrawn.is_(False))
        .order_by(ClosureProposal.proposed_at, ClosureProposal.id)
    )
    for case_id, at, by_id, lead_id, agency in proposals:
        role = "the lead professional" if by_id == lead_id else "the MET chair"
        of(case_id).closure_proposed = (f"{role} ({agency})" if agency else role, _day(at))

    actions = db.session.execute(
        select(MeetingAction.case_id, Meeting.starts_at)
        .join(Meeting, Meeting.id == MeetingAction.meeting_id)
        .where(
            MeetingAction.status == ActionStatus.OPEN.value,
            MeetingAction.meeting_id != meeting.id,
            Meeting.starts_at < meeting.starts_at,
        )
    )
    for case_id, raised_at in actions:
        of(case_id).open_actions_from.append(_day(raised_at))

    risk = _risk_levels(list(facts))
    built = {}
    for case_id, found in facts.items():
        reasons = rules.reasons_for(found)
        if reasons:
            built[case_id] = (reasons, rules.sort_key(risk.get(case_id), case_id))
    return built


def _risk_levels(case_ids: list[int]) -> dict[int, str | None]:
    if not case_ids:
        return {}
    return dict(db.session.execute(select(Case.id, Case.risk_level).where(Case.id.in_(case_ids))).all())


# --- saved items and the rules' items -----------------------------------------------------


def _saved(meeting: Meeting) -> list[AgendaItem]:
    return list(db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)))


def _rule_item(row: AgendaItem, sort_key: tuple = ()) -> rules.Item:
    return rules.Item(
        case_id=row.case_id,
        section=row.section,
        reasons=list(row.reasons or []),
        position=row.position,
        moved_by_chair=row.moved_by_chair,
        added_by_chair=row.added_by_chair,
        removed=row.is_removed,
        from_data=row.from_data,
        sort_key=sort_key,
    )


def _merged(meeting: Meeting, rows: list[AgendaItem]) -> tuple[list[rules.Item], list[int]]:
    built = gather(meeting, since_for(meeting, previous_meeting(meeting)))
    for row in rows:
        if row.added_by_chair and row.case_id in built:
            reasons, key = built[row.case_id]
            built[row.case_id] = (reasons + rules.added_by_chair_reasons(), key)
    risk = _risk_levels([r.case_id for r in rows if r.case_id not in built])
    saved = [
        _rule_item(
            r, built[r.case_id][1] if r.case_id in built else rules.sort_key(risk.get(r.case_id), r.case_id)
        )
        for r in rows
    ]
    return rules.merge(saved, built)


def _store(meeting: Meeting, rows: list[AgendaItem], items: list[rules.Item], deleted: list[int]) -> None:
    by_case = {r.case_id: r for r in rows}
    at = now()
    if deleted:
        db.session.execute(
            delete(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.case_id.in_(deleted))
        )
        for case_id in deleted:  # gone from the table: not to be flushed again
            db.session.expunge(by_case.pop(case_id))
    new = []
    for item in items:
        row = by_case.get(item.case_id)
        if row is None:
            new.append(
                AgendaItem(
                    meeting_id=meeting.id,
                    case_id=item.case_id,
                    section=item.section,
                    reasons=item.reasons,
                    position=item.position,
                    from_data=item.from_data,
                    built_at=at,
                )
            )
            continue
        row.section, row.position, row.from_data = item.section, item.position, item.from_data
        if row.reasons != item.reasons:
            row.reasons = item.reasons
        row.built_at = at
    db.session.add_all(new)
    db.session.flush()


def _reposition(meeting: Meeting) -> None:
    """Number the saved items again after a chair's edit (no data read)."""
    rows = _saved(meeting)
    risk = _risk_levels([r.case_id for r in rows])
    items = rules.position([_rule_item(r, rules.sort_key(risk.get(r.case_id), r.case_id)) for r in rows])
    positions = {i.case_id: i.position for i in items}
    for row in rows:
        row.position = positions[row.case_id]
    db.session.flush()


def _draft(
    meeting: Meeting,
    items: list[rules.Item] | list[AgendaItem],
    *,
    saved: bool,
    view=View.WHOLE,
    with_cards: bool = True,
):
    previous = previous_meeting(meeting)
    cards = cards_for([i.case_id for i in items], view, meeting=meeting) if with_cards else {}
    sections = {s.value: DraftSection(s.value, s.label) for s in rules.SECTIONS}
    removed = []
    built_at = None
    for item in items:
        if isinstance(item, AgendaItem):
            draft = DraftItem(
                id=item.id,
                case_id=item.case_id,
                section=item.section,
                section_label=AgendaSection(item.section).label,
                reasons=list(item.reasons or []),
                position=item.position,
                added_by_chair=item.added_by_chair,
                moved_by_chair=item.moved_by_chair,
                from_data=item.from_data,
                removed=item.is_removed,
                removed_reason=item.removed_reason if view is not View.SANITISED else None,
                removed_at=item.removed_at,
                card=cards.get(item.case_id),
            )
            built_at = max(built_at, item.built_at) if built_at else item.built_at
        else:
            draft = DraftItem(
                id=None,
                case_id=item.case_id,
                section=item.section,
                section_label=AgendaSection(item.section).label,
                reasons=item.reasons,
                position=item.position,
                added_by_chair=item.added_by_chair,
                moved_by_chair=item.moved_by_chair,
                from_data=item.from_data,
                removed=item.removed,
                removed_reason=None,
                removed_at=None,
                card=cards.get(item.case_id),
            )
        (removed if draft.removed else sections[draft.section].items).append(draft)
    for section in sections.values():
        section.items.sort(key=lambda d: (d.position, d.case_id))
    removed.sort(key=lambda d: (rules.SECTION_ORDER.get(d.section, 99), d.position, d.case_id))
    return DraftAgenda(
        meeting=meeting,
        previous_meeting=previous,
        since=since_for(meeting, previous),
        built_at=built_at if saved else now(),
        sections=[s for s in sections.values() if s.items],
        removed=removed,
        saved=saved,
    )


def current_draft(meeting: Meeting, *, view: View = View.WHOLE, with_cards: bool = True) -> DraftAgenda:
    """The saved draft of a meeting already fetched through meeting_for, with each
    item's card in `view` (no cards, `card` None, without `with_cards`). Neither checks
    access nor audits: for use cases (issuing an agenda) that have done both."""
    return _draft(meeting, _saved(meeting), saved=True, view=view, with_cards=with_cards)


# --- use cases ----------------------------------------------------------------------------


def _chair_meeting(user, meeting_id: int, action: str) -> Meeting:
    meeting = meeting_for(user, meeting_id, Perm.MEETING_MANAGE, action, lock=True)
    if meeting.is_cancelled:
        raise AgendaClosed()
    return meeting


@transaction
def build(user, meeting_id: int, *, with_cards: bool = True) -> DraftAgenda:
    """Who: a MET chair. Build (or rebuild) the meeting's draft agenda from the data as of
    now, keeping the chair's changes. Audited as agenda.built. Returns the draft, with
    each item's card unless `with_cards` is false (the page, which reads it again)."""
    meeting = _chair_meeting(user, meeting_id, "agenda.built")
    rows = _saved(meeting)
    items, deleted = _merged(meeting, rows)
    _store(meeting, rows, items, deleted)
    audit.record(
        "agenda.built",
        "meeting",
        meeting.id,
        detail={
            "items": sum(1 for i in items if not i.removed),
            "removed": sum(1 for i in items if i.removed),
            "dropped": sorted(deleted),
        },
        actor=user,
    )
    return current_draft(meeting, with_cards=with_cards)


@transaction
def draft_for(user, meeting_id: int) -> DraftAgenda:
    """Who: a MET chair. The saved draft agenda with each item's card (the whole view).
    Audited as agenda.viewed with the meeting as the reason (draft: true)."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_MANAGE, "agenda.viewed")
    draft = current_draft(meeting)
    audit_read(user, meeting, "agenda", draft=True, case_ids=[i.case_id for i in draft.items])
    return draft


def preview(meeting_id: int, *, saved: bool = False, actor: str = "cli") -> DraftAgenda:
    """Who: support, from the command line (no user: whoever runs it is trusted with the
    server). What building the draft now would give (the saved items merged with the
    data as of now), without saving it; with `saved`, the draft as last saved. NotFound
    when there is no such meeting. Audited as agenda.previewed."""
    with unit_of_work():
        meeting = db.session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound("meeting", meeting_id)
        if saved:
            draft = current_draft(meeting)
        else:
            items, _ = _merged(meeting, _saved(meeting))
            draft = _draft(meeting, items, saved=False)
        audit.record(
            "agenda.previewed",
            "meeting",
            meeting.id,
            detail={"reason": "support", "saved": saved},
            actor=actor,
        )
    return draft


def _item(meeting: Meeting, item_id, action: str) -> AgendaItem:
    row = None
    if isinstance(item_id, int) and not isinstance(item_id, bool):
        row = db.session.scalar(
            select(AgendaItem).where(AgendaItem.id == item_id, AgendaItem.meeting_id == meeting.id)
        )
    if row is None:
        raise deny_record("agenda_item", item_id, action)
    return row


@transaction
def add_case(user, meeting_id: int, case_id) -> AgendaItem:
    """Who: a MET chair. Put a case within the chair's reach on the draft agenda: in the
    first section its data puts it in, else "Added by the chair". A removed item is
    restored. Conflict when it is already on the agenda; ValidationError for a bad id;
    NotFound (audited) for a case out of reach. Audited as agenda.item_added."""
    meeting = _chair_meeting(user, meeting_id, "agenda.item_added")
    if not isinstance(case_id, int) or isinstance(case_id, bool) or not 1 <= case_id <= 2_147_483_647:
        raise ValidationError({"case_id": "Enter the case's number (a whole number)"})
    case = db.session.scalar(select(Case).where(Case.id == case_id, case_scope(user)))
    if case is None:
        raise deny_record("case", case_id, "agenda.item_added")
    row = db.session.scalar(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.case_id == case_id)
    )
    if row is not None and not row.is_removed:
        raise ValidationError({"case_id": "This case is already on the agenda"})
    if row is None:
        row = AgendaItem(
            meeting_id=meeting.id,
            case_id=case_id,
            section=AgendaSection.ADDED_BY_CHAIR.value,
            reasons=rules.added_by_chair_reasons(),
            position=0,
            from_data=False,
        )
        db.session.add(row)
    row.added_by_chair = True
    row.removed_at = row.removed_by_id = row.removed_reason = None
    db.session.flush()
    rows = _saved(meeting)
    items, deleted = _merged(meeting, rows)
    _store(meeting, rows, items, deleted)
    audit.record(
        "agenda.item_added",
        "agenda_item",
        row.id,
        detail={"meeting_id": meeting.id, "case_id": case_id},
        actor=user,
    )
    return row


@transaction
def remove_item(user, meeting_id: int, item_id, reason) -> AgendaItem:
    """Who: a MET chair. Take an item off the draft agenda, with a reason (required). A
    rebuild keeps it off. Audited as agenda.item_removed (the reason is not logged)."""
    meeting = _chair_meeting(user, meeting_id, "agenda.item_removed")
    row = _item(meeting, item_id, "agenda.item_removed")
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ValidationError({"reason": "Enter why this child is taken off the agenda"})
    if len(text) > rules.MAX_REMOVE_REASON:
        raise ValidationError({"reason": f"Enter a reason of {rules.MAX_REMOVE_REASON} characters or fewer"})
    if row.is_removed:
        raise ValidationError({"item": "This item is already off the agenda"})
    row.removed_at, row.removed_by_id, row.removed_reason = now(), user.id, text
    row.moved_by_chair = False
    db.session.flush()
    _reposition(meeting)
    audit.record(
        "agenda.item_removed",
        "agenda_item",
        row.id,
        detail={"meeting_id": meeting.id, "case_id": row.case_id},
        actor=user,
    )
    return row


@transaction
def restore_item(user, meeting_id: int, item_id) -> AgendaItem:
    """Who: a MET chair. Put a removed item back. Audited as agenda.item_restored."""
    meeting = _chair_meeting(user, meeting_id, "agenda.item_restored")
    row = _item(meeting, item_id, "agenda.item_restored")
    if not row.is_removed:
        raise ValidationError({"item": "This item is on the agenda"})
    row.removed_at = row.removed_by_id = row.removed_reason = None
    if not row.from_data and not row.added_by_chair:
        row.added_by_chair = True  # the data no longer asks for it: the chair keeps it
        row.section, row.reasons = AgendaSection.ADDED_BY_CHAIR.value, rules.added_by_chair_reasons()
    db.session.flush()
    _reposition(meeting)
    audit.record(
        "agenda.item_restored",
        "agenda_item",
        row.id,
        detail={"meeting_id": meeting.id, "case_id": row.case_id},
        actor=user,
    )
    return row


MOVES = {"up": -1, "down": 1}


@transaction
def move_item(user, meeting_id: int, item_id, *, direction=None, position=None) -> AgendaItem:
    """Who: a MET chair. Move an item within its section: one place up or down
    (`direction` "up"/"down"), or to a position (1 is first). A rebuild keeps it there.
    Audited as agenda.item_moved."""
    meeting = _chair_meeting(user, meeting_id, "agenda.item_moved")
    row = _item(meeting, item_id, "agenda.item_moved")
    if row.is_removed:
        raise ValidationError({"item": "Restore this item before moving it"})
    to = None
    if position is not None:
        if not isinstance(position, int) or isinstance(position, bool) or not 1 <= position <= 10_000:
            raise ValidationError({"position": "Enter the position as a whole number from 1"})
        to = position - 1
    elif direction not in MOVES:
        raise ValidationError({"direction": "Move the item up or down"})
    rows = _saved(meeting)
    items = [_rule_item(r) for r in rows]
    shown = rules.moved(items, row.case_id, to=to, step=MOVES.get(direction, 0))
    by_case = {r.case_id: r for r in rows}
    for item in shown:
        by_case[item.case_id].position = item.position
        by_case[item.case_id].moved_by_chair = item.moved_by_chair
    db.session.flush()
    audit.record(
        "agenda.item_moved",
        "agenda_item",
        row.id,
        detail={"meeting_id": meeting.id, "case_id": row.case_id, "position": row.position + 1},
        actor=user,
    )
    return row


@dataclass
class AgendaPage:
    """What /meetings/<id>/agenda shows: the draft for a chair; for another member only
    the meeting (the issued agenda is theirs to read, once issued)."""

    meeting: Meeting
    draft: DraftAgenda | None
    is_chair: bool
    latest_version: int | None = None  # the newest issued version's number, if any


@transaction
def page_for(user, meeting_id: int) -> AgendaPage:
    """Who: a member of the meeting (meeting.view), or any MET chair. A chair gets the
    draft with its cards (audited as agenda.viewed, the meeting as the reason); another
    member gets the meeting alone (nothing about any child: not audited as a read), and
    the number of the latest issued version for either, so the page can lead to it."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_VIEW, "agenda.viewed")
    latest = db.session.scalar(
        select(func.max(AgendaVersion.number)).where(AgendaVersion.meeting_id == meeting.id)
    )
    if not can(user, Perm.MEETING_MANAGE):
        return AgendaPage(meeting, None, False, latest)
    draft = current_draft(meeting)
    audit_read(user, meeting, "agenda", draft=True, case_ids=[i.case_id for i in draft.items])
    return AgendaPage(meeting, draft, True, latest)
