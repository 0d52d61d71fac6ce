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


def make_world():
    """A chair; a meeting with an owner (a partner NOT on the case's team) and a member; a
    case led by someone else; an overdue action owned by the owner, one owned by the
    member, and a later meeting the first action was carried forward to. Returns ids and
    e-mails (the objects do not outlive the app context)."""
    from mettrack.core.choices import CaseState, Role
    from tests import factories
    from tests.meetings import factories as meetings

    chair = factories.user(roles=[Role.MET_CHAIR])
    owner = factories.user(roles=[Role.PARTNER], agency="Barnardo's")
    member = factories.user(roles=[Role.COORDINATOR])
    outsider = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    analyst = factories.user(roles=[Role.ANALYST])
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = factories.case(lead=lead, state=CaseState.MET_REVIEW)
    meeting = meetings.meeting(chair=chair, members=[owner, member])
    later = meetings.meeting(
        chair=chair, members=[owner, member], starts_at=datetime(2026, 4, 7, 9, tzinfo=UTC), title="MET April"
    )
    a = action(meeting, case, owner, due_on=date(2026, 3, 18))
    b = action(meeting, case, member, due_on=date(2026, 3, 30), description="Share the school's view")
    carry_forward(a, later)
    return {
        "emails": {
            "chair": chair.email,
            "owner": owner.email,
            "member": member.email,
            "outsider": outsider.email,
            "analyst": analyst.email,
        },
        "users": {"chair": chair, "owner": owner, "member": member, "outsider": outsider, "analyst": analyst},
        "child_first": case.child.first_name,
        "child_last": case.child.last_name,
        "case": case.id,
        "meeting": meeting.id,
        "later": later.id,
        "a": a.id,
        "b": b.id,
    }
