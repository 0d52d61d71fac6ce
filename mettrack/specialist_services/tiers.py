"""The police tier record (docs/police-tiers.md): a case's tier (high or medium), its
holding team, the officer in charge and the day it applies from, with its history.

How a tier is set, by the state of the case (the workflow table's states, cases/workflow.py):
- in MET review, setting the tier IS the workflow's set_police_tier move: it goes through
  cases.apply (its own checks, event and audit row), which starts the record;
- once tiered (police_tiered, service_assigned), a change is recorded here: the case's
  current tier and team (what the case list filters on) change, a record is added to the
  history and a line to the timeline; the case does not move;
- in any other state the tier cannot be set (a ValidationError naming `state`).

Who: the MET chair directly (Perm.POLICE_TIER_SET, `set_tier`), or a MET meeting's decision
(`record_for_meeting`, called by meetings/minutes.py inside the meeting's one unit of work).
The case team reads the record (the case's whole record, permissions.case_scope). Every
read and change is audited, naming records by id and tiers by code, never the officer.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.cases import apply as transitions_apply
from mettrack.cases import case_scope, locked_case, move_for
from mettrack.cases import require as cases_require
from mettrack.cases.models import Case
from mettrack.core import audit
from mettrack.core.choices import CaseAction, CaseEventKind, CaseState, ReferenceKind, TierSource
from mettrack.core.clock import now, today
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_date, parse_text, parse_version
from mettrack.core.limits import max_length
from mettrack.core.permissions import Perm, can, deny_record
from mettrack.core.unit_of_work import transaction
from mettrack.language import audit_detail, check_before_saving
from mettrack.reference import active_item, label_for
from mettrack.specialist_services.models import PoliceTierRecord

SET_ACTION = "police_tier.recorded"
VIEW_ACTION = "police_tier.viewed"
FIELDS = ("police_tier", "police_team", "officer", "from_date", "note")
MAX_NOTE = 2000
MAX_OFFICER = max_length(PoliceTierRecord.officer)
FROM_LABEL = "Date the tier applies from"
# From the workflow table: where setting the tier is the move, and where a case holds a
# tier that may change without moving (the state the move enters and the one after it).
_MOVE = move_for(CaseAction.SET_POLICE_TIER)
MOVE_STATES = frozenset(_MOVE.from_states)
TIERED_STATES = frozenset({_MOVE.to_state, move_for(CaseAction.ASSIGN_SERVICE).to_state})


def state_problem(state: str) -> str:
    return (
        f"The case is {CaseState(state).label}: the police tier is set once the case is in MET review, "
        "and changed while the case is open after that"
    )


# --- reading


@dataclass(frozen=True)
class TierEntry:
    """One record of the history, with what a page or the API shows of it."""

    record: PoliceTierRecord
    tier_label: str
    team_label: str
    source_label: str
    set_by_name: str | None


@dataclass(frozen=True)
class TierHistory:
    case: Case
    current: TierEntry | None  # the record of the case's tier now; None when it has none
    history: list[TierEntry]  # newest first
    may_set: bool  # the user may set or change the tier now


def _records(case_id: int):
    return select(PoliceTierRecord).where(PoliceTierRecord.case_id == case_id)


def _newest(case_id: int) -> PoliceTierRecord | None:
    return db.session.scalar(
        _records(case_id).order_by(PoliceTierRecord.set_at.desc(), PoliceTierRecord.id.desc()).limit(1)
    )


def _entry(record: PoliceTierRecord, names: dict[int, str]) -> TierEntry:
    return TierEntry(
        record=record,
        tier_label=label_for(ReferenceKind.POLICE_TIER, record.tier_code),
        team_label=label_for(ReferenceKind.POLICE_TEAM, record.team_code) if record.team_code else "",
        source_label=TierSource(record.source).label,
        set_by_name=names.get(record.set_by_id),
    )


def history_of(case: Case) -> list[TierEntry]:
    """The case's tier records, newest first, with their labels. Reads only: callers audit
    (the case page names the ids it shows)."""
    records = list(
        db.session.scalars(
            _records(case.id).order_by(PoliceTierRecord.set_at.desc(), PoliceTierRecord.id.desc())
        )
    )
    ids = {r.set_by_id for r in records if r.set_by_id is not None}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    return [_entry(r, names) for r in records]


def may_set(user, case: Case) -> bool:
    """Whether the user may set or change the case's tier now (the case page's link)."""
    return can(user, Perm.POLICE_TIER_SET) and case.state in MOVE_STATES | TIERED_STATES


def history_for(case: Case, user) -> TierHistory:
    """The case's current tier and history for `user`, unaudited (see tier_for)."""
    history = history_of(case)
    current = history[0] if history and case.police_tier else None
    return TierHistory(case, current, history, may_set(user, case))


