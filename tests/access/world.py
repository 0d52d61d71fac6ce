"""The records the access matrix runs against (see tests/access/__init__.py)."""

from dataclasses import dataclass, field

from mettrack.core.choices import CaseState, Role
from tests import factories
from tests.snapshots import Snapshot

ROUTES = []  # this module holds no routes; it is not an area table


@dataclass
class World:
    emails: dict
    user_ids: dict
    tokens: dict  # role -> bearer secret
    token_ids: dict  # role -> id of that token
    ids: dict
    notification_ids: dict = field(default_factory=dict)  # role -> a reminder row for that user

    def placeholders(self, role) -> dict:
        return {**self.ids, "token": self.token_ids[role], "notification": self.notification_ids.get(role)}


def issue_token(user) -> tuple[int, str]:
    from mettrack.accounts import tokens

    token, secret = tokens.create_token(user, name="matrix", actor=user)
    return token.id, secret


def build_world() -> World:
    users = {role: factories.user(roles=[role], agency=f"Agency for {role.value}") for role in Role}
    target = factories.user(roles=[Role.PARTNER], agency="Target agency")
    visible = factories.case(
        lead=users[Role.LEAD_PROFESSIONAL],
        members=[u for r, u in users.items() if r != Role.LEAD_PROFESSIONAL],
        state=CaseState.MET_REVIEW,
    )
    hidden = factories.case(lead=None, state=CaseState.CLOSED)
    # Open, led by a lead professional who is not a test user, with no test user on its
    # team: the coordinator reaches its summary only (permissions.case_summary_scope).
    other_lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], agency="Open case agency")
    open_case = factories.case(lead=other_lead, state=CaseState.MET_REVIEW, exploitation_types=["cce"])
    from tests.access.missing import build_records as build_missing_records

    missing_ids = build_missing_records(visible, hidden, users[Role.LEAD_PROFESSIONAL])
    from tests.access.risk import build_records as build_risk_records

    risk_ids = build_risk_records(visible, hidden, users[Role.LEAD_PROFESSIONAL])
    from tests.access.services import build_records as build_service_records

    service_ids = build_service_records(visible, hidden, users[Role.LEAD_PROFESSIONAL])
    from tests.access.team import build_records as build_team_records

    team_ids = build_team_records(visible, hidden, users[Role.LEAD_PROFESSIONAL])
    from tests.access.reference_admin import build_records as build_reference_records

    reference_ids = build_reference_records()
    open_ids = build_open_case_records(open_case, other_lead)
    from tests.access.reminders import build_records as build_reminder_records

    notification_ids, reminder_ids = build_reminder_records(visible, users, target)
    from tests.access.meetings import build_records as build_meeting_records

    meeting_ids = build_meeting_records(users)
    from tests.access.intelligence import build_records as build_intelligence_records

    intelligence_ids = build_intelligence_records(users, visible, hidden, open_case)
    from tests.access.service_requests import build_records as build_request_records

    request_ids = build_request_records(users, visible, hidden, open_case)
    from tests.access.role_grants import build_records as build_grant_records

    grant_ids = build_grant_records(users, target)
    tokens, token_ids = {}, {}
    for role, user in users.items():
        token_ids[role], tokens[role] = issue_token(user)
    return World(
        emails={r: u.email for r, u in users.items()},
        user_ids={r: u.id for r, u in users.items()},
        tokens=tokens,
        token_ids=token_ids,
        notification_ids=notification_ids,
        ids={
            "case": visible.id,
            "hidden_case": hidden.id,
            "child": visible.child_id,
            "hidden_child": hidden.child_id,
            "open_case": open_case.id,
            "open_child": open_case.child_id,
            **open_ids,
            "user": target.id,
            "agency": target.agency_id,  # tests/access/agencies.py
            **missing_ids,
            **reference_ids,
            **risk_ids,
            **service_ids,
            **team_ids,
            **reminder_ids,
            **meeting_ids,
            **intelligence_ids,
            **request_ids,
            **grant_ids,
        },
    )


def build_open_case_records(open_case, lead) -> dict:
    """The open case's own records, so that a 404 on it comes from need-to-know, not from
    a record that is not there: a returned missing episode and Philomena details (the
    child in care), a risk assessment, a note and a current service. Returns
    `open_<name>` ids, which stand for `<name>` in a path on the open case."""
    from datetime import UTC, date, datetime

    from mettrack.core.choices import LookedAfterStatus
    from mettrack.core.extensions import db
    from mettrack.missing.models import MissingEpisode, PhilomenaProfile
    from mettrack.notes.models import CaseNote
    from mettrack.risk.models import RiskAssessment, RiskIndicator, RiskRating
    from tests.factories import accepted_service

    open_case.child.looked_after = True
    open_case.child.looked_after_status = LookedAfterStatus.CARE_ORDER.value
    episode = MissingEpisode(
        case_id=open_case.id,
        recorded_by_id=lead.id,
        went_missing_at=datetime(2026, 1, 1, 22, tzinfo=UTC),
        returned_at=datetime(2026, 1, 2, tzinfo=UTC),
    )
    indicator = db.session.scalar(db.select(RiskIndicator).order_by(RiskIndicator.id).limit(1))
    assessment = RiskAssessment(
        case_id=open_case.id,
        assessed_by_id=lead.id,
        suggested_level="medium",
        chosen_level="medium",
        rationale="Agree with the suggestion.",
        next_review_on=date(2026, 3, 1),
    )
    assessment.ratings = [
        RiskRating(indicator_id=indicator.id, rating="medium", period="current", reason="Missing twice.")
    ]
    service = accepted_service(
        open_case.id, lead.id, "parcs", worker="Test Worker", accepted_on=date(2026, 1, 5)
    )
    note = CaseNote(case_id=open_case.id, author_id=lead.id, body="Met the child at school with their carer.")
    db.session.add_all(
        [
            episode,
            assessment,
            service,
            note,
            PhilomenaProfile(
                case_id=open_case.id, description="Tall", photo=b"\x89PNG", photo_type="image/png"
            ),
        ]
    )
    db.session.commit()
    return {
        "open_episode": episode.id,
        "open_risk_assessment": assessment.id,
        "open_service_assignment": service.id,
    }


# The world's rows, taken once per test process after the first build_world and put back
# before each later test (tests/snapshots.py): building it walks three cases through the
# workflow and runs a meeting's agenda to issue, which cost most of the access matrix's time.
_SNAPSHOT = Snapshot("access_world_snapshot")
_WORLD: list[World] = []


def world_from_snapshot() -> World:
    """build_world(), or the same rows put back into the (empty) tables from the first
    build in this process. Needs an app context; tests start on empty tables."""
    import copy

    from mettrack.core.extensions import db

    if not _SNAPSHOT.taken:
        world = build_world()
        db.session.remove()
        _SNAPSHOT.take(db)
        _WORLD.append(world)
        return copy.deepcopy(world)
    _SNAPSHOT.put_back(db)
    return copy.deepcopy(_WORLD[0])
