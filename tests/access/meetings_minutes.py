"""MET meetings: attendance and minutes (pages and API). {meeting} has {case} on its
agenda and an approved version 1 of its minutes (build_records), so that reading a
version, recording an item, applying and approving (a correction) all succeed."""

from datetime import UTC, datetime

from sqlalchemy import select

from mettrack.cases.models import Case
from mettrack.core.choices import AgendaSection, CaseState, Role
from mettrack.core.extensions import db
from mettrack.meetings.models import AgendaItem, MinutesVersion
from tests.access import CASE_ROLES, Route


def build_records(users: dict, meeting_id: int) -> dict:
    """For tests/access/meetings.py: the world's visible case (led by the test lead
    professional) on {meeting}'s agenda, and version 1 of its minutes."""
    lead = users[Role.LEAD_PROFESSIONAL]
    case_id = db.session.scalar(
        select(Case.id).where(Case.lead_professional_id == lead.id, Case.state != CaseState.CLOSED.value)
    )
    chair = users[Role.MET_CHAIR]
    # The agenda's access records (meetings_agenda.py) may have put the case there already.
    on_agenda = db.session.scalar(
        select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id, AgendaItem.case_id == case_id)
    )
    if on_agenda is None:
        db.session.add(
            AgendaItem(
                meeting_id=meeting_id,
                case_id=case_id,
                section=AgendaSection.REVIEW_DUE.value,
                reasons=[{"section": AgendaSection.REVIEW_DUE.value, "text": "review due"}],
            )
        )
    db.session.add_all(
        [
            MinutesVersion(
                meeting_id=meeting_id,
                number=1,
                approved_at=datetime(2026, 3, 10, 13, tzinfo=UTC),
                approved_by_id=chair.id,
                content={
                    "meeting": {"id": meeting_id},
                    "attendance": {"people": [], "quorum": {"quorate": True, "required": [], "missing": []}},
                    "items": [],
                },
            ),
        ]
    )
    db.session.commit()
    return {}


MEMBERS = dict(allowed=CASE_ROLES, need_to_know=True)
CHAIR = dict(allowed=frozenset({Role.MET_CHAIR}))
OBSERVER = {"name": "An observer", "observer": "yes", "status": "present", "confidentiality_signed": "yes"}
BASE = "/meetings/{meeting}"
API = "/api/v1/meetings/{meeting}/minutes"

ROUTES = [
    Route("GET", "meeting_attendance.show", BASE + "/attendance", **MEMBERS),
    Route("POST", "meeting_attendance.record", BASE + "/attendance", ok=302, data=OBSERVER, **CHAIR),
    Route("GET", "meeting_minutes.show", BASE + "/minutes", **MEMBERS),
    Route("GET", "meeting_minutes.version", BASE + "/minutes/versions/1", **MEMBERS),
    Route(
        "POST",
        "meeting_minutes.record_item",
        BASE + "/minutes/items/{case}",
        ok=302,
        data={"discussion": "Discussed."},
        **CHAIR,
    ),
    Route("POST", "meeting_minutes.apply", BASE + "/minutes/apply", ok=302, **CHAIR),
    Route(
        "POST",
        "meeting_minutes.approve",
        BASE + "/minutes/approve",
        ok=302,
        data={"correction_reason": "A name was misspelt"},
        **CHAIR,
    ),
    Route("GET", "api_meeting_minutes.Minutes", API, api=True, **MEMBERS),
    Route(
        "POST",
        "api_meeting_minutes.ItemMinutes",
        API + "/items/{case}",
        data={"discussion": "Discussed."},
        api=True,
        **CHAIR,
    ),
    Route("POST", "api_meeting_minutes.ApplyDecisions", API + "/apply", api=True, **CHAIR),
    Route(
        "POST",
        "api_meeting_minutes.ApproveMinutes",
        API + "/approve",
        ok=201,
        data={"correction_reason": "A name was misspelt"},
        api=True,
        **CHAIR,
    ),
]
