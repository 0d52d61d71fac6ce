"""Helpers for the issued-agenda tests (tests/meetings/test_issue_*.py): cases on a
meeting's draft agenda as AgendaItem rows, made directly (the builder has its own tests)."""

import json
from datetime import date

from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import AgendaSection, CaseState, Role
from mettrack.core.extensions import db
from mettrack.meetings.models import AgendaItem
from tests import factories
from tests.meetings import factories as meeting_factories


def on_agenda(meeting, case, section=AgendaSection.HIGH_RISK, position=0, reasons=None) -> AgendaItem:
    item = AgendaItem(
        meeting_id=meeting.id,
        case_id=case.id,
        section=AgendaSection(section).value,
        position=position,
        reasons=reasons
        if reasons is not None
        else [{"section": AgendaSection(section).value, "text": "high risk"}],
    )
    db.session.add(item)
    db.session.commit()
    return item


def open_case(lead=None, **child_fields):
    """A case for MET review, its child with the given fields."""
    lead = lead or factories.user(roles=[Role.LEAD_PROFESSIONAL])
    child_fields.setdefault("date_of_birth", date(2011, 3, 3))
    child_fields.setdefault("address", "1 Test Street, Testtown, ZZ99 1ZZ")
    return factories.case(lead=lead, state=CaseState.MET_REVIEW, child_obj=factories.child(**child_fields))


def meeting_with_agenda(n=2, *, chair=None, members=()):
    """A meeting with `n` cases on its draft agenda. Returns (meeting, cases)."""
    chair = chair or factories.user(roles=[Role.MET_CHAIR])
    meeting = meeting_factories.meeting(chair=chair, members=members)
    cases = [open_case() for _ in range(n)]
    for position, case in enumerate(cases):
        on_agenda(meeting, case, position=position)
    return meeting, cases


def user(user_id) -> User:
    return db.session.get(User, user_id)


def audit_rows(action: str) -> list[dict]:
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
    return [
        {
            "actor_user_id": r.actor_user_id,
            "record_type": r.record_type,
            "record_id": int(r.record_id) if r.record_id and r.record_id.isdigit() else r.record_id,
            "detail": json.loads(r.detail),
        }
        for r in rows
    ]
