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


def test_meetings_held_with_agendas_minutes_and_actions(generated):
    from mettrack.cases.models import Case
    from mettrack.core.audit_event import AuditEvent
    from mettrack.core.clock import now
    from mettrack.core.extensions import db
    from mettrack.meetings.models import (
        ActionEvent,
        AgendaItem,
        AgendaVersion,
        ItemMinute,
        Meeting,
        MeetingAction,
        MeetingSeries,
        MinutesVersion,
    )

    series = db.session.scalars(select(MeetingSeries)).all()
    assert len(series) == 4  # one a fortnight in each area
    meetings = db.session.scalars(select(Meeting).order_by(Meeting.starts_at)).all()
    assert len(meetings) > 4 * 100  # five years of fortnights
    assert any(m.starts_at > now() for m in meetings)  # and the next ones
    cases = {c.id: c for c in db.session.scalars(select(Case))}
    items = db.session.scalars(select(AgendaItem)).all()
    assert items
    held_with_items = set()
    for item in items:
        case = cases[item.case_id]
        assert item.reasons and item.section == item.reasons[0]["section"]
        assert case.opened_at < item.built_at
        meeting = db.session.get(Meeting, item.meeting_id)
        if meeting.decisions_applied_at is not None:
            held_with_items.add(meeting.id)
    assert held_with_items
    for meeting_id in held_with_items:
        on_agenda = set(
            db.session.scalars(select(AgendaItem.case_id).where(AgendaItem.meeting_id == meeting_id))
        )
        minuted = select(ItemMinute.case_id).where(ItemMinute.meeting_id == meeting_id)
        minuted = set(db.session.scalars(minuted))
        assert minuted == on_agenda
        version = db.session.scalar(select(AgendaVersion).where(AgendaVersion.meeting_id == meeting_id))
        issued = {i["case_id"] for s in version.full["sections"] for i in s["items"]}
        assert issued == on_agenda
        cards = [i["card"] for s in version.sanitised["sections"] for i in s["items"]]
        assert all(card["address"] is None and card["date_of_birth"] is None for card in cards)
        minutes = db.session.scalar(select(MinutesVersion).where(MinutesVersion.meeting_id == meeting_id))
        assert {i["case_id"] for i in minutes.content["items"]} == on_agenda
    actions = db.session.scalars(select(MeetingAction)).all()
    statuses = Counter(a.status for a in actions)
    assert statuses["open"] and statuses["done"]
    for action in actions:
        history = select(ActionEvent.kind).where(ActionEvent.action_id == action.id).order_by(ActionEvent.id)
        kinds = list(db.session.scalars(history))
        assert kinds == (["raised", "done"] if action.status == "done" else ["raised"])
        assert (action.closed_at is not None) == (action.status == "done")
        assert action.owner_id == cases[action.case_id].lead_professional_id
    audited = Counter(db.session.scalars(select(AuditEvent.action)))
    assert audited["agenda.built"] >= len(held_with_items)
    assert audited["minutes.item_recorded"] == db.session.scalar(select(func.count()).select_from(ItemMinute))
    assert audited["action.raised"] == len(actions) and audited["action.done"] == statuses["done"]


def test_intelligence_items_graded_and_linked(generated):
    from mettrack.core.audit_event import AuditEvent
    from mettrack.core.extensions import db
    from mettrack.demo.generate import FIRST_NAMES
    from mettrack.intelligence.models import (
        CaseSubjectLink,
        IntelligenceItem,
        IntelligenceLink,
        Location,
        PersonOfConcern,
    )

    items = db.session.scalars(select(IntelligenceItem)).all()
    assert 0 < len(items) <= N  # about one a five cases
    graded = [i for i in items if i.status == "graded"]
    assert graded
    for item in items:
        links = db.session.scalars(select(IntelligenceLink).where(IntelligenceLink.item_id == item.id)).all()
        assert [(link.suggested_by_sharer, link.created_by_id) for link in links if link.case_id] == [
            (True, item.submitted_by_id)
        ]
        assert sum(link.case_id is not None for link in links) == 1
        if item.status == "graded":
            assert item.graded_at > item.submitted_at and item.sanitised_text
            assert item.source_evaluation in "123" and item.handling_code in "PC"
        else:
            assert item.graded_at is None and len(links) == 1
    assert db.session.scalar(select(func.count()).select_from(Location)) >= 4
    assert all(" ZZ99 " in f" {loc.postcode}" for loc in db.session.scalars(select(Location)))
    people = db.session.scalars(select(PersonOfConcern)).all()
    assert people and all(p.name.split()[0] in FIRST_NAMES for p in people)
    audited = Counter(db.session.scalars(select(AuditEvent.action)))
    assert audited["intelligence.submitted"] == len(items) and audited["intelligence.graded"] == len(graded)
    assert audited["case_link.added"] == db.session.scalar(select(func.count()).select_from(CaseSubjectLink))


def test_the_audit_chain_verifies_and_checkpoint_agrees(generated, runner):
    from mettrack.core.audit_event import AuditEvent
    from mettrack.core.extensions import db

    rows = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert rows > 20 * N
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"intact: {rows} rows" in result.output
    assert "agrees with the latest checkpoint" in result.output
    # In time order, as the app appends them; all in chain 0, one after another, hashed as
    # the app hashes its rows (verify recomputes each with core/audit.py).
    times = db.session.scalars(select(AuditEvent.occurred_at).order_by(AuditEvent.seq)).all()
    assert times == sorted(times)
    places = db.session.execute(
        select(AuditEvent.chain, AuditEvent.position, AuditEvent.hash_version).order_by(AuditEvent.seq)
    ).all()
    assert places == [(0, i, 3) for i in range(1, rows + 1)]
    assert f"(chain 0: {rows})" in result.output


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
