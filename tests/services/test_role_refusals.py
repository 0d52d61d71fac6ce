"""A role refusal is 403 (NotAllowed), not 404 (DESIGN.md): the role is refused before the
record is looked at, so the answer is the same for a case that exists and one that does
not, and it is audited. These four use cases answered NotFound for a role before."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import NotAllowed
from mettrack.core.extensions import db
from mettrack.missing import episodes as missing
from mettrack.missing.models import MissingEpisode
from mettrack.notes import case_notes as notes
from mettrack.notes.models import CaseNote
from mettrack.risk import assessments as risk_assessments
from mettrack.risk.models import RiskAssessment
from mettrack.screening import screenings
from mettrack.screening.models import Screening
from tests import factories

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def analyst(app_ctx):
    set_now(NOW)
    yield factories.user(roles=[Role.ANALYST])
    set_now(None)


def _denied(action: str) -> list[tuple[str, str]]:
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == f"{action}.denied")).all()
    return [(r.record_id, r.outcome) for r in rows]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_role_that_may_not_write_notes_is_refused_403(analyst):
    case = factories.case()
    with pytest.raises(NotAllowed):
        notes.add_note(analyst, case.id, "Home visit went well.")
    assert _denied("note.added") == [(str(case.id), "denied")]
    assert _count(CaseNote) == 0


def test_a_role_that_may_not_record_missing_episodes_is_refused_403(analyst):
    case = factories.case()
    with pytest.raises(NotAllowed):
        missing.record_episode(analyst, case.id, {"went_missing_at": NOW - timedelta(hours=1)})
    assert _count(MissingEpisode) == 0


def test_a_role_that_may_not_assess_risk_is_refused_403(analyst):
    case = factories.case()
    with pytest.raises(NotAllowed):
        risk_assessments.record(analyst, case.id, {}, case.version)
    assert _denied("risk_assessment.recorded") == [(str(case.id), "denied")]
    assert _count(RiskAssessment) == 0


def test_a_role_that_may_not_screen_is_refused_403(analyst):
    case = factories.case(state=CaseState.SCREENED)  # opened by its own screening
    before = _count(Screening)
    with pytest.raises(NotAllowed):
        screenings.screen_child(analyst, case.child_id, {}, NOW.date())
    assert _denied("screening.recorded") == [(str(case.child_id), "denied")]
    assert _count(Screening) == before


def test_a_role_refusal_is_the_same_for_a_case_that_does_not_exist(analyst):
    with pytest.raises(NotAllowed):
        notes.add_note(analyst, 999_999, "Home visit went well.")
