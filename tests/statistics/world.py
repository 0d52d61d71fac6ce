"""Children on the exploitation list, written directly as rows (as tests/home/world.py
does): the statistics read rows, and a test needs cases opened and closed at exact
moments, and dozens of them, which walking each through the workflow would make slow.
Each case gets the timeline events a real one has (opened, and closed if it is), so the
"state at the end of the period" reads them."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from mettrack.cases.models import Case, CaseEvent, CaseTag
from mettrack.children.models import Child
from mettrack.core.choices import CaseAction, CaseState, CaseTagKind
from mettrack.core.extensions import db

LONDON = ZoneInfo("Europe/London")
_names = iter(range(1, 100_000))


def london(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def listed(
    *,
    types=("cse",),
    gender="Female",
    born: date | None = date(2007, 1, 1),
    opened: datetime | None = None,
    closed: datetime | None = None,
    reason: str | None = None,
    state: str = CaseState.MET_REVIEW.value,
    risk: str | None = None,
    tier: str | None = None,
    flags=(),
    harm=(),
    ethnicity: str | None = None,
    child: Child | None = None,
    commit: bool = True,
) -> Case:
    opened = opened or london(2022, 5, 1)
    if child is None:
        n = next(_names)
        child = Child(
            first_name="Statchild",
            last_name=f"Number{n}",
            date_of_birth=born,
            gender=gender,
            ethnicity=ethnicity,
        )
        db.session.add(child)
        db.session.flush()
    case = Case(
        child_id=child.id,
        state=CaseState.CLOSED.value if closed else state,
        risk_level=risk,
        police_tier=tier,
        opened_at=opened,
        closed_at=closed,
        closure_reason=reason,
    )
    case.tags = [CaseTag(kind=CaseTagKind.EXPLOITATION_TYPE.value, value=t) for t in types]
    case.tags += [CaseTag(kind=CaseTagKind.FLAG.value, value=f) for f in flags]
    case.tags += [CaseTag(kind=CaseTagKind.HARM_LOCATION.value, value=h) for h in harm]
    case.events = [
        CaseEvent(
            occurred_at=opened, action=CaseAction.SEND_TO_MET_REVIEW.value, from_state=None, to_state=state
        )
    ]
    if closed:
        case.events.append(
            CaseEvent(occurred_at=closed, action=CaseAction.CLOSE.value, from_state=state, to_state="closed")
        )
    db.session.add(case)
    if commit:
        db.session.commit()
    return case
