"""One transaction per use case, on the real database: a case move commits once, with its
audit row in that commit; moves applied inside one unit of work (a meeting's decisions)
all happen or none does."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, func, select

from mettrack.cases import transitions
from mettrack.cases.models import Case, CaseEvent
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.unit_of_work import unit_of_work
from mettrack.reference import data as reference_data
from mettrack.screening.models import Screening
from tests import factories

NO_FURTHER_ACTION = "close_no_further_action"
NOTE = {"note": "Family supported by Early Help."}


@pytest.fixture
def lead(app_ctx):
    reference_data.seed_defaults()
    db.session.commit()
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    yield factories.user(roles=[Role.LEAD_PROFESSIONAL])
    set_now(None)


def _screened_case(lead, outcome: str) -> Case:
    """A screened case the lead may close as no further action when the screening had no yes."""
    case = factories.case(lead=lead, state=CaseState.SCREENED, exploitation_types=("cse",))
    db.session.add(
        Screening(
            case_id=case.id,
            screened_on=date(2026, 3, 1),
            child_age=14,
            went_missing=outcome == "refer",
            partner_age=None,
            older_partner="unknown",
            controlling_relationship=False,
            frequenting_areas=False,
            outcome=outcome,
            screened_by_id=lead.id,
        )
    )
    db.session.commit()
    return case


@pytest.fixture
def commits():
    counted = []

    def count(session):
        counted.append(session)

    event.listen(db.session(), "after_commit", count)
    yield counted
    event.remove(db.session(), "after_commit", count)


def _state(case_id: int) -> tuple[str, int, int]:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    events = db.session.scalar(select(func.count()).where(CaseEvent.case_id == case_id))
    return case.state, case.version, events


def _move_audit_rows(case_id: int) -> int:
    return db.session.scalar(
        select(func.count()).where(
            AuditEvent.action == "case.transition", AuditEvent.record_id == str(case_id)
        )
    )


def test_a_case_move_commits_once_with_its_audit_row(lead, commits):
    case = _screened_case(lead, "no_referral")
    commits.clear()

    transitions.apply(lead, case.id, NO_FURTHER_ACTION, NOTE, case.version)

    assert len(commits) == 1
    assert _move_audit_rows(case.id) == 1
    assert _state(case.id)[0] == CaseState.CLOSED.value


def test_two_moves_in_one_unit_of_work_both_happen_in_one_commit(lead, commits):
    first, second = _screened_case(lead, "no_referral"), _screened_case(lead, "no_referral")
    commits.clear()

    with unit_of_work():
        transitions.apply(lead, first.id, NO_FURTHER_ACTION, NOTE, first.version)
        transitions.apply(lead, second.id, NO_FURTHER_ACTION, NOTE, second.version)

    assert len(commits) == 1
    assert _state(first.id)[0] == _state(second.id)[0] == CaseState.CLOSED.value
    assert _move_audit_rows(first.id) == _move_audit_rows(second.id) == 1


def test_when_the_second_move_is_refused_neither_case_moves(lead, commits):
    first = _screened_case(lead, "no_referral")
    second = _screened_case(lead, "refer")  # a screening with a yes: no further action is refused
    before = _state(first.id), _state(second.id)
    commits.clear()

    with pytest.raises(ValidationError), unit_of_work():
        transitions.apply(lead, first.id, NO_FURTHER_ACTION, NOTE, first.version)
        transitions.apply(lead, second.id, NO_FURTHER_ACTION, NOTE, second.version)

    assert commits == []
    assert (_state(first.id), _state(second.id)) == before
    assert _move_audit_rows(first.id) == 0
