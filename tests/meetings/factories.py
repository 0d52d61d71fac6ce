"""Meetings for tests, saved directly (the scheduling use cases have their own tests)."""

import itertools
from datetime import UTC, datetime

from mettrack.core.choices import Role
from mettrack.core.extensions import db
from mettrack.meetings.models import Meeting, MeetingMember
from tests import factories

_counter = itertools.count(1)


def meeting(
    *, chair=None, members=(), starts_at=None, title="MET operational group", series_id=None
) -> Meeting:
    """A scheduled meeting chaired by `chair` (a new MET chair if None), `members` invited."""
    chair = chair or factories.user(roles=[Role.MET_CHAIR])
    n = next(_counter)
    m = Meeting(
        title=title,
        starts_at=starts_at or datetime(2026, 3, 10, 10, tzinfo=UTC),
        chair_id=chair.id,
        created_by_id=chair.id,
        series_id=series_id,
        ical_uid=f"test-meeting-{n}-{id(chair)}@mettrack.test",
    )
    m.members = [MeetingMember(user_id=u.id) for u in members]
    db.session.add(m)
    db.session.commit()
    return m
