"""Cases for the agenda tests, made directly in bulk (the query-count tests and the bench
need hundreds; the section tests use tests/factories through the use cases).

`bulk_cases(n, ...)` makes n open cases, each with a child (name, date of birth, address,
school, NHS number), tags, a refer event, a risk assessment, a missing episode, a
specialist service and an open action with its history: every relation a card reads.
"""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.cases.models import Case, CaseEvent, CaseTag
from mettrack.children.models import Child
from mettrack.core.choices import ActionEventKind, CaseState, Role
from mettrack.core.extensions import db
from mettrack.meetings.models import ActionEvent, ClosureProposal, LeadUpdate, MeetingAction
from mettrack.missing.models import MissingEpisode
from mettrack.reference import seed_defaults
from mettrack.reference.models import ReferenceItem
from mettrack.risk.models import RiskAssessment
from tests import factories
from tests.factories import accepted_service

T0 = datetime(2026, 2, 20, 10, tzinfo=UTC)  # before the previous meeting (24 February)


def seed_lists() -> None:
    if db.session.scalar(select(ReferenceItem.id).limit(1)) is None:
        seed_defaults()
        db.session.commit()


def first_code(kind: str) -> str:
    return db.session.scalar(
        select(ReferenceItem.code)
        .where(ReferenceItem.kind == kind)
        .order_by(ReferenceItem.sort_order)
        .limit(1)
    )


def bulk_cases(
    n: int,
    *,
    lead: User,
    previous_meeting,
    meeting,
    since: datetime,
    risk_level: str = "high",
) -> list[int]:
    """n open cases in MET review, each in several sections at once."""
    seed_lists()
    tier = first_code("police_tier")
    ids = []
    for k in range(n):
        child = Child(
            first_name="Bulkchild",
            last_name=f"Number{k}",
            date_of_birth=date(2011, 1, 1),
            address=f"{k} Bulk Street, Testtown",
            school="Testtown Academy",
            nhs_number=f"{9000000000 + k}",
            created_by_id=lead.id,
        )
        case = Case(
            child=child,
            state=CaseState.MET_REVIEW.value,
            risk_level=risk_level,
            lead_professional_id=lead.id,
            lead_agency_id=lead.agency_id,
            police_tier=tier,
            next_review_on=date(2026, 3, 1),
            referred_at=since + timedelta(days=1),
            opened_at=T0,
            nrm_referred_on=date(2026, 2, 1),
        )
        case.tags = [
            CaseTag(kind="exploitation_type", value="cse"),
            CaseTag(kind="flag", value="county_lines"),
        ]
        case.events = [
            CaseEvent(
                actor_id=lead.id,
                action="refer",
                from_state="screened",
                to_state="referred",
                occurred_at=since + timedelta(days=1),
            ),
        ]
        db.session.add(case)
        db.session.flush()
        db.session.add_all(
            [
                RiskAssessment(
                    case_id=case.id,
                    assessed_by_id=lead.id,
                    assessed_at=since + timedelta(days=2),
                    suggested_level="medium",
                    chosen_level=risk_level,
                    rationale="Assessed",
                    next_review_on=date(2026, 3, 1),
                ),
                MissingEpisode(
                    case_id=case.id,
                    went_missing_at=since + timedelta(days=3),
                    returned_at=since + timedelta(days=5),
                    rhi_status="offered",
                    recorded_by_id=lead.id,
                ),
                accepted_service(case.id, lead.id),
                ClosureProposal(
                    case_id=case.id,
                    proposed_by_id=lead.id,
                    reason="Safe now",
                    proposed_at=since + timedelta(days=4),
                ),
                LeadUpdate(
                    meeting_id=meeting.id, case_id=case.id, author_id=lead.id, text="Settled at school"
                ),
            ]
        )
        action = MeetingAction(
            meeting_id=previous_meeting.id,
            case_id=case.id,
            description="Visit the family",
            owner_id=lead.id,
            agency_id=lead.agency_id,
            due_on=date(2026, 3, 5),
            created_by_id=lead.id,
        )
        action.events = [
            ActionEvent(
                kind=ActionEventKind.RAISED.value,
                meeting_id=previous_meeting.id,
                actor_id=lead.id,
                occurred_at=previous_meeting.starts_at,
            )
        ]
        db.session.add(action)
        ids.append(case.id)
    db.session.commit()
    return ids


def lead_user() -> User:
    return factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Lena Lead", agency="Testtown Council")
