"""MET meetings: the records the meeting routes run against. Each meetings slice keeps its
routes in its own table (meetings_*.py beside this one).

{meeting}         a meeting chaired by the test MET chair, every other test user invited
{hidden_meeting}  a meeting chaired by another chair, no test user invited: a non-member
                  gets 404 (a MET chair reaches every meeting); {open_meeting} is the same
"""

from datetime import UTC, datetime

from mettrack.core.choices import Role
from mettrack.core.extensions import db
from mettrack.meetings.models import Meeting, MeetingMember
from tests import factories
from tests.access.meetings_issue import build_records as build_issue_records

ROUTES = []  # the records only; the routes are in meetings_*.py


def build_records(users: dict) -> dict:
    chair = users[Role.MET_CHAIR]
    other_chair = factories.user(roles=[Role.MET_CHAIR], agency="Other chair agency")
    meeting = Meeting(
        title="MET operational group",
        starts_at=datetime(2026, 3, 10, 10, tzinfo=UTC),
        chair_id=chair.id,
        created_by_id=chair.id,
        ical_uid="matrix-meeting@mettrack.test",
    )
    meeting.members = [MeetingMember(user_id=u.id) for r, u in users.items() if r is not Role.MET_CHAIR]
    hidden = Meeting(
        title="MET operational group (elsewhere)",
        starts_at=datetime(2026, 3, 17, 10, tzinfo=UTC),
        chair_id=other_chair.id,
        created_by_id=other_chair.id,
        ical_uid="matrix-hidden@mettrack.test",
    )
    db.session.add_all([meeting, hidden])
    db.session.commit()
    from tests.access.meetings_actions import build_records as build_action_records
    from tests.access.meetings_agenda import build_records as build_agenda_records
    from tests.access.meetings_minutes import build_records as build_minutes_records

    agenda_ids = build_agenda_records(users, meeting.id)
    build_minutes_records(users, meeting.id)
    build_issue_records(users, meeting)  # version 1 of {meeting}'s agenda (meetings_issue.py)
    return {
        "meeting": meeting.id,
        "hidden_meeting": hidden.id,
        "open_meeting": hidden.id,
        **agenda_ids,
        **build_action_records(users, meeting, hidden),
    }
