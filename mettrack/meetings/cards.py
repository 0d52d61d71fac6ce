"""What an agenda item shows of a child, for many cases at once, through the one case
projection (cases/projection.py): View.WHOLE for the members' copy, View.SANITISED for the
sanitised copy. The result is plain JSON (dates as ISO strings), so that issuing an agenda
stores it as it is (AgendaVersion.full / .sanitised) and a page, the API and the PDF
render the same thing.

A card's keys (a key the view withholds is present with None, or [] for a list):
    case_id, name (initials in the sanitised view), age, date_of_birth, address, school,
    nhs_number, state, state_label, exploitation_types [labels], flags [labels],
    risk_level, risk_level_label, suggested_risk_level, suggested_risk_level_label,
    latest_assessment_on, lead_professional, lead_agency, police_tier, police_tier_label,
    police_team, police_team_label, services [labels], missing_now (bool),
    open_missing_episode ({went_missing_at} or None), rhi_status (label of the latest
    returned episode's Return Home Interview, or None), rhi_overdue (bool), repeat_missing
    (bool), nrm_status (text or None), linked_children [], places [], persons [],
    disruptions [] (from the intelligence feature, meetings/intelligence_links.py),
    open_actions [{id, description, owner, agency, due_on, status, raised_on, history:
    [{kind, kind_label, on, note}]}], open_action_count, next_review_on, lead_update
    ({text, author, submitted_at} or None).

The sanitised view shows what the projection's sanitised view shows (initials and age; no
date of birth, address, school, NHS number, flags, missing episodes or NRM), and no free
text: no lead update, and of each open action only its due date, agency and status (no
description, owner, nor history notes).

The number of queries does not grow with the number of cases: each relation is read for
every case at once (IN queries and selectinload).
"""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.cases import View, alerts_for, project
from mettrack.cases.models import Case
from mettrack.core.choices import (
    ActionEventKind,
    ActionStatus,
    CaseFlag,
    CaseState,
    ExploitationType,
    ReferenceKind,
    RhiStatus,
    RiskLevel,
    ServiceRequestStatus,
)
from mettrack.core.clock import local
from mettrack.core.extensions import db
from mettrack.meetings import agenda_rules, intelligence_links
from mettrack.meetings.models import ActionEvent, LeadUpdate, Meeting, MeetingAction
from mettrack.missing.models import MissingEpisode
from mettrack.reference.models import ReferenceItem
from mettrack.risk.models import RiskAssessment
from mettrack.specialist_services.models import ServiceRequest, SpecialistService


def _iso(value) -> str | None:
    if value is None:
        return None
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return local(value).isoformat()
    return value.isoformat()


def _label(choices, code):
    if not code:
        return None
    try:
        return choices(code).label
    except ValueError:
        return code


def _load_cases(case_ids) -> list[Case]:
    return list(
        db.session.scalars(
            select(Case)
            .where(Case.id.in_(case_ids))
            .options(
                selectinload(Case.lead_professional),
                selectinload(Case.lead_agency),
            )
            .order_by(Case.id)
        )
    )


def _latest_assessments(case_ids) -> dict[int, tuple]:
    """(suggested level, assessed at) of each case's newest assessment."""
    newest = (
        select(RiskAssessment.case_id, func.max(RiskAssessment.id).label("id"))
        .where(RiskAssessment.case_id.in_(case_ids))
        .group_by(RiskAssessment.case_id)
        .subquery()
    )
    rows = db.session.execute(
        select(RiskAssessment.case_id, RiskAssessment.suggested_level, RiskAssessment.assessed_at).join(
            newest, RiskAssessment.id == newest.c.id
        )
    )
    return {case_id: (suggested, at) for case_id, suggested, at in rows}


