"""Minutes of a MET meeting: what was discussed and decided about each child on the
agenda, the actions agreed, applying the decisions to the cases, and approving the
minutes as frozen, numbered versions (docs/meetings-minutes.md).

Who: only a MET chair (meeting.manage) records, applies and approves; the members
(meeting.view) read the approved versions. Every read and write is audited with the
meeting as the reason.

Applying the decisions moves every case through the workflow table (cases.apply) in ONE
transaction, each decision in a savepoint so that every refusal is collected: if any is
refused, nothing is applied and DecisionsRefused lists each refusal with its case. Each
timeline entry names the meeting ("MET meeting on 10 March 2026") as its reason.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.cases import View, apply, case_scope, locked_case, project, states_taking
from mettrack.cases.models import Case
from mettrack.core import audit
from mettrack.core.choices import (
    ActionEventKind,
    AgendaSection,
    AuditOutcome,
    CaseAction,
    CaseEventKind,
    CaseState,
    ReferenceKind,
    RiskLevel,
)
from mettrack.core.clock import local, now
from mettrack.core.errors import AppError, Conflict, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import date_value, parse_int, parse_text, parse_yes_no
from mettrack.core.permissions import Perm, deny_record
from mettrack.core.unit_of_work import savepoint, transaction
from mettrack.language import audit_detail, check_before_saving
from mettrack.meetings import attendance, minutes_rules
from mettrack.meetings.membership import audit_read, meeting_for
from mettrack.meetings.models import (
    ActionEvent,
    AgendaItem,
    ClosureProposal,
    ItemMinute,
    Meeting,
    MeetingAction,
    MinutesVersion,
)
from mettrack.reference import OTHER, active_item, label_for, list_active
from mettrack.risk import review_cadence
from mettrack.risk.rules import next_review_on as cadence_next_review_on
from mettrack.specialist_services import (
    active_service,
    record_tier_for_meeting,
    request_for_meeting,
    service_label,
    service_options,
)

MAX_DISCUSSION = 10_000
MAX_CLOSURE_NOTE = 2000
MAX_ACTION = 2000
MAX_ACTIONS = 20
MAX_CORRECTION = 2000
MAX_SERVICES = 10
SECTION_ORDER = {section.value: n for n, section in enumerate(AgendaSection)}
ALREADY_APPLIED = "The meeting's decisions have already been applied to the cases"
NOT_APPLIED = "Apply the meeting's decisions to the cases before approving the minutes"
CANCELLED = "The meeting was cancelled: it has no minutes or decisions"
DECISIONS_FROZEN = (
    "The decisions have been applied to the cases and cannot be changed here: record the "
    "discussion and actions only"
)


class DecisionsRefused(ValidationError):
    """At least one decision was refused: nothing was applied. `refusals` lists each
    refused decision: {case_id, item (the item's heading), decision, messages}; `errors`
    maps "case_<id>" to the messages of that case."""

    detail = "Nothing was applied: a decision was refused. `refusals` lists each one with its case."

    def __init__(self, refusals: list[dict]):
        self.refusals = refusals
        errors: dict[str, str] = {}
        for r in refusals:
            key = f"case_{r['case_id']}"
            text = f"{r['decision']}: {' '.join(r['messages'])}"
            errors[key] = f"{errors[key]} {text}" if key in errors else text
        super().__init__(errors)

    def problem_members(self) -> dict:
        return {"refusals": self.refusals}


# --- reading


@dataclass
class Item:
    """One agenda item of the working minutes: the case, why it is on the agenda, its
    minute (None until recorded) and the actions raised for it at this meeting."""

    agenda_item: AgendaItem
    heading: str  # "Case 12: Jordan Example": the chair's copy names the child
    minute: ItemMinute | None
    actions: list[MeetingAction]
    decisions: dict  # the minute's decisions as plain, labelled JSON (_decisions_json)

    @property
    def case_id(self) -> int:
        return self.agenda_item.case_id

    @property
    def case(self) -> Case:
        return self.agenda_item.case


@dataclass
class WorkingMinutes:
    meeting: Meeting
    items: list[Item]
    quorum: minutes_rules.Quorum
    versions: list[MinutesVersion]
    applied: bool
    pending: bool  # some decisions not applied yet
    choices: dict = field(default_factory=dict)  # the form's lists


def _heading(case: Case) -> str:
    return f"Case {case.id}: {project(case, View.WHOLE).child.name}"


def _agenda(meeting_id: int) -> list[AgendaItem]:
    items = db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id, AgendaItem.removed_at.is_(None))
    ).all()
    return sorted(items, key=lambda i: (SECTION_ORDER.get(i.section, 99), i.position, i.id))


def _minutes(meeting_id: int) -> dict[int, ItemMinute]:
    rows = db.session.scalars(select(ItemMinute).where(ItemMinute.meeting_id == meeting_id))
    return {m.case_id: m for m in rows}


def _actions(meeting_id: int) -> dict[int, list[MeetingAction]]:
    found: dict[int, list[MeetingAction]] = {}
    rows = db.session.scalars(
        select(MeetingAction).where(MeetingAction.meeting_id == meeting_id).order_by(MeetingAction.id)
    )
    for a in rows:
        found.setdefault(a.case_id, []).append(a)
    return found


def _versions(meeting_id: int) -> list[MinutesVersion]:
    return list(
        db.session.scalars(
            select(MinutesVersion)
            .where(MinutesVersion.meeting_id == meeting_id)
            .order_by(MinutesVersion.number)
        )
    )


def _has_decisions(m: ItemMinute | None) -> bool:
    return m is not None and _decisions_of(m).any


def _decisions_of(m: ItemMinute) -> minutes_rules.Decisions:
    return minutes_rules.Decisions(
        risk_level=m.risk_level,
        police_tier=m.police_tier,
        police_team=m.police_team,
        services=tuple(m.services_requested or ()),
        send_back_to_review=m.send_back_to_review,
        close=m.close,
        exit_reason=m.exit_reason,
        next_review_on=m.next_review_on,
    )


def _decisions_json(m: ItemMinute | None) -> dict:
    if m is None:
        return {}
    return {
        "risk_level": m.risk_level,
        "risk_level_label": RiskLevel(m.risk_level).label if m.risk_level else None,
        "police_tier": m.police_tier,
        "police_tier_label": label_for(ReferenceKind.POLICE_TIER, m.police_tier) or None,
        "police_team": m.police_team,
        "police_team_label": label_for(ReferenceKind.POLICE_TEAM, m.police_team) or None,
        "services_requested": list(m.services_requested or ()),
        "services_requested_labels": [service_label(c) for c in m.services_requested or ()],
        "send_back_to_review": m.send_back_to_review,
        "close": m.close,
        "exit_reason": m.exit_reason,
        "exit_reason_label": label_for(ReferenceKind.EXIT_REASON, m.exit_reason) or None,
        "closure_note": m.closure_note,
        "next_review_on": m.next_review_on.isoformat() if m.next_review_on else None,
        "applied_at": m.applied_at.isoformat() if m.applied_at else None,
    }


def _action_json(a: MeetingAction) -> dict:
    return {
        "id": a.id,
        "case_id": a.case_id,
        "description": a.description,
        "owner_id": a.owner_id,
        "owner": a.owner.name if a.owner else None,
        "agency": a.agency.name if a.agency else None,
        "due_on": a.due_on.isoformat(),
        "status": a.status,
    }


def _working(meeting: Meeting) -> WorkingMinutes:
    minutes, actions = _minutes(meeting.id), _actions(meeting.id)
    items = [
        Item(
            agenda_item=i,
            heading=_heading(i.case),
            minute=minutes.get(i.case_id),
            actions=actions.get(i.case_id, []),
            decisions=_decisions_json(minutes.get(i.case_id)),
        )
        for i in _agenda(meeting.id)
    ]
    pending = any(_has_decisions(m) and m.applied_at is None for m in minutes.values())
    return WorkingMinutes(
        meeting=meeting,
        items=items,
        quorum=attendance.quorum_of(meeting.id),
        versions=_versions(meeting.id),
        applied=meeting.decisions_applied_at is not None,
        pending=pending,
    )


def _snapshot(meeting: Meeting) -> dict:
    """The minutes as plain JSON: what approving freezes (MinutesVersion.content)."""
    working = _working(meeting)
    return {
        "meeting": {
            "id": meeting.id,
            "title": meeting.title,
            "starts_at": meeting.starts_at.isoformat(),
            "place": meeting.place,
        },
        "attendance": attendance.snapshot_of(meeting),
        "decisions_applied_at": meeting.decisions_applied_at.isoformat()
        if meeting.decisions_applied_at
        else None,
        "items": [
            {
                "case_id": item.case_id,
                "heading": item.heading,
                "section": item.agenda_item.section,
                "reasons": [r.get("text") for r in item.agenda_item.reasons or []],
                "discussion": item.minute.discussion if item.minute else None,
                "decisions": item.decisions,
                "actions": [_action_json(a) for a in item.actions],
            }
            for item in working.items
        ],
    }


def _choices(meeting: Meeting) -> dict:
    """What the minute forms offer: the reference lists, the people who may own an action
    (the chair and the members) and the agencies."""
    people = [meeting.chair] + [m.user for m in meeting.members if m.user_id != meeting.chair_id]
    return {
        "risk_levels": RiskLevel.choices(),
        "police_tiers": [(i.code, i.label) for i in list_active(ReferenceKind.POLICE_TIER)],
        "police_teams": [(i.code, i.label) for i in list_active(ReferenceKind.POLICE_TEAM)],
        "services": service_options(),
        "exit_reasons": [(i.code, i.label) for i in list_active(ReferenceKind.EXIT_REASON)],
        "owners": [
            (u.id, f"{u.name} ({u.agency.name})" if u.agency else u.name) for u in people if u.is_active
        ],
        "agencies": [(a.id, a.name) for a in db.session.scalars(select(Agency).order_by(Agency.name))],
    }


@transaction
def working_minutes(user, meeting_id: int) -> WorkingMinutes:
    """Who: a MET chair (meeting.manage). The working minutes: each agenda item with its
    minute and actions, the quorum, whether the decisions are applied and the approved
    versions. Audited as minutes.viewed (the meeting as the reason, draft: true)."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_MANAGE, "minutes.viewed")
    working = _working(meeting)
    working.choices = _choices(meeting)
    audit_read(user, meeting, "minutes", draft=True, case_ids=[i.case_id for i in working.items])
    return working


@dataclass
class MinutesRead:
    meeting: Meeting
    latest: MinutesVersion | None  # the latest approved version, None before approval
    numbers: list[int]  # every approved version's number
    draft: dict | None = None  # the chair's working draft (the content approval would freeze)


@transaction
def read_minutes(user, meeting_id: int, *, with_draft: bool = False) -> MinutesRead:
    """Who: a member of the meeting (meeting.view; a MET chair reaches every meeting).
    The latest approved minutes (None before they are approved) and the numbers of every
    version; with `with_draft`, for a MET chair (meeting.manage) only, also the working
    draft. Audited as minutes.viewed (the meeting as the reason)."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_VIEW, "minutes.viewed")
    if with_draft:
        meeting = meeting_for(user, meeting_id, Perm.MEETING_MANAGE, "minutes.viewed")
    versions = _versions(meeting.id)
    latest = versions[-1] if versions else None
    draft = _snapshot(meeting) if with_draft else None
    audit_read(user, meeting, "minutes", version=latest.number if latest else None, draft=with_draft)
    return MinutesRead(meeting, latest, [v.number for v in versions], draft)


@transaction
def approved_version(user, meeting_id: int, number: int) -> tuple[Meeting, MinutesVersion, list[int]]:
    """Who: a member of the meeting (meeting.view). Approved version `number` of the
    minutes (NotFound if there is none), with every version's number. Audited as
    minutes.viewed naming the version."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_VIEW, "minutes.viewed")
    versions = _versions(meeting.id)
    version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise deny_record("meeting", meeting.id, "minutes.viewed")
    audit_read(user, meeting, "minutes", version=number)
    return meeting, version, [v.number for v in versions]


# --- recording an item's minutes


@dataclass
class _Parsed:
    discussion: str | None = None
    decisions: minutes_rules.Decisions = field(default_factory=minutes_rules.Decisions)
    closure_note: str | None = None
    actions: list[dict] = field(default_factory=list)


def _bool(data: Mapping, name: str, errors: dict) -> bool:
    if data.get(name) in (None, "", False):
        return False
    return bool(parse_yes_no(data, name, "Answer yes or no", errors))


def _code(data: Mapping, name: str) -> str | None:
    value = data.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _services(data: Mapping, errors: dict) -> tuple[str, ...]:
    value = data.get("services_requested")
    if value in (None, "", []):
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or len(value) > MAX_SERVICES:
        errors["services_requested"] = "Choose the specialist services from the list"
        return ()
    codes = []
    for code in value:
        item = active_service(code)
        if item is None:
            errors["services_requested"] = "Choose the specialist services from the list"
            return ()
        if item.code not in codes:
            codes.append(item.code)
    return tuple(codes)


def _parse_actions(data: Mapping, meeting_day: date, errors: dict) -> list[dict]:
    raw = data.get("actions")
    if raw in (None, "", []):
        return []
    if not isinstance(raw, list | tuple) or len(raw) > MAX_ACTIONS:
        errors["actions"] = f"Give at most {MAX_ACTIONS} actions, each with what, who and by when"
        return []
    actions = []
    for n, entry in enumerate(raw):
        prefix = f"actions.{n}"
        if not isinstance(entry, Mapping):
            errors[prefix] = "Give the action's description, owner and due date"
            continue
        if not any(entry.get(k) not in (None, "") for k in ("description", "owner_id", "due_on")):
            continue  # an empty row of the form
        found: dict[str, str] = {}
        description = parse_text(
            entry, "description", "What is to be done", found, max_length=MAX_ACTION, required=True
        )
        owner_id = parse_int(entry, "owner_id", "The owner", found)
        owner = db.session.get(User, owner_id) if owner_id is not None else None
        if "owner_id" not in found and (owner is None or not owner.is_active):
            found["owner_id"] = "Choose who will do it"
        agency_id = parse_int(entry, "agency_id", "The agency", found)
        agency = db.session.get(Agency, agency_id) if agency_id is not None else None
        if agency_id is not None and agency is None:
            found["agency_id"] = "Choose the agency from the list"
        due = date_value(entry.get("due_on"), "due_on", "The due date", found, required=True)
        if due is not None and due < meeting_day:
            found["due_on"] = "The due date must be on or after the day of the meeting"
        errors.update({f"{prefix}.{k}": v for k, v in found.items()})
        if not found:
            actions.append(
                {
                    "description": description,
                    "owner": owner,
                    "agency_id": agency.id if agency else owner.agency_id,
                    "due_on": due,
                }
            )
    return actions


def _parse(data: Mapping, meeting: Meeting, errors: dict) -> _Parsed:
    meeting_day = local(meeting.starts_at).date()
    parsed = _Parsed()
    parsed.discussion = parse_text(data, "discussion", "The discussion", errors, max_length=MAX_DISCUSSION)
    level = _code(data, "risk_level")
    if level is not None and level not in RiskLevel._value2member_map_:
        errors["risk_level"] = "Choose low, medium or high"
        level = None
    tier_code, team_code = _code(data, "police_tier"), _code(data, "police_team")
    tier = active_item(ReferenceKind.POLICE_TIER, tier_code)
    team = active_item(ReferenceKind.POLICE_TEAM, team_code)
    if tier_code and tier is None:
        errors["police_tier"] = "Choose the police tier from the list"
    if team_code and team is None:
        errors["police_team"] = "Choose the holding team from the list"
    if tier is not None and team is None and "police_team" not in errors:
        errors["police_team"] = "Choose the holding team for the police tier"
    if team is not None and tier is None and "police_tier" not in errors:
        errors["police_tier"] = "Choose the police tier of the holding team"
    if tier is not None and team is not None and team.parent_code != tier.code:
        errors["police_team"] = f"Choose a holding team of the {tier.label} tier"
    exit_code = _code(data, "exit_reason")
    exit_reason = active_item(ReferenceKind.EXIT_REASON, exit_code)
    if exit_code and exit_reason is None:
        errors["exit_reason"] = "Choose the exit reason from the list"
    parsed.closure_note = parse_text(
        data, "closure_note", "The closing note", errors, max_length=MAX_CLOSURE_NOTE
    )
    review = date_value(data.get("next_review_on"), "next_review_on", "The next review date", errors)
    if review is not None and review < meeting_day:
        errors["next_review_on"] = "The next review date must be on or after the day of the meeting"
    if review is None and level and "next_review_on" not in errors:
        # The risk level's cadence, counted from the meeting (risk.rules, the partnership's settings).
        review = cadence_next_review_on(level, meeting_day, review_cadence())
    parsed.decisions = minutes_rules.Decisions(
        risk_level=level,
        police_tier=tier.code if tier else None,
        police_team=team.code if team else None,
        services=_services(data, errors),
        send_back_to_review=_bool(data, "send_back_to_review", errors),
        close=_bool(data, "close", errors),
        exit_reason=exit_reason.code if exit_reason else None,
        next_review_on=review,
    )
    for name, message in minutes_rules.conflicts(parsed.decisions).items():
        errors.setdefault(name, message)
    closing_other = parsed.decisions.close and exit_reason is not None and exit_reason.code == OTHER
    if closing_other and not parsed.closure_note:
        errors.setdefault("closure_note", "Say why the case is closing: the exit reason is Other")
    parsed.actions = _parse_actions(data, meeting_day, errors)
    return parsed


def _agenda_item(meeting: Meeting, case_id: int, action: str) -> AgendaItem:
    item = db.session.scalar(
        select(AgendaItem).where(
            AgendaItem.meeting_id == meeting.id,
            AgendaItem.case_id == case_id,
            AgendaItem.removed_at.is_(None),
        )
    )
    if item is None:
        audit.record_now(
            f"{action}.denied", "meeting", meeting.id, detail={"case_id": case_id, "reason": "agenda"}
        )
        raise NotFound("agenda_item", case_id)
    return item


def _refuse_cancelled(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise Conflict(CANCELLED)


@transaction
def record_item(
    user, meeting_id: int, case_id: int, data: Mapping, *, save_anyway: bool = False
) -> ItemMinute:
    """Who: a MET chair (meeting.manage), for a case on the meeting's agenda (NotFound
    otherwise). Records the item's minutes: `data` holds

        discussion             free text (language-checked);
        risk_level             low, medium or high (blank: no decision);
        police_tier, police_team   reference codes, both or neither;
        services_requested     a list of specialist service codes to request;
        send_back_to_review    yes/no;  close yes/no with exit_reason (a code) and
        closure_note;          next_review_on  a date (default: the risk level's cadence
                               counted from the meeting's day);
        actions                a list of NEW actions {description, owner_id, agency_id
                               (default: the owner's), due_on}: each saved at once as a
                               MeetingAction with its history's first line (raised).

    Recording again replaces the discussion and decisions (and adds the new actions).
    Once the decisions are applied, only the discussion and new actions are taken: the
    decisions stay as applied (sending different ones: ValidationError naming
    `decisions`). Raises WordingFlagged when
    the language check flags the discussion, the closing note or an action's text and `save_anyway` is
    false (nothing saved). A cancelled meeting takes no minutes (Conflict). Audited as
    minutes.item_recorded."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_MANAGE, "minutes.item_recorded", lock=True)
    _refuse_cancelled(meeting)
    item = _agenda_item(meeting, case_id, "minutes.item_recorded")
    errors: dict[str, str] = {}
    parsed = _parse(data, meeting, errors)
    minute = db.session.scalar(
        select(ItemMinute).where(ItemMinute.meeting_id == meeting.id, ItemMinute.case_id == item.case_id)
    )
    if meeting.decisions_applied_at is not None:
        # Applied: the decisions stay as applied. Sending none keeps them; sending other ones is refused.
        stored = _decisions_of(minute) if minute is not None else minutes_rules.Decisions()
        if parsed.decisions.any and parsed.decisions != stored and not errors:
            errors["decisions"] = DECISIONS_FROZEN
        parsed.decisions = stored
    if errors:
        raise ValidationError(errors)
    texts = {"discussion": parsed.discussion, "closure_note": parsed.closure_note} | {
        f"actions.{n}.description": a["description"] for n, a in enumerate(parsed.actions)
    }
    labels = {"discussion": "Discussion", "closure_note": "Closing note"} | {
        f"actions.{n}.description": f"Action {n + 1}" for n in range(len(parsed.actions))
    }
    flagged = check_before_saving(texts, save_anyway=save_anyway, labels=labels)

    if minute is None:
        minute = ItemMinute(meeting_id=meeting.id, case_id=item.case_id)
        db.session.add(minute)
    d = parsed.decisions
    minute.discussion = parsed.discussion
    minute.risk_level = d.risk_level
    minute.police_tier, minute.police_team = d.police_tier, d.police_team
    minute.services_requested = list(d.services)
    minute.send_back_to_review, minute.close = d.send_back_to_review, d.close
    minute.exit_reason = d.exit_reason
    if meeting.decisions_applied_at is None:  # once applied, the case holds the note as it was
        minute.closure_note = parsed.closure_note if d.close else None
    minute.next_review_on = d.next_review_on
    minute.recorded_by_id = user.id
    minute.updated_at = now()
    raised = []
    for a in parsed.actions:
        action = MeetingAction(
            meeting_id=meeting.id,
            case_id=item.case_id,
            description=a["description"],
            owner_id=a["owner"].id,
            agency_id=a["agency_id"],
            due_on=a["due_on"],
            created_by_id=user.id,
            created_at=now(),
        )
        action.events.append(
            ActionEvent(
                kind=ActionEventKind.RAISED.value, meeting_id=meeting.id, actor_id=user.id, occurred_at=now()
            )
        )
        db.session.add(action)
        raised.append(action)
    db.session.flush()
    audit.record(
        "minutes.item_recorded",
        "meeting",
        meeting.id,
        detail={
            "reason": "meeting",
            "case_id": item.case_id,
            "item_minute_id": minute.id,
            "actions": [a.id for a in raised],
            **audit_detail(flagged),
        },
        actor=user,
    )
    for a in raised:
        audit.record(
            "action.raised",
            "meeting_action",
            a.id,
            detail={"meeting_id": meeting.id, "case_id": a.case_id, "owner_id": a.owner_id},
            actor=user,
        )
    return minute


# --- applying the decisions


def occasion_of(meeting: Meeting) -> str:
    """How a timeline names the meeting as the reason for a change."""
    return f"MET meeting on {local(meeting.starts_at):%-d %B %Y} (meeting {meeting.id})"


def _refusal_messages(error: AppError) -> list[str]:
    errors = getattr(error, "errors", None)
    if errors:
        return [str(m) for m in errors.values()]
    if isinstance(error, NotFound):
        return ["The case could not be found or is out of reach"]
    return [error.detail or str(error)]


def _set_risk_and_review(user, case_id: int, d: minutes_rules.Decisions, occasion: str) -> None:
    case = locked_case(case_id, case_scope(user), "case.met_decision")
    parts = []
    if d.risk_level:
        case.risk_level = d.risk_level
        parts.append(f"risk level {RiskLevel(d.risk_level).label}")
    if d.next_review_on:
        case.next_review_on = d.next_review_on
        parts.append(f"next review {d.next_review_on:%-d %B %Y}")
    case.note_event(user, CaseEventKind.MET_DECISION, f"{occasion}: " + "; ".join(parts))
    audit.record(
        "case.met_decision",
        "case",
        case.id,
        detail={
            "risk_level": d.risk_level,
            "next_review_on": d.next_review_on and d.next_review_on.isoformat(),
        },
        actor=user,
    )
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(f"case {case_id} changed while the decision was being applied") from None


def _move(user, case_id: int, action: CaseAction, fields: dict, occasion: str) -> None:
    version = db.session.scalar(select(Case.version).where(Case.id == case_id))
    # The wording (the closing note) was checked when the item's minutes were recorded.
    apply(user, case_id, action.value, fields, version, occasion=occasion, save_anyway=True)


def _steps(meeting: Meeting, minute: ItemMinute, user, occasion: str):
    """Each decision of one minute as (what, a function applying it), in the order they
    are applied: back to review first (so a tier can be set again), closing last."""
    d = _decisions_of(minute)
    case_id = minute.case_id
    steps = []
    if d.send_back_to_review:
        fields = {"reason": "Sent back to MET review"}
        steps.append(
            (
                "Send back to MET review",
                partial(_move, user, case_id, CaseAction.SEND_BACK_TO_REVIEW, fields, occasion),
            )
        )
    if d.police_tier:
        steps.append(("Police tier", partial(_tier, user, case_id, d, meeting, occasion)))
    if d.risk_level or d.next_review_on:
        steps.append(
            ("Risk level and next review", partial(_set_risk_and_review, user, case_id, d, occasion))
        )
    if d.services:
        steps.append(("Specialist services", partial(_request_services, user, case_id, d, meeting, occasion)))
    if d.close:
        fields = {"exit_reason": d.exit_reason, "note": minute.closure_note or ""}
        steps.append(("Close the case", partial(_close, user, case_id, fields, occasion, meeting)))
    return steps


def _close(user, case_id: int, fields: dict, occasion: str, meeting: Meeting) -> None:
    _move(user, case_id, CaseAction.CLOSE, fields, occasion)
    _settle_proposals(case_id, meeting)


def _tier(user, case_id: int, d: minutes_rules.Decisions, meeting: Meeting, occasion: str) -> None:
    # In MET review the workflow's set_police_tier move; on a case already tiered (kept
    # tiered, not sent back) a change in the tier's history. Either way it names the meeting.
    record_tier_for_meeting(
        user,
        case_id,
        d.police_tier,
        d.police_team,
        meeting_id=meeting.id,
        on=local(meeting.starts_at).date(),
        occasion=occasion,
    )


def _request_services(
    user, case_id: int, d: minutes_rules.Decisions, meeting: Meeting, occasion: str
) -> None:
    """The services the meeting asked for, as requests the providers answer (the
    specialist services workflow), each naming the meeting. A service that already has an
    open request on the case keeps it."""
    case = locked_case(case_id, case_scope(user), "service_request.created")
    if case.state not in states_taking(CaseAction.ASSIGN_SERVICE):
        raise ValidationError(
            {
                "services_requested": f"The case is {CaseState(case.state).label}: a specialist service "
                "can be requested once the MET group has reviewed the case"
            }
        )
    gone = [c for c in d.services if active_service(c) is None]
    if gone:
        raise ValidationError(
            {"services_requested": "No longer in the catalogue of services: " + ", ".join(gone)}
        )
    labels = ", ".join(service_label(c) for c in d.services)
    reason = f"{occasion}: the meeting asked for {labels}."
    before = len(case.events)
    request_for_meeting(user, case, d.services, meeting.id, reason)
    for event in case.events[before:]:  # each request's timeline line names the meeting too
        event.reason = f"{occasion}: {event.reason}" if event.reason else occasion


def _settle_proposals(case_id: int, meeting: Meeting) -> None:
    for proposal in db.session.scalars(
        select(ClosureProposal).where(
            ClosureProposal.case_id == case_id,
            ClosureProposal.settled_at.is_(None),
            ClosureProposal.withdrawn.is_(False),
        )
    ):
        proposal.settled_at = now()
        proposal.settled_by_meeting_id = meeting.id


@dataclass
class Applied:
    meeting: Meeting
    case_ids: list[int]  # each case a decision was applied to, in agenda order


@transaction
def apply_decisions(user, meeting_id: int) -> Applied:
    """Who: a MET chair (meeting.manage). Applies every recorded decision of the meeting
    to its case, in agenda order, all in this one transaction: back to review, police
    tier (the set_police_tier move in MET review, otherwise a change in the tier's
    history, its record naming the meeting), risk level and next review date (a MET
    decision event), the specialist services requested (service requests naming the
    meeting, which the providers answer) and closing (cases.apply, settling an open
    closure proposal). Every timeline entry names the meeting as its reason.

    Each decision is tried in a savepoint: when any is refused (the workflow table, a
    guard, a field, a case changed meanwhile), DecisionsRefused lists every refusal with
    its case and NOTHING is applied (audited as minutes.apply.denied). Applying a second
    time is refused (Conflict). Audited as minutes.applied, and each change as its own
    row (case.transition, case.met_decision, police_tier.recorded,
    service_request.created)."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_MANAGE, "minutes.applied", lock=True)
    _refuse_cancelled(meeting)
    if meeting.decisions_applied_at is not None:
        raise Conflict(ALREADY_APPLIED)
    minutes = _minutes(meeting.id)
    agenda = _agenda(meeting.id)
    occasion = occasion_of(meeting)
    refusals: list[dict] = []
    applied: list[int] = []
    headings = {}
    for item in agenda:
        minute = minutes.get(item.case_id)
        if not _has_decisions(minute):
            continue
        headings[item.case_id] = f"Case {item.case_id}"
        for what, step in _steps(meeting, minute, user, occasion):
            try:
                with savepoint():
                    step()
            except AppError as refused:
                refusals.append(
                    {
                        "case_id": item.case_id,
                        "item": headings[item.case_id],
                        "decision": what,
                        "messages": _refusal_messages(refused),
                    }
                )
        if item.case_id not in applied:
            applied.append(item.case_id)
    if refusals:
        audit.record_now(
            "minutes.apply.denied",
            "meeting",
            meeting.id,
            detail={"reason": "meeting", "refused": [r["case_id"] for r in refusals]},
            outcome=AuditOutcome.DENIED,
            actor=user,
        )
        raise DecisionsRefused(refusals)
    at = now()
    for case_id in applied:
        minutes[case_id].applied_at = at
    meeting.decisions_applied_at = at
    meeting.decisions_applied_by_id = user.id
    audit.record(
        "minutes.applied",
        "meeting",
        meeting.id,
        detail={"reason": "meeting", "case_ids": applied},
        actor=user,
    )
    db.session.flush()
    return Applied(meeting, applied)


# --- approving


@transaction
def approve(user, meeting_id: int, *, correction_reason=None, save_anyway: bool = False) -> MinutesVersion:
    """Who: a MET chair (meeting.manage). Freezes the minutes as they stand (attendance,
    quorum, each item's discussion and decisions, the actions) as the next numbered
    version. Version 1 is the approval; every later version is a correction and needs
    `correction_reason` (ValidationError naming it otherwise; language-checked). Refused
    while recorded decisions are not applied (ValidationError naming `minutes`). Audited
    as minutes.approved."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_MANAGE, "minutes.approved", lock=True)
    errors: dict[str, str] = {}
    reason = parse_text(
        {"correction_reason": correction_reason},
        "correction_reason",
        "The reason for the correction",
        errors,
        max_length=MAX_CORRECTION,
    )
    minutes = _minutes(meeting.id)
    if any(_has_decisions(m) and m.applied_at is None for m in minutes.values()):
        errors["minutes"] = NOT_APPLIED
    number = (
        db.session.scalar(
            select(func.max(MinutesVersion.number)).where(MinutesVersion.meeting_id == meeting.id)
        )
        or 0
    ) + 1
    if number > 1 and not reason and "correction_reason" not in errors:
        errors["correction_reason"] = "Say what the correction is and why: the minutes were approved before"
    if errors:
        raise ValidationError(errors)
    flagged = check_before_saving(
        {"correction_reason": reason}, save_anyway=save_anyway, labels={"correction_reason": "Reason"}
    )
    version = MinutesVersion(
        meeting_id=meeting.id,
        number=number,
        approved_at=now(),
        approved_by_id=user.id,
        correction_reason=reason if number > 1 else None,
        content=_snapshot(meeting),
    )
    db.session.add(version)
    db.session.flush()
    audit.record(
        "minutes.approved",
        "meeting",
        meeting.id,
        detail={"reason": "meeting", "version": number, "correction": number > 1, **audit_detail(flagged)},
        actor=user,
    )
    return version
