"""Query-count tests (issue 18): a page's, the API's and the reminder scan's number of SQL
statements must not grow with the number of rows. Each test measures at two sizes and
asserts the counts are equal, so an N+1 (a query per row shown, an INSERT per reminder)
fails it. The rows are made directly (fast), not through the workflow: only their number
matters here."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from mettrack.cases.models import Case, CaseTag, CaseTeamMember
from mettrack.children.models import Child
from mettrack.core.choices import CaseState, CaseTagKind, TeamRole
from mettrack.core.clock import now, today
from mettrack.core.extensions import db
from mettrack.missing.models import MissingEpisode
from mettrack.notes.models import CaseNote

SMALL, LARGE = 5, 25
RISKS = ("high", "medium", "low", None)


@pytest.fixture
def statements(app):
    """statements() as a context manager: the list it yields collects every SQL
    statement sent to the database inside the block."""

    @contextmanager
    def counting():
        sent: list[str] = []

        def record(_conn, _cursor, statement, *_args):
            sent.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            yield sent
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)

    return counting


def add_cases(count: int, lead_id: int, *, first_name: str = "Testchild", episodes: int = 1) -> list[int]:
    """`count` open cases led by `lead_id` (on its team), each with a CSE tag, a review
    due within the week (the reminder scan's) and `episodes` missing episodes, returned
    two days ago with no Return Home Interview recorded. Returns their ids."""
    at = now()
    ids = []
    start = db.session.scalar(sa.select(sa.func.count(Case.id))) or 0
    for n in range(start, start + count):
        child = Child(first_name=first_name, last_name=f"Example{n}", aliases=f"Alias{n}")
        case = Case(
            child=child,
            state=CaseState.MET_REVIEW.value,
            risk_level=RISKS[n % len(RISKS)],
            lead_professional_id=lead_id,
            opened_at=at - timedelta(days=n),
            next_review_on=today() + timedelta(days=(n % 5) + 1),
            mash_reference=f"MASH-{n}",
        )
        case.team.append(CaseTeamMember(user_id=lead_id, team_role=TeamRole.LEAD.value))
        case.tags.append(CaseTag(kind=CaseTagKind.EXPLOITATION_TYPE.value, value="cse"))
        db.session.add(case)
        db.session.flush()
        for e in range(episodes):
            went = at - timedelta(days=2 + e, hours=5)
            db.session.add(
                MissingEpisode(
                    case_id=case.id,
                    went_missing_at=went,
                    returned_at=went + timedelta(hours=3),
                    recorded_by_id=lead_id,
                )
            )
        ids.append(case.id)
    db.session.commit()
    return ids


def add_notes(case_id: int, author_id: int, count: int) -> None:
    at = now()
    db.session.add_all(
        CaseNote(
            case_id=case_id, author_id=author_id, written_at=at - timedelta(minutes=n), body=f"Note {n}."
        )
        for n in range(count)
    )
    db.session.commit()