def _services(case_ids) -> dict[int, list[str]]:
    """The names of the services working with each case now (accepted, not ended)."""
    rows = db.session.execute(
        select(ServiceRequest.case_id, SpecialistService.name)
        .join(SpecialistService, SpecialistService.id == ServiceRequest.service_id)
        .where(
            ServiceRequest.case_id.in_(case_ids),
            ServiceRequest.status == ServiceRequestStatus.ACCEPTED.value,
        )
        .order_by(ServiceRequest.case_id, ServiceRequest.id)
    )
    found: dict[int, list[str]] = {}
    for case_id, name in rows:
        found.setdefault(case_id, []).append(name)
    return found


def _labels() -> dict[tuple[str, str], str]:
    kinds = (
        ReferenceKind.POLICE_TIER.value,
        ReferenceKind.POLICE_TEAM.value,
    )
    rows = db.session.execute(
        select(ReferenceItem.kind, ReferenceItem.code, ReferenceItem.label).where(
            ReferenceItem.kind.in_(kinds)
        )
    )
    return {(kind, code): label for kind, code, label in rows}


def _episodes(case_ids) -> tuple[dict[int, tuple], dict[int, tuple]]:
    """(went missing at, RHI status) of the open episode (no return) and of the latest
    returned episode of each case."""
    rows = db.session.execute(
        select(
            MissingEpisode.case_id,
            MissingEpisode.went_missing_at,
            MissingEpisode.returned_at,
            MissingEpisode.rhi_status,
        )
        .where(MissingEpisode.case_id.in_(case_ids))
        .order_by(MissingEpisode.case_id, MissingEpisode.went_missing_at, MissingEpisode.id)
    )
    open_, returned = {}, {}
    for case_id, went, back, rhi_status in rows:
        if back is None:
            open_[case_id] = (went, rhi_status)
        else:
            returned[case_id] = (went, rhi_status)
    return open_, returned


def _lead_updates(case_ids, meeting) -> dict[int, dict]:
    if meeting is None:
        return {}
    rows = db.session.execute(
        select(LeadUpdate.case_id, LeadUpdate.text, LeadUpdate.submitted_at, LeadUpdate.updated_at, User.name)
        .join(User, User.id == LeadUpdate.author_id)
        .where(LeadUpdate.meeting_id == meeting.id, LeadUpdate.case_id.in_(case_ids))
    )
    return {
        case_id: {"text": text, "author": author, "submitted_at": _iso(updated or submitted)}
        for case_id, text, submitted, updated, author in rows
    }


def _open_actions(case_ids, whole: bool) -> dict[int, list[dict]]:
    rows = db.session.execute(
        select(
            MeetingAction.id,
            MeetingAction.case_id,
            MeetingAction.meeting_id,
            MeetingAction.description,
            MeetingAction.due_on,
            MeetingAction.status,
            User.name,
            Agency.name,
            Meeting.starts_at,
        )
        .join(User, User.id == MeetingAction.owner_id)
        .outerjoin(Agency, Agency.id == MeetingAction.agency_id)
        .join(Meeting, Meeting.id == MeetingAction.meeting_id)
        .where(MeetingAction.case_id.in_(case_ids), MeetingAction.status == ActionStatus.OPEN.value)
        .order_by(MeetingAction.case_id, MeetingAction.due_on, MeetingAction.id)
    ).all()
    history: dict[int, list[dict]] = {}
    if rows:
        events = db.session.execute(
            select(ActionEvent.action_id, ActionEvent.kind, ActionEvent.occurred_at, ActionEvent.note)
            .join(MeetingAction, MeetingAction.id == ActionEvent.action_id)
            .where(MeetingAction.case_id.in_(case_ids), MeetingAction.status == ActionStatus.OPEN.value)
            .order_by(ActionEvent.action_id, ActionEvent.occurred_at, ActionEvent.id)
        )
        for action_id, kind, occurred_at, note in events:
            history.setdefault(action_id, []).append(
                {
                    "kind": kind,
                    "kind_label": _label(ActionEventKind, kind),
                    "on": _iso(local(occurred_at).date()),
                    "note": note if whole else None,
                }
            )
    found: dict[int, list[dict]] = {}
    for action_id, case_id, meeting_id, description, due_on, status, owner, agency, raised_at in rows:
        found.setdefault(case_id, []).append(
            {
                "id": action_id,
                "description": description if whole else None,
                "owner": owner if whole else None,
                "agency": agency,
                "due_on": _iso(due_on),
                "status": status,
                "raised_on": _iso(local(raised_at).date()),
                "raised_at_meeting_id": meeting_id,
                "history": history.get(action_id, []),
            }
        )
    return found