def _readable(user, case_id: int, action: str) -> Case:
    cases_require(user, Perm.CASE_VIEW, action)
    case = db.session.scalar(select(Case).where(Case.id == case_id, case_scope(user)))
    if case is None:
        raise deny_record("case", case_id, action)
    return case


@transaction
def tier_for(user, case_id: int) -> TierHistory:
    """Who: any role with case.view, on a case whose whole record is within their
    need-to-know (the case team; NotFound otherwise, audited). The current tier and its
    history, audited as police_tier.viewed with the ids shown."""
    case = _readable(user, case_id, VIEW_ACTION)
    found = history_for(case, user)
    audit.record(
        VIEW_ACTION, "case", case.id, detail={"ids": [e.record.id for e in found.history]}, actor=user
    )
    return found


# --- setting


def _code(data: Mapping, name: str) -> str | None:
    value = data.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _tier_and_team(data: Mapping, errors: dict):
    tier = active_item(ReferenceKind.POLICE_TIER, _code(data, "police_tier"))
    team = active_item(ReferenceKind.POLICE_TEAM, _code(data, "police_team"))
    if tier is None:
        errors["police_tier"] = "Choose the police tier from the list"
    if team is None:
        errors["police_team"] = "Choose the holding team from the list"
    elif tier is not None and team.parent_code != tier.code:
        errors["police_team"] = f"Choose a holding team of the {tier.label} tier"
    return tier, team


def _parse(data: Mapping, errors: dict, current: PoliceTierRecord | None) -> dict:
    tier, team = _tier_and_team(data, errors)
    from_date = parse_date(data, "from_date", FROM_LABEL, errors, required=True, today=today())
    if from_date is not None and current is not None and from_date < current.from_date:
        # The history reads in order: a change cannot start before the tier it replaces.
        errors["from_date"] = (
            f"{FROM_LABEL} must not be before the current tier's ({current.from_date:%-d %B %Y})"
        )
    return {
        "tier": tier,
        "team": team,
        "officer": parse_text(data, "officer", "The officer in charge", errors, max_length=MAX_OFFICER),
        "from_date": from_date,
        "note": parse_text(data, "note", "The note", errors, max_length=MAX_NOTE),
    }


def _describe(tier, team, officer: str | None, from_date: date) -> str:
    return (
        f"Police tier {tier.label}; holding team {team.label}"
        + (f"; officer in charge {officer}" if officer else "")
        + f"; from {from_date:%-d %B %Y}"
    )


def _audit(user, case: Case, record: PoliceTierRecord, flagged=None) -> None:
    audit.record(
        SET_ACTION,
        "case",
        case.id,
        detail={
            "police_tier_record": record.id,
            "source": record.source,
            "tier": record.tier_code,
            "team": record.team_code,
            **({"meeting": record.meeting_id} if record.meeting_id else {}),
            **audit_detail(flagged or {}),
        },
        actor=user,
    )


def _change(
    user,
    case: Case,
    values: dict,
    *,
    source: TierSource,
    meeting_id: int | None = None,
    occasion: str | None = None,
    flagged=None,
) -> PoliceTierRecord:
    """A change of tier on a case already tiered: the case's tier and team, the record,
    a timeline line and an audit row. The case does not move."""
    tier, team = values["tier"], values["team"]
    case.police_tier, case.police_team = tier.code, team.code
    record = PoliceTierRecord(
        case_id=case.id,
        tier_code=tier.code,
        team_code=team.code,
        officer=values["officer"],
        from_date=values["from_date"],
        source=source.value,
        meeting_id=meeting_id,
        note=values.get("note"),
        set_by_id=user.id,
        set_at=now(),
    )
    db.session.add(record)
    reason = _describe(tier, team, values["officer"], values["from_date"])
    case.note_event(user, CaseEventKind.POLICE_TIER_RECORDED, f"{occasion}: {reason}" if occasion else reason)
    db.session.flush()
    _audit(user, case, record, flagged)
    return record


