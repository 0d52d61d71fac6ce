"""Set-up for the minutes tests: a meeting chaired by a MET chair, cases on its agenda
(AgendaItem rows saved directly: the agenda builder has its own tests)."""

from datetime import UTC, datetime

from mettrack.core.choices import AgendaSection, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.language import seed_defaults as seed_phrases
from mettrack.meetings.models import AgendaItem
from mettrack.reference import seed_defaults
from tests import factories
from tests.meetings import factories as meeting_factories

MEETING_AT = datetime(2026, 3, 10, 10, tzinfo=UTC)
OCCASION = "MET meeting on 10 March 2026"


def start():
    """The clock on the morning of the meeting; the reference lists (tiers, teams,
    services, exit reasons) as an installation starts with them."""
    set_now(datetime(2026, 3, 10, 9, tzinfo=UTC))
    seed_defaults()
    seed_phrases()
    db.session.commit()


def chair_and_meeting(members=()):
    chair = factories.user(roles=[Role.MET_CHAIR])
    meeting = meeting_factories.meeting(chair=chair, members=members, starts_at=MEETING_AT)
    return chair, meeting


def on_agenda(meeting, *cases, section=AgendaSection.REVIEW_DUE):
    for n, case in enumerate(cases):
        db.session.add(
            AgendaItem(
                meeting_id=meeting.id,
                case_id=case.id,
                section=section.value,
                reasons=[{"section": section.value, "text": "review due 10 March"}],
                position=n,
            )
        )
    db.session.commit()
