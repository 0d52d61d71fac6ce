"""The queues' own rules (home/rules.py), and their SQL twins in home/queues.py agreeing."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from mettrack.cases.models import Case
from mettrack.core.choices import CaseState
from mettrack.core.extensions import db
from mettrack.home import queues, rules
from tests.home import world as fixture

T = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("review_on", "case_open", "due"),
    [
        (date(2026, 12, 4), True, True),  # today
        (date(2026, 12, 10), True, True),  # the sixth day after
        (date(2026, 12, 11), True, False),  # next week
        (date(2026, 12, 3), True, False),  # overdue, not due
        (date(2026, 12, 5), False, False),  # closed
        (None, True, False),
    ],
)
def test_review_due_this_week(review_on, case_open, due):
    assert rules.review_due_this_week(review_on, case_open=case_open, today=date(2026, 12, 4)) is due


@pytest.mark.parametrize(
    ("state", "assessed", "missing", "out_of_date"),
    [
        (CaseState.SCREENED, None, None, False),  # not yet expected
        (CaseState.REFERRED, None, None, False),
        (CaseState.MET_REVIEW, None, None, True),  # none recorded
        (CaseState.POLICE_TIERED, T, None, False),
        (CaseState.POLICE_TIERED, T, T - timedelta(days=1), False),  # missing before it
        (CaseState.SERVICE_ASSIGNED, T, T + timedelta(days=1), True),  # missing since
        (CaseState.CLOSED, None, None, False),
    ],
)
def test_risk_assessment_out_of_date(state, assessed, missing, out_of_date):
    assert rules.risk_assessment_out_of_date(state, assessed, missing) is out_of_date


def test_changed_since():
    assert rules.changed_since(T, None) is True
    assert rules.changed_since(T, T) is False
    assert rules.changed_since(T + timedelta(seconds=1), T) is True
    assert rules.changed_since(None, T) is False


def test_the_sql_agrees_with_the_rules_on_every_case_of_the_world(app_ctx):
    fixture.build()
    at = fixture.NOW
    due = set(db.session.scalars(select(Case.id).where(queues.review_due_this_week_condition(at))))
    stale = set(db.session.scalars(select(Case.id).where(queues.risk_out_of_date_condition())))
    for case in db.session.scalars(select(Case)):
        assert (case.id in due) is rules.review_due_this_week(
            case.next_review_on, case_open=case.is_open, today=fixture.TODAY
        )
        # No risk assessment in the world: out of date exactly from MET review on.
        assert (case.id in stale) is rules.risk_assessment_out_of_date(case.state, None, None)
    assert due and stale
