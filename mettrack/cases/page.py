"""The case page's data, built in one place before the page renders.

`SECTIONS` lists the page's sections in page order, as NetBox lists an object view's
panels: each has a name (its template is cases/_<name>_section.html), a builder that
reads what the section shows, and whether it needs the whole record. A coordinator who
is not on the case's team gets the summary view (mettrack/cases/projection.py): the
sections that need the whole record are not built, so nothing of them is read.

`page_for` reads the case through scope (an audited 404 outside need-to-know) and writes
one audit row naming the sections shown and the ids of the records shown in them. It
neither commits nor renders: the view runs it, and the rendering, in one unit of work.
Builders return plain data (dataclasses, dicts, rows already loaded), so the template
renders without reaching the database.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mettrack.cases import (
    access_reasons,
    projection,
    transitions,
    workflow,
)
from mettrack.cases import (
    classification as case_classification,
)
from mettrack.cases import queries as case_reads
from mettrack.cases import (
    referral as referrals,
)
from mettrack.cases import (
    team as case_team,
)
from mettrack.cases.models import Case, CaseEvent
from mettrack.cases.projection import ProjectedCase, View
from mettrack.cases.scopes import case_summary_scope
from mettrack.core import audit
from mettrack.core.choices import (
    MEETING_EVENTS,
    SERVICE_EVENTS,
    CaseAction,
    CaseFlag,
    CaseState,
    ExploitationType,
    HarmLocation,
    LookedAfterStatus,
    NrmDecision,
    ReferenceKind,
    Role,
    ScreeningOutcome,
    ServiceOutcome,
)
from mettrack.core.clock import local
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, can
from mettrack.intelligence import case_panel_for
from mettrack.meetings.models import ClosureProposal
from mettrack.missing import summary_of
from mettrack.notes import SECTION_SIZE, count_for_case, newest_of
from mettrack.reference import label_for
from mettrack.risk import summary_of as risk_assessments_summary_of
from mettrack.screening.models import Screening
from mettrack.specialist_services import REQUEST_STATES, request_views_of, tier_history_for

AUDIT_ACTION = "case.viewed"


@dataclass
class Reading:
    """What a builder is given, and where it says which records it shows."""

    user: Any
    case: Case
    projected: ProjectedCase
    shown_ids: dict[str, list[int]] = field(default_factory=dict)

    _read: dict[str, Any] = field(default_factory=dict)

    def show(self, kind: str, ids) -> None:
        self.shown_ids[kind] = list(ids)

    def once(self, key: str, read: Callable[[], Any]) -> Any:
        """What `read` returns, read once for the page: the summary's urgent panel and the
        section further down show the same records."""
        if key not in self._read:
            self._read[key] = read()
        return self._read[key]


@dataclass(frozen=True)
class Section:
    name: str
    build: Callable[[Reading], Any]
    needs_whole_record: bool
    # The section's heading and its id, for the page's contents; None for the summary
    # and the next steps, which come before the contents.
    title: str | None = None
    anchor: str | None = None


@dataclass
class CasePage:
    case: ProjectedCase
    sections: dict[str, Any]  # name -> the builder's data, in page order
    # The in-page contents: (anchor, title) of each section shown below the next steps.
    contents: list[tuple[str, str]] = field(default_factory=list)


# --- the builders, in page order


def _summary(r: Reading) -> dict:
    lead = r.case.lead_professional
    return {
        "age": r.projected.child.age,
        "exploitation_types": [t.upper() for t in r.projected.exploitation_types],
        "lead_name": lead.name if lead else None,
        "lead_agency_name": r.projected.lead_agency_name,
        "urgent": _urgent(r),
    }


def _urgent(r: Reading) -> list[dict]:
    """What needs attention now, for the panel at the top of the page, most urgent first:
    each item's kind (its tag), its words, and where to act on it (None when this user
    does not act on it). The missing and risk rules decide, as in the case list's alerts
    (mettrack/missing/rules.py, mettrack/risk/rules.py); a case summary shows only what
    its projection does not withhold (the review date)."""
    case, user, whole = r.case, r.user, r.projected.whole_record
    items: list[dict] = []

    def item(kind: str, tag: str, text: str, link: str | None = None, href: str | None = None) -> None:
        items.append({"kind": kind, "tag": tag, "text": text, "link": link if href else None, "href": href})

    if whole:
        missing = r.once("missing", lambda: summary_of(case))
        may_record = can(user, Perm.MISSING_RECORD)

        def recording(endpoint: str, episode) -> str | None:
            return url_for(endpoint, case_id=case.id, episode_id=episode.id) if may_record else None

        if missing.open_episode:
            episode = missing.open_episode.episode
            text = f"Missing since {_when(episode.went_missing_at)}."
            if episode.police_reference:
                text += f" Police reference {episode.police_reference}."
            item(
                "missing-now",
                "Missing now",
                text,
                "Record the child's return",
                recording("missing.record_return", episode),
            )
        for view in missing.overdue:
            item(
                "rhi-overdue",
                "Return Home Interview overdue",
                f"It should have been offered by {_when(view.rhi_due_at)}, 72 hours after the return on "
                f"{_when(view.episode.returned_at)}.",
                "Record the Return Home Interview",
                recording("missing.record_rhi", view.episode),
            )
        for view in missing.due:
            item(
                "rhi-due",
                "Return Home Interview due",
                f"Offer a Return Home Interview by {_when(view.rhi_due_at)}.",
                "Record the Return Home Interview",
                recording("missing.record_rhi", view.episode),
            )
    risk = r.once("risk", lambda: risk_assessments_summary_of(case)) if whole else None
    may_assess = whole and can(user, Perm.RISK_ASSESS)
    if (risk.overdue if risk else r.projected.review_overdue) and case.is_open:
        item(
            "review-overdue",
            "Review overdue",
            f"The risk review was due on {case.next_review_on:%-d %B %Y}."
            if case.next_review_on
            else "The risk review is overdue.",
            "Record a new risk assessment",
            url_for("risk_assessments.new", case_id=case.id) if may_assess else None,
        )
    if whole:
        missing = r.once("missing", lambda: summary_of(case))
        if missing.repeat.flagged:
            item(
                "repeat-missing",
                "Repeat missing",
                f"The child {missing.repeat_phrase} in the last {missing.repeat.rule.days} days. "
                "Bring this to the MET group.",
            )
        child = case.child
        if child.looked_after:
            status = LookedAfterStatus.labels().get(child.looked_after_status or "")
            item(
                "looked-after",
                "Looked after",
                "The child is looked after by the local authority"
                + (f": {status}." if status else ".")
                + ("" if missing.philomena else " No Philomena Protocol details are recorded yet."),
                "Philomena Protocol details",
                "#philomena",
            )
        c = r.once("classification", lambda: case_classification.classification_of(case))
        if c.nrm_recorded:
            words = "A National Referral Mechanism referral was made"
            words += f" on {c.nrm_referred_on:%-d %B %Y}." if c.nrm_referred_on else "."
            if c.nrm_conclusive_grounds:
                words += f" Conclusive grounds: {CLASSIFICATION_LABELS.get(c.nrm_conclusive_grounds)}."
            elif c.nrm_reasonable_grounds:
                words += f" Reasonable grounds: {CLASSIFICATION_LABELS.get(c.nrm_reasonable_grounds)}."
            else:
                words += " No decision is recorded yet."
            item("nrm", "NRM", words, "NRM details", "#classification")
    return items


def _when(moment) -> str:
    return local(moment).strftime("%-d %B %Y %H:%M") if moment else "a time not recorded"


def offered_moves(case: Case, user) -> list[dict]:
    """The moves the user may take now, and those not yet possible with what is missing
    (the case page's buttons, and the screenings page's "Record the referral")."""
    fixes = _fix_links(case, user)
    return [
        {
            "action": o.action.value,
            "label": o.action.label,
            "possible": o.possible,
            "reasons": o.reasons,
            "needs_exploitation_type": workflow.needs_exploitation_type(o.reasons),
            "url": url_for("transitions.move", case_id=case.id, action=o.action.value),
            "closes": workflow.move_for(o.action).to_state is CaseState.CLOSED,
            # Where to record what the move waits for, each place once.
            "fixes": list({fixes[f][1]: fixes[f] for f in o.missing_facts if f in fixes}.values()),
        }
        for o in transitions.offered_moves(case, user)
    ]


def _fix_links(case: Case, user) -> dict[str, tuple[str, str]]:
    """Where each fact a move may wait for is recorded (workflow.CaseFacts' names): the
    words and the link, for the facts this user can record."""
    links: dict[str, tuple[str, str]] = {}
    if can(user, Perm.CHILD_EDIT):
        child = ("Complete the child's record", url_for("children.edit", child_id=case.child_id))
        links |= {"has_child_name": child, "has_date_of_birth": child, "has_address": child}
    if can(user, Perm.CASE_SCREEN):
        screen = ("Record a CSERQ4 screening", url_for("screenings.new", child_id=case.child_id))
        links |= {"has_positive_screening": screen, "latest_screening_negative": screen}
    if case_classification.may_edit(user, case):
        links["has_exploitation_type"] = (
            "Record the exploitation types",
            url_for("case_classification.edit", case_id=case.id),
        )
    if can(user, Perm.RISK_ASSESS):
        links["has_completed_risk_assessment"] = (
            "Record a risk assessment",
            url_for("risk_assessments.new", case_id=case.id),
        )
    return links


def _waiting_on(case: Case, user) -> list[dict]:
    """The moves on from this state that others take (from the workflow table), so that a
    user with no move of their own sees what comes next and whose it is. Closing, which the
    MET chair may do from any open state, is left out."""
    held = set(user.roles)
    return [
        {"label": move.action.label, "by": " or ".join(_role_words(role) for role in sorted(move.roles))}
        for move in workflow.MOVES
        if case.state in move.from_states
        and move.action is not CaseAction.CLOSE
        and not held & {role.value for role in move.roles}
        and move.action in transitions.ACTION_FIELDS
    ]


def _role_words(role: Role) -> str:
    label = Role(role).label
    return label if label.startswith("MET") else label[0].lower() + label[1:]


def _actions(r: Reading) -> dict:
    """The next steps: the moves possible now for this user first (in the workflow table's
    order), then a screening where it still belongs (a screened case, or one with none),
    then proposing closure; the moves not yet possible with what is missing and where to
    record it; and the moves others take from here."""
    case, user, whole = r.case, r.user, r.projected.whole_record
    moves = offered_moves(case, user)
    may_screen = whole and can(user, Perm.CASE_SCREEN)
    screenings = r.once("screenings", lambda: _screenings_of(case)) if whole else []
    screening_first = may_screen and not screenings and case.is_open
    screening_step = may_screen and (case.state == CaseState.SCREENED.value or not screenings)
    closure = _closure(r)
    steps = [
        {"label": m["label"], "url": m["url"], "warning": m["closes"], "id": f"move-{m['action']}"}
        for m in moves
        if m["possible"]
    ]
    screen = {
        "label": "Record a CSERQ4 screening",
        "url": url_for("screenings.new", child_id=case.child_id),
        "warning": False,
        "id": "screen",
    }
    if screening_first:
        steps.insert(0, screen)
    elif screening_step:
        steps.append(screen)
    if closure and closure["may_propose"]:
        steps.append(
            {
                "label": "Propose closure at the MET",
                "url": closure["url"],
                "warning": False,
                "id": "propose-closure",
            }
        )
    return {
        "steps": steps,
        "waiting": [m for m in moves if not m["possible"]],
        "waiting_on": _waiting_on(case, user) if case.is_open else [],
        # A screening on a case past screening: offered as a link, not a next step.
        "screen_url": screen["url"] if may_screen and not (screening_first or screening_step) else None,
        "may_classify": case_classification.may_edit(user, case),
        "closure": closure,
    }


def _referral(r: Reading) -> dict:
    """What the moves recorded: the referral to Children's Services, the police tier and
    team, and the exit reason of a closed case (a case summary: the police tier only)."""
    case, user, whole = r.case, r.user, r.projected.whole_record
    # (label, text, at, by): the template shows `by` and `at` (London time) or the text.
    rows: list[tuple[str, str | None, Any, str | None]] = []
    if whole:
        recorded_by = case.referral_outcome_recorded_by
        rows += [
            ("Referred to Children's Services", None, case.referred_at, None),
            ("MASH reference", case.mash_reference, None, None),
            ("Outcome of the referral", case.referral_outcome, None, None),
        ]
        if recorded_by:
            rows.append(("Outcome recorded", None, case.referral_outcome_recorded_at, recorded_by.name))
        rows.append(("Referred on professional judgement", case.referral_override_reason, None, None))
    for label, kind, code in (
        ("Police tier", ReferenceKind.POLICE_TIER, case.police_tier),
        ("Holding team", ReferenceKind.POLICE_TEAM, case.police_team),
    ):
        if code:
            rows.append((label, label_for(kind, code), None, None))
    if whole and case.closure_reason:
        reason = label_for(ReferenceKind.EXIT_REASON, case.closure_reason)
        rows.append(
            ("Exit reason", reason + (f": {case.closure_note}" if case.closure_note else ""), None, None)
        )
    shown = [{"key": label, "text": text, "at": at, "by": by} for label, text, at, by in rows if text or at]
    return {
        "rows": shown,
        "may_record_referral": whole and referrals.may_record(user, case),
    }


def _closure(r: Reading) -> dict | None:
    """The MET closure proposal: the open one, shown with the whole record; and, to the
    lead professional of an open case, the way to propose one (meetings' closure form)."""
    case, user = r.case, r.user
    if not r.projected.whole_record:
        return None
    proposal = db.session.scalar(
        select(ClosureProposal)
        .where(
            ClosureProposal.case_id == case.id,
            ClosureProposal.settled_at.is_(None),
            ClosureProposal.withdrawn.is_(False),
        )
        .options(selectinload(ClosureProposal.proposed_by))
        .order_by(ClosureProposal.proposed_at.desc(), ClosureProposal.id.desc())
        .limit(1)
    )
    may_propose = case.is_open and case.lead_professional_id == user.id and can(user, Perm.MEETING_CONTRIBUTE)
    if proposal is None and not may_propose:
        return None
    if proposal is not None:
        r.show("closure_proposal", [proposal.id])
    return {
        "proposal": proposal,
        "may_propose": may_propose and proposal is None,
        "may_change": may_propose and proposal is not None,
        "url": url_for("meeting_agenda.closure_proposal", case_id=case.id),
    }


CLASSIFICATION_LABELS = {
    c.value: c.label for enum in (ExploitationType, CaseFlag, HarmLocation, NrmDecision) for c in enum
}


def _classification(r: Reading) -> dict:
    c = r.once("classification", lambda: case_classification.classification_of(r.case))

    def labels(values) -> list[str]:
        return [CLASSIFICATION_LABELS.get(v, v) for v in values]

    return {
        "exploitation_types": labels(c.exploitation_types),
        "flags": labels(c.flags),
        "harm_locations": labels(c.harm_locations),
        "nrm_recorded": c.nrm_recorded,
        "nrm_referred_on": c.nrm_referred_on,
        "nrm_reasonable_grounds": CLASSIFICATION_LABELS.get(c.nrm_reasonable_grounds),
        "nrm_reasonable_grounds_on": c.nrm_reasonable_grounds_on,
        "nrm_conclusive_grounds": CLASSIFICATION_LABELS.get(c.nrm_conclusive_grounds),
        "nrm_conclusive_grounds_on": c.nrm_conclusive_grounds_on,
        "type_missing": case_classification.type_missing(r.case),
        "editable": case_classification.may_edit(r.user, r.case),
    }


def _child(r: Reading) -> dict:
    return {"child": r.case.child, "may_edit": can(r.user, Perm.CHILD_EDIT)}


def _screenings_of(case: Case) -> list[Screening]:
    return db.session.scalars(
        select(Screening)
        .where(Screening.case_id == case.id)
        .options(selectinload(Screening.screened_by))
        .order_by(Screening.recorded_at.desc(), Screening.id.desc())
    ).all()


def _screening(r: Reading) -> list[dict]:
    rows = r.once("screenings", lambda: _screenings_of(r.case))
    r.show("screenings", (s.id for s in rows))
    return screening_rows(rows)


def screening_rows(rows) -> list[dict]:
    """Screenings as the screening table shows them (also the case's screenings page)."""
    return [
        {"row": s, "outcome": ScreeningOutcome(s.outcome).label, "screened_by": s.screened_by.name}
        for s in rows
    ]


def _risk(r: Reading) -> dict:
    summary = r.once("risk", lambda: risk_assessments_summary_of(r.case))
    r.show("risk_assessments", [summary.current.assessment.id] if summary.current else [])
    return {"summary": summary, "may_assess": can(r.user, Perm.RISK_ASSESS)}


def _missing(r: Reading) -> dict:
    summary = r.once("missing", lambda: summary_of(r.case))
    r.show("missing_episodes", (e.episode.id for e in summary.episodes))
    return {
        "summary": summary,
        "may_record": can(r.user, Perm.MISSING_RECORD),
        "may_edit_philomena": can(r.user, Perm.PHILOMENA_EDIT),
    }


def _intelligence(r: Reading):
    # None for a role that does not read intelligence: the template shows nothing then.
    panel = case_panel_for(r.user, r.case)
    if panel is not None:
        for kind, ids in panel.shown.items():
            r.show(kind, ids)
    return panel


def _services(r: Reading) -> dict:
    views = request_views_of(r.case)
    # Every request the section shows, under the key the section has always used (the
    # accepted services were the only ones then; all are ServiceRequest rows).
    r.show("service_assignments", (v.request.id for v in views))
    may_assign = can(r.user, Perm.SERVICE_ASSIGN)
    return {
        "requests": views,
        "may_assign": may_assign,
        "may_request": may_assign and r.case.state in REQUEST_STATES,
        "outcome_labels": ServiceOutcome.labels(),
    }


def _police_tier(r: Reading) -> dict:
    # The tier's record and history (specialist_services/tiers.py): the case team's.
    found = tier_history_for(r.case, r.user)
    r.show("police_tier_records", (e.record.id for e in found.history))
    return {"current": found.current, "history": found.history, "may_set": found.may_set}


def _notes(r: Reading) -> dict:
    shown = newest_of(r.case, SECTION_SIZE)
    r.show("notes", (n.id for n in shown))
    total = count_for_case(r.case)
    return {
        "notes": shown,
        "total": total,
        "more": total - len(shown),
        "may_write": can(r.user, Perm.NOTE_WRITE),
    }


def _team(r: Reading) -> dict:
    team = case_team.team_of(r.case)
    r.show("team", (m.user_id for m in team.members))
    return {
        "lead": r.case.lead_professional,
        "members": team.members,
        "manage": case_team.may_manage(r.user, r.case),
    }


def _timeline(r: Reading) -> list[dict]:
    # A case summary's timeline: the moves between states, without their reasons.
    narrated = case_team.TEAM_EVENTS | referrals.REFERRAL_EVENTS | MEETING_EVENTS | SERVICE_EVENTS
    events = db.session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == r.case.id)
        .options(selectinload(CaseEvent.actor))
        .order_by(CaseEvent.occurred_at, CaseEvent.id)
    ).all()
    whole = r.projected.whole_record
    shown = [e for e in events if whole or e.action not in narrated]
    r.show("events", (e.id for e in shown))
    return [
        {
            "occurred_at": e.occurred_at,
            "narrated": e.action in narrated,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "reason": e.reason if whole or e.action in narrated else None,
            "actor_name": e.actor.name if e.actor else None,
        }
        for e in shown
    ]


