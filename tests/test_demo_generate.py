"""`flask demo generate`: made-up data in bulk, in the shapes the use cases write."""

import tempfile
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mettrack.cases import workflow
from mettrack.core.choices import OPEN_STATES, CaseAction, CaseState

N = 50


@pytest.fixture
def generated(runner, app_ctx, monkeypatch):
    # Small batches, so that the copies in the background thread run here too.
    monkeypatch.setattr("mettrack.demo.generate.FLUSH_EVERY", 20)
    result = runner.invoke(args=["demo", "generate", "--children", str(N), "--seed", "7"])
    assert result.exit_code == 0, result.output
    return result


def _events_by_case():
    from mettrack.cases.models import CaseEvent
    from mettrack.core.extensions import db

    rows = db.session.execute(
        select(CaseEvent.case_id, CaseEvent.action, CaseEvent.from_state, CaseEvent.to_state).order_by(
            CaseEvent.case_id, CaseEvent.occurred_at, CaseEvent.id
        )
    ).all()
    by_case: dict[int, list] = {}
    for row in rows:
        by_case.setdefault(row.case_id, []).append(row)
    return by_case


def test_generate_makes_children_cases_and_their_history(generated):
    from mettrack.accounts.models import User
    from mettrack.cases.models import Case, CaseTeamMember
    from mettrack.children.models import Child
    from mettrack.core.extensions import db
    from mettrack.missing.models import MissingEpisode
    from mettrack.notes.models import CaseNote

    assert "Generated 50 children" in generated.output
    assert "chair1@generated.mettrack.test" in generated.output
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert count(Child) == N and count(Case) == N
    assert count(CaseTeamMember) == 2 * N
    assert count(MissingEpisode) > N and count(CaseNote) > N  # 3 and 5 a case on average, a heavy case more
    assert db.session.scalar(select(func.count()).where(User.email == "lead1@generated.mettrack.test")) == 1
    # Every child is made up: an invented town and the ZZ99 pseudo-postcode.
    assert all(" ZZ99 " in address for address in db.session.scalars(select(Child.address)))
    states = Counter(db.session.scalars(select(Case.state)))
    assert sum(n for s, n in states.items() if s in OPEN_STATES) >= 1
    assert states[CaseState.CLOSED] >= 1


def test_each_case_moved_by_the_workflow_table(generated):
    from mettrack.cases.models import Case
    from mettrack.core.extensions import db

    events = _events_by_case()
    for case in db.session.scalars(select(Case)):
        state = None
        for event in events[case.id]:
            move = workflow.move_for(event.action)
            if move is None:  # a team change and the like: moves nothing
                assert event.from_state == event.to_state == state
                continue
            assert event.from_state == (state.value if state else None)
            assert CaseState(event.from_state) in move.from_states if state else None in move.from_states
            assert event.to_state == move.to_state
            state = move.to_state
        assert case.state == state
        if case.state == CaseState.CLOSED:
            assert case.closed_at is not None and case.closure_reason
        if case.state == CaseState.POLICE_TIERED:
            assert case.police_tier and case.police_team
        actions = [e.action for e in events[case.id]]
        if CaseAction.SEND_TO_MET_REVIEW in actions:
            assert case.risk_level and case.next_review_on


def test_the_audit_chain_verifies_and_checkpoint_agrees(generated, runner):
    from mettrack.core.audit_event import AuditEvent
    from mettrack.core.extensions import db

    rows = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert rows > 20 * N
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"intact: {rows} rows" in result.output
    assert "agrees with the latest checkpoint" in result.output
    # In time order, as the app appends them.
    times = db.session.scalars(select(AuditEvent.occurred_at).order_by(AuditEvent.seq)).all()
    assert times == sorted(times)


def test_refused_into_a_database_with_cases_unless_appending(generated, runner):
    from mettrack.cases.models import Case
    from mettrack.core.extensions import db

    again = runner.invoke(args=["demo", "generate", "--children", "5"])
    assert again.exit_code == 1
    assert "Nothing was generated" in again.output and "--append" in again.output
    assert db.session.scalar(select(func.count()).select_from(Case)) == N

    more = runner.invoke(args=["demo", "generate", "--children", "5", "--append", "--seed", "8"])
    assert more.exit_code == 0, more.output
    assert db.session.scalar(select(func.count()).select_from(Case)) == N + 5
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_bad_numbers_are_refused_naming_the_option(runner, app_ctx):
    result = runner.invoke(args=["demo", "generate", "--children", "0"])
    assert result.exit_code == 2
    assert "--children" in result.output


@pytest.fixture(scope="module")
def sqlite_app():
    from mettrack import create_app
    from mettrack.core.extensions import db

    folder = tempfile.mkdtemp(prefix="mettrack-generate-")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'generate.sqlite'}",
            "CELERY_BROKER_URL": "memory://",
            "SERVER_NAME": None,
            "AUDIT_CHECKPOINT_PATH": str(Path(folder) / "checkpoints.log"),
        }
    )
    with app.app_context():
        db.create_all()
    return app


def test_generate_works_on_sqlite(sqlite_app):
    from mettrack.cases.models import Case
    from mettrack.core.extensions import db

    runner = sqlite_app.test_cli_runner()
    with sqlite_app.app_context():
        result = runner.invoke(args=["demo", "generate", "--children", "8"])
        assert result.exit_code == 0, result.output
        assert db.session.scalar(select(func.count()).select_from(Case)) == 8
        verify = runner.invoke(args=["audit", "verify"])
        assert verify.exit_code == 0, verify.output
        db.session.remove()


def test_refused_in_production(runner, app_ctx, monkeypatch):
    from mettrack.cases.models import Case
    from mettrack.core.extensions import db

    monkeypatch.setitem(app_ctx.config, "IS_PRODUCTION", True)
    result = runner.invoke(args=["demo", "generate", "--children", "3"])
    assert result.exit_code == 1
    assert "Nothing was generated" in result.output and "production" in result.output
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
