"""Actions for tests, saved directly with their RAISED event (the minutes slice makes them
through its use case; these tests are about what happens to them afterwards)."""

from datetime import UTC, date, datetime

from mettrack.core.choices import ActionEventKind
from mettrack.core.extensions import db
from mettrack.meetings.models import ActionEvent, MeetingAction


def action(
    meeting, case, owner, *, due_on=date(2026, 3, 24), description="Arrange a strategy meeting", agency=None
):
    a = MeetingAction(
        meeting_id=meeting.id,
        case_id=case.id,
        description=description,
        owner_id=owner.id,
        agency_id=agency.id if agency else owner.agency_id,
        due_on=due_on,
        created_by_id=meeting.chair_id,
    )
    a.events = [
        ActionEvent(
            kind=ActionEventKind.RAISED.value,
            meeting_id=meeting.id,
            actor_id=meeting.chair_id,
            occurred_at=meeting.starts_at,
        )
    ]
    db.session.add(a)
    db.session.commit()
    return a


def carry_forward(a, meeting, at=None):
    db.session.add(
        ActionEvent(
            action_id=a.id,
            kind=ActionEventKind.CARRIED_FORWARD.value,
            meeting_id=meeting.id,
            occurred_at=at or datetime(2026, 3, 30, 9, tzinfo=UTC),
        )
    )
    db.session.commit()
