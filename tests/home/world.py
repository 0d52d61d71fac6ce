"""A world with one case of each kind a work queue counts (or `n` of each), written
directly as rows so that ten of each stay quick; the clock frozen at NOW."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from mettrack.accounts.role_grant import RoleGrant
from mettrack.accounts.sign_in_failure import SignInFailure
from mettrack.cases.models import Case, CaseTag, CaseTeamMember
from mettrack.children.models import Child
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.missing.models import MissingEpisode
from tests import factories

# A Friday at noon in London (GMT): "this week" runs to Thursday 10 December.
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
TODAY = NOW.date()

# kind -> what makes a case of that kind
KINDS = (
    "missing_now",
    "rhi_overdue",
    "rhi_to_offer",
    "review_overdue",
    "review_this_week",
    "met_review",
    "screened",
    "waiting_for_service",
    "needs_lead",
)


@dataclass
class World:
    chair: object
    lead: object
    coordinator: object
    partner: object
    analyst: object
    admin: object
    cases: dict = field(default_factory=dict)  # kind -> [case ids]
    partner_case: int | None = None
    other_case: int | None = None


def _case(kind: str, lead, n: int) -> Case:
    child = Child(first_name="Queuechild", last_name=f"{kind.replace('_', '-').title()}{n}")
    db.session.add(child)
    db.session.flush()
    state = {
        "met_review": CaseState.MET_REVIEW,
        "screened": CaseState.SCREENED,
        "waiting_for_service": CaseState.POLICE_TIERED,
    }.get(kind, CaseState.REFERRED)
    case = Case(
        child_id=child.id,
        state=state.value,
        risk_level="high" if n % 2 else "medium",
        lead_professional_id=None if kind == "needs_lead" else lead.id,
        opened_at=NOW - timedelta(days=30, minutes=n),
        next_review_on={
            "review_overdue": TODAY - timedelta(days=3),
            "review_this_week": TODAY + timedelta(days=2),
        }.get(kind, TODAY + timedelta(days=60)),
    )
    db.session.add(case)
    db.session.flush()
    db.session.add(CaseTag(case_id=case.id, kind="exploitation_type", value="cse"))
    if kind != "needs_lead":
        db.session.add(CaseTeamMember(case_id=case.id, user_id=lead.id, team_role="lead"))
    went = {
        "missing_now": (NOW - timedelta(hours=5), None),
        "rhi_overdue": (NOW - timedelta(days=5), NOW - timedelta(days=4)),
        "rhi_to_offer": (NOW - timedelta(days=2), NOW - timedelta(days=1)),
    }.get(kind)
    if went:
        db.session.add(
            MissingEpisode(
                case_id=case.id, went_missing_at=went[0], returned_at=went[1], recorded_by_id=lead.id
            )
        )
    return case


def build(n: int = 1) -> World:
    set_now(NOW)
    world = World(
        chair=factories.user(roles=[Role.MET_CHAIR], name="Chair Person"),
        lead=factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Lead Person"),
        coordinator=factories.user(roles=[Role.COORDINATOR], name="Coordinator Person"),
        partner=factories.user(roles=[Role.PARTNER], name="Partner Person"),
        analyst=factories.user(roles=[Role.ANALYST], name="Analyst Person"),
        admin=factories.user(roles=[Role.ADMIN], name="Admin Person"),
    )
    for i in range(n):
        for kind in KINDS:
            case = _case(kind, world.lead, i)
            world.cases.setdefault(kind, []).append(case.id)
    db.session.flush()
    # The partner is on the team of one case (the one missing now), not of the others.
    world.partner_case = world.cases["missing_now"][0]
    world.other_case = world.cases["rhi_overdue"][0]
    db.session.add(CaseTeamMember(case_id=world.partner_case, user_id=world.partner.id, team_role="member"))
    for case_id in world.cases["waiting_for_service"]:
        asked = NOW - timedelta(days=7)  # Friday 27 November: five working days ago
        db.session.add(factories.service_request(case_id, world.chair.id, requested_at=asked))
    db.session.add(
        RoleGrant(user_id=world.lead.id, role=Role.MET_CHAIR.value, state="pending", requested_at=NOW)
    )
    db.session.add(
        SignInFailure(
            account_key=uuid.uuid4().hex * 2,
            failures=5,
            first_failed_at=NOW,
            locked_until=NOW + timedelta(minutes=10),
        )
    )
    db.session.commit()
    return world