def _moved_record(case_id: int) -> PoliceTierRecord:
    # The record the set_police_tier move has just added, in this unit of work.
    record = _newest(case_id)
    if record is None or record.source != TierSource.MOVE.value:
        raise RuntimeError("the set_police_tier move left no tier record")
    return record


@dataclass(frozen=True)
class TierSet:
    record: PoliceTierRecord
    case: Case
    moved: bool  # the set_police_tier move: the case went from MET review to police tiered


@transaction
def set_tier(user, case_id: int, data: Mapping, expected_version, *, save_anyway: bool = False) -> TierSet:
    """Who: the MET chair (police_tier.set), on a case within their need-to-know (NotFound
    otherwise, audited). `data`: police_tier and police_team (codes; the team of that
    tier), officer (optional free text: name and collar number, or contact), from_date
    (not in the future, nor before the current tier's), note (optional, language-checked);
    `expected_version` the case version the user read (Conflict if it changed).

    In MET review this is the set_police_tier move (cases.apply); once tiered, a change
    recorded without a move. Any other state: ValidationError on `state`. Bad fields:
    ValidationError naming each. WordingFlagged when the note is flagged and `save_anyway`
    is false. Nothing is saved on any refusal."""
    cases_require(user, Perm.POLICE_TIER_SET, SET_ACTION)
    version = parse_version(expected_version)
    case = locked_case(case_id, case_scope(user), SET_ACTION)
    if case.version != version:
        raise Conflict(f"case {case_id} is at version {case.version}, not {version}")
    if case.state not in MOVE_STATES | TIERED_STATES:
        raise ValidationError({"state": state_problem(case.state)})
    errors: dict[str, str] = {}
    current = _newest(case.id) if case.police_tier else None
    values = _parse(data, errors, current)
    if errors:
        raise ValidationError({f: errors[f] for f in FIELDS if f in errors})
    flagged = check_before_saving({"note": values["note"]}, save_anyway=save_anyway, labels={"note": "Note"})
    if case.state in TIERED_STATES:
        record = _change(user, case, values, source=TierSource.CHAIR, flagged=flagged)
        return TierSet(record, case, False)
    fields = {
        "police_tier": values["tier"].code,
        "police_team": values["team"].code,
        "officer": values["officer"] or "",
    }
    # The move checks everything again under the same lock and writes its own event and
    # audit row; the record it starts takes the day and note given here.
    case = transitions_apply(user, case.id, CaseAction.SET_POLICE_TIER, fields, version)
    record = _moved_record(case.id)
    record.from_date, record.note = values["from_date"], values["note"]
    db.session.flush()
    _audit(user, case, record, flagged)
    return TierSet(record, case, True)


def record_for_meeting(
    user, case_id: int, tier_code: str, team_code: str, *, meeting_id: int, on: date, occasion: str
) -> PoliceTierRecord:
    """A MET meeting's police tier decision (meetings/minutes.py applies it inside its own
    unit of work, for the chair who holds the meeting). On a case already tiered, a change
    with no move; otherwise the set_police_tier move, which refuses in its own words where
    the state does not allow it. Either way the record names the meeting (source meeting),
    applies from `on` (the meeting's day) and the timeline line starts with `occasion`.
    The officer in charge is kept when the holding team stays the same."""
    case = locked_case(case_id, case_scope(user), SET_ACTION)
    current = _newest(case.id) if case.police_tier else None
    data = {"police_tier": tier_code, "police_team": team_code}
    errors: dict[str, str] = {}
    tier, team = _tier_and_team(data, errors)
    if errors:
        raise ValidationError(errors)
    officer = current.officer if current is not None and current.team_code == team.code else None
    if case.state in TIERED_STATES:
        values = {"tier": tier, "team": team, "officer": officer, "from_date": on, "note": None}
        source = TierSource.MEETING
        return _change(user, case, values, source=source, meeting_id=meeting_id, occasion=occasion)
    transitions_apply(
        user,
        case.id,
        CaseAction.SET_POLICE_TIER,
        data | {"officer": officer or ""},
        case.version,
        occasion=occasion,
        save_anyway=True,
    )
    record = _moved_record(case.id)
    record.source, record.meeting_id, record.from_date = TierSource.MEETING.value, meeting_id, on
    db.session.flush()
    _audit(user, case, record)
    return record