def cards_for(case_ids: list[int], view: View, *, meeting=None) -> dict[int, dict]:
    """The card of each case, by case id (see the module docstring). `meeting` gives the
    lead professionals' updates for that meeting (left out of the sanitised view). Case
    ids that do not exist are left out. Reads only: the caller audits."""
    case_ids = sorted(set(case_ids))
    if not case_ids:
        return {}
    whole = view is not View.SANITISED
    cases = _load_cases(case_ids)
    alerts_for(cases)  # the missing-episode alerts of every case in one query
    assessments = _latest_assessments(case_ids)
    services = _services(case_ids)
    labels = _labels()
    open_episodes, returned_episodes = _episodes(case_ids)
    updates = _lead_updates(case_ids, meeting) if whole else {}
    actions = _open_actions(case_ids, whole)
    links = intelligence_links.links_for(case_ids, view)

    def ref(kind: ReferenceKind, code):
        return labels.get((kind.value, code), code) if code else None

    cards = {}
    for case in cases:
        shown = project(case, view)
        child = shown.child
        assessment = assessments.get(case.id)
        missing_now = shown.open_missing_episode
        open_episode = open_episodes.get(case.id) if missing_now else None
        returned = returned_episodes.get(case.id) if missing_now is not None else None
        flags = shown.flags
        case_actions = actions.get(case.id, [])
        cards[case.id] = {
            "case_id": case.id,
            "name": child.name,
            "age": child.age,
            "date_of_birth": _iso(child.date_of_birth),
            "address": child.address,
            "school": child.school,
            "nhs_number": child.nhs_number,
            "state": shown.state,
            "state_label": _label(CaseState, shown.state),
            "exploitation_types": [_label(ExploitationType, t) for t in shown.exploitation_types or []],
            "flags": [_label(CaseFlag, f) for f in flags] if flags is not None else [],
            "risk_level": shown.risk_level,
            "risk_level_label": _label(RiskLevel, shown.risk_level),
            "suggested_risk_level": assessment[0] if assessment else None,
            "suggested_risk_level_label": _label(RiskLevel, assessment[0]) if assessment else None,
            "latest_assessment_on": _iso(local(assessment[1]).date()) if assessment else None,
            "lead_professional": shown.lead_professional.name if shown.lead_professional else None,
            "lead_professional_id": shown.lead_professional_id,
            "lead_agency": shown.lead_agency_name,
            "police_tier": shown.police_tier,
            "police_tier_label": ref(ReferenceKind.POLICE_TIER, shown.police_tier),
            "police_team": shown.police_team,
            "police_team_label": ref(ReferenceKind.POLICE_TEAM, shown.police_team),
            "services": services.get(case.id, []),
            "missing_now": bool(missing_now),
            "open_missing_episode": ({"went_missing_at": _iso(open_episode[0])} if open_episode else None),
            "rhi_status": (
                _label(RhiStatus, returned[1]) or "Not recorded" if returned is not None else None
            ),
            "rhi_overdue": bool(shown.rhi_overdue),
            "repeat_missing": bool(shown.repeat_missing),
            "nrm_status": agenda_rules.nrm_status(
                shown.nrm_referred_on,
                shown.nrm_reasonable_grounds,
                shown.nrm_reasonable_grounds_on,
                shown.nrm_conclusive_grounds,
                shown.nrm_conclusive_grounds_on,
            ),
            **links.get(case.id, intelligence_links.empty_links()),
            "open_actions": case_actions,
            "open_action_count": len(case_actions),
            "next_review_on": _iso(shown.next_review_on),
            "lead_update": updates.get(case.id),
        }
    return cards