# In the order a practitioner reads the case: what is urgent and what to do next, then
# the records, the child missing and the risk first.
SECTIONS: tuple[Section, ...] = (
    Section("summary", _summary, needs_whole_record=False),
    Section("actions", _actions, needs_whole_record=False),
    Section("missing", _missing, True, "Missing episodes", "missing"),
    Section("risk", _risk, True, "Risk assessment", "risk"),
    Section("notes", _notes, True, "Notes", "notes"),
    Section("classification", _classification, True, "Exploitation types and flags", "classification"),
    Section("child", _child, True, "The child’s record", "child"),
    Section("referral", _referral, False, "Referral and closure", "referral"),
    Section("screening", _screening, True, "Screenings (CSERQ4)", "screenings"),
    Section("police_tier", _police_tier, True, "Police tier", "police-tier"),
    Section("services", _services, False, "Specialist services", "services"),
    Section("intelligence", _intelligence, True, "Intelligence", "intelligence"),
    Section("team", _team, True, "Team", "team"),
    Section("timeline", _timeline, False, "Timeline", "timeline"),
)


def _contents(sections: dict[str, Any]) -> list[tuple[str, str]]:
    """The contents list: each section shown that has a heading (the intelligence panel
    only for a role that reads intelligence; referral rows only when there are some)."""
    shown = []
    for s in SECTIONS:
        data = sections.get(s.name, False)
        if not s.title or data is False or data is None:
            continue
        if s.name == "referral" and not (data["rows"] or data["may_record_referral"]):
            continue
        shown.append((s.anchor, s.title))
    return shown


def page_for(user, case_id: int) -> CasePage:
    """Who: any role with case.view, on a case within their case summary scope (NotFound
    otherwise, audited). The page's data, and one audit row naming what it shows."""
    # Its one audit row, below, names what the page shows.
    case = case_reads.case_within(user, case_id, case_summary_scope(user), AUDIT_ACTION)
    # A police user says why first (cases/access_reasons.py); the reason goes in the row.
    reason = access_reasons.required(user, [case])
    projected = projection.project_for(user, case)
    reading = Reading(user, case, projected)
    sections = {
        s.name: s.build(reading) for s in SECTIONS if projected.whole_record or not s.needs_whole_record
    }
    detail: dict[str, Any] = {"sections": list(sections), "ids": reading.shown_ids}
    if projected.view is not View.WHOLE:
        detail["access"] = projected.view.value
    if reason is not None:
        detail["reason"] = reason
    audit.record(AUDIT_ACTION, "case", case.id, detail=detail, actor=user)
    return CasePage(projected, sections, _contents(sections))
