"""Building a meeting's draft agenda: sections, reasons, one item per child, the chair's
edits kept by a rebuild, roll-forward of open actions, and queries that do not grow."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, select

from mettrack.cases.models import Case
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import ActionEventKind, ActionStatus, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.meetings import agenda, intelligence_links
from mettrack.meetings.models import (
    ActionEvent,
    AgendaItem,
    ClosureProposal,
    MeetingAction,
)
from mettrack.missing.models import MissingEpisode
from mettrack.risk.models import RiskAssessment
from tests import factories
from tests.meetings import factories as meeting_factories
from tests.meetings.agenda_world import bulk_cases, lead_user

BEFORE = datetime(2026, 2, 10, 12, tzinfo=UTC)
PREVIOUS = datetime(2026, 2, 24, 10, tzinfo=UTC)
MEETING = datetime(2026, 3, 10, 10, tzinfo=UTC)
NOW = datetime(2026, 3, 9, 12, tzinfo=UTC)


@pytest.fixture
def chair(app_ctx):
    set_now(BEFORE)
    return factories.user(roles=[Role.MET_CHAIR], name="Chris Chair")


@pytest.fixture
def lead(chair):
    return lead_user()


@pytest.fixture
def meetings(chair):
    previous = meeting_factories.meeting(chair=chair, starts_at=PREVIOUS)
    meeting = meeting_factories.meeting(chair=chair, starts_at=MEETING)
    return previous, meeting


def _action(previous, case_id, owner, *, status=ActionStatus.OPEN, note=None):
    action = MeetingAction(
        meeting_id=previous.id,
        case_id=case_id,
        description="Visit the family",
        owner_id=owner.id,
        agency_id=owner.agency_id,
        due_on=date(2026, 3, 5),
        created_by_id=owner.id,
        status=status.value,
    )
    action.events = [
        ActionEvent(
            kind=ActionEventKind.RAISED.value, meeting_id=previous.id, actor_id=owner.id, occurred_at=PREVIOUS
        )
    ]
    if note:
        action.events.append(
            ActionEvent(
                kind=ActionEventKind.NOTE.value,
                actor_id=owner.id,
                note=note,
                occurred_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
            )
        )
    db.session.add(action)
    db.session.commit()
    return action


@pytest.fixture
def world(chair, lead, meetings):
    """A case in each section, one in two, and two on no agenda."""
    previous, meeting = meetings
    made = {}
    for name in ("high", "review", "missing", "assessed", "closure", "action", "done", "nothing"):
        made[name] = factories.case_in_state("met_review", lead=lead)
    set_now(datetime(2026, 2, 26, 9, tzinfo=UTC))
    made["referred"] = factories.case_in_state("referred", lead=lead)
    set_now(NOW)
    cases = {k: db.session.get(type(v), v.id) for k, v in made.items()}
    cases["high"].risk_level = "high"
    cases["high"].next_review_on = date(2026, 3, 7)  # high and due: one item, two reasons
    cases["review"].next_review_on = date(2026, 3, 10)
    db.session.add_all(
        [
            MissingEpisode(
                case_id=cases["missing"].id,
                went_missing_at=datetime(2026, 3, 3, 20, tzinfo=UTC),
                returned_at=datetime(2026, 3, 5, 8, tzinfo=UTC),
                recorded_by_id=lead.id,
            ),
            RiskAssessment(
                case_id=cases["assessed"].id,
                assessed_by_id=lead.id,
                assessed_at=datetime(2026, 3, 4, 9, tzinfo=UTC),
                suggested_level="medium",
                chosen_level="low",
                rationale="Settled",
                next_review_on=date(2026, 6, 1),
            ),
            ClosureProposal(
                case_id=cases["closure"].id,
                proposed_by_id=lead.id,
                reason="Safe now",
                proposed_at=datetime(2026, 3, 6, 9, tzinfo=UTC),
            ),
        ]
    )
    db.session.commit()
    _action(previous, cases["action"].id, lead, note="Visited once")
    _action(previous, cases["done"].id, lead, status=ActionStatus.DONE)
    return {k: v.id for k, v in cases.items()}


def _by_case(draft):
    return {item.case_id: item for item in draft.items}


def test_each_case_is_in_its_first_section_with_its_reasons(chair, world, meetings):
    draft = agenda.build(chair, meetings[1].id)
    items = _by_case(draft)
    expected = {
        "referred": ("new_referrals", ["referred on 26 February"]),
        "high": ("high_risk", ["high risk", "review due 7 March"]),
        "review": ("review_due", ["review due 10 March"]),
        "missing": ("new_information", ["missing 3 to 5 March"]),
        "assessed": ("new_information", ["new risk assessment on 4 March"]),
        "closure": (
            "closure_proposed",
            ["closure proposed by the lead professional (Testtown Council) on 6 March"],
        ),
        "action": ("open_actions", ["1 open action from 24 February"]),
    }
    for name, (section, reasons) in expected.items():
        item = items[world[name]]
        assert (item.section, [r["text"] for r in item.reasons]) == (section, reasons), name
    assert world["done"] not in items and world["nothing"] not in items
    assert [s.value for s in draft.sections] == [
        "new_referrals",
        "high_risk",
        "review_due",
        "new_information",
        "closure_proposed",
        "open_actions",
    ]
    assert len(draft.items) == len(expected)  # one item per child
    audit_row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "agenda.built"))
    assert audit_row.record_id == str(meetings[1].id)


def test_an_open_action_rolls_forward_with_its_history_and_a_done_one_does_not(chair, world, meetings):
    draft = agenda.build(chair, meetings[1].id)
    card = _by_case(draft)[world["action"]].card
    (action,) = card["open_actions"]
    assert [h["kind"] for h in action["history"]] == ["raised", "note"]
    assert action["history"][1]["note"] == "Visited once" and action["raised_on"] == "2026-02-24"
    assert world["done"] not in _by_case(draft)
    # The next meeting after this one: still open, it comes back again.
    later = meeting_factories.meeting(chair=chair, starts_at=datetime(2026, 3, 24, 10, tzinfo=UTC))
    assert world["action"] in _by_case(agenda.build(chair, later.id))


def test_new_intelligence_puts_a_case_on_the_agenda(chair, world, meetings):
    class Provider:
        def links_for(self, case_ids, view):
            return {}

        def new_intelligence_since(self, case_ids, since):
            return {world["nothing"]: [date(2026, 3, 2)]}

    provider = Provider()
    intelligence_links.register(provider)
    try:
        item = _by_case(agenda.build(chair, meetings[1].id))[world["nothing"]]
    finally:
        intelligence_links.unregister(provider)
    assert item.section == "new_information" and item.reasons[0]["text"] == "new intelligence on 2 March"


def test_the_chairs_changes_survive_a_rebuild(chair, lead, world, meetings):
    meeting = meetings[1]
    draft = agenda.build(chair, meeting.id)
    items = _by_case(draft)
    agenda.remove_item(chair, meeting.id, items[world["review"]].id, "Discussed at the strategy meeting")
    added = agenda.add_case(chair, meeting.id, world["nothing"])
    # Two in new information: move the second up to the first place.
    info = next(s for s in draft.sections if s.value == "new_information").items
    agenda.move_item(chair, meeting.id, info[1].id, direction="up")
    moved_case = info[1].case_id

    # The data changes, then the chair rebuilds.
    db.session.add(
        RiskAssessment(
            case_id=world["high"],
            assessed_by_id=lead.id,
            assessed_at=datetime(2026, 3, 9, 9, tzinfo=UTC),
            suggested_level="high",
            chosen_level="high",
            rationale="Still high",
            next_review_on=date(2026, 3, 30),
        )
    )
    db.session.commit()
    rebuilt = agenda.build(chair, meeting.id)
    items = _by_case(rebuilt)
    assert world["review"] not in items
    (removed,) = rebuilt.removed
    assert (
        removed.case_id == world["review"] and removed.removed_reason == "Discussed at the strategy meeting"
    )
    assert items[world["nothing"]].section == "added_by_chair" and items[added.case_id].added_by_chair
    info = next(s for s in rebuilt.sections if s.value == "new_information").items
    assert info[0].case_id == moved_case
    assert "new risk assessment on 9 March" in [r["text"] for r in items[world["high"]].reasons]

    agenda.restore_item(chair, meeting.id, removed.id)
    assert world["review"] in _by_case(agenda.build(chair, meeting.id))


def test_chair_edits_refuse_bad_input_and_change_nothing(chair, world, meetings):
    meeting = meetings[1]
    draft = agenda.build(chair, meeting.id)
    item = draft.items[0]
    with pytest.raises(ValidationError) as e:
        agenda.remove_item(chair, meeting.id, item.id, "  ")
    assert "reason" in e.value.errors
    with pytest.raises(ValidationError):
        agenda.add_case(chair, meeting.id, item.case_id)  # already there
    with pytest.raises(ValidationError):
        agenda.add_case(chair, meeting.id, "x")
    with pytest.raises(NotFound):
        agenda.add_case(chair, meeting.id, 999_999)
    with pytest.raises(NotFound):
        agenda.remove_item(chair, meeting.id, 999_999, "why")
    with pytest.raises(ValidationError):
        agenda.move_item(chair, meeting.id, item.id, direction="sideways")
    assert db.session.scalar(select(AgendaItem.removed_at).where(AgendaItem.id == item.id)) is None


def test_only_a_chair_builds_and_reads_the_draft(chair, lead, world, meetings):
    meeting = meetings[1]
    for user in (lead, factories.user(roles=[Role.PARTNER])):
        with pytest.raises(NotAllowed):
            agenda.build(user, meeting.id)
        with pytest.raises(NotAllowed):
            agenda.draft_for(user, meeting.id)
    # Another chair reaches every meeting; a missing meeting is 404.
    assert agenda.build(factories.user(roles=[Role.MET_CHAIR]), meeting.id).items
    with pytest.raises(NotFound):
        agenda.build(chair, 999_999)
    draft = agenda.draft_for(chair, meeting.id)
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "agenda.viewed"))
    assert row.record_id == str(meeting.id) and '"reason": "meeting"' in row.detail
    assert draft.items


def test_the_previous_meeting_is_of_the_same_series_and_not_cancelled(chair, meetings):
    previous, meeting = meetings
    cancelled = meeting_factories.meeting(chair=chair, starts_at=datetime(2026, 3, 3, 10, tzinfo=UTC))
    cancelled.status = "cancelled"
    db.session.commit()
    assert agenda.previous_meeting(meeting).id == previous.id
    assert agenda.previous_meeting(previous) is None
    assert agenda.since_for(previous, None) == datetime(2026, 1, 27, 10, tzinfo=UTC)


def test_a_preview_builds_without_saving(chair, world, meetings):
    draft = agenda.preview(meetings[1].id)
    assert not draft.saved and len(draft.items) == 7
    assert db.session.scalar(select(AgendaItem.id).limit(1)) is None
    with pytest.raises(NotFound):
        agenda.preview(999_999)


def _count_queries(function) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        function()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_cases(chair, lead, meetings):
    """A first build and an unchanged rebuild, with 10 cases and then with 200."""
    set_now(NOW)
    previous, _ = meetings
    chair_id = chair.id
    counts = []
    for n in (10, 190):
        meeting = meeting_factories.meeting(chair=chair, starts_at=MEETING)
        bulk_cases(n, lead=lead, previous_meeting=previous, meeting=meeting, since=PREVIOUS)
        meeting_id = meeting.id
        db.session.expire_all()
        user = db.session.get(type(chair), chair_id)
        built = _count_queries(lambda u=user, m=meeting_id: agenda.build(u, m))
        db.session.expire_all()
        user = db.session.get(type(chair), chair_id)
        rebuilt = _count_queries(lambda u=user, m=meeting_id: agenda.build(u, m))
        counts.append((built, rebuilt))
    assert (
        db.session.scalar(select(db.func.count(AgendaItem.id)).where(AgendaItem.meeting_id == meeting_id))
        == 200
    )
    assert counts[0] == counts[1], counts


def test_the_sanitised_draft_names_no_child(chair, world, meetings):
    import json

    meeting = meetings[1]
    draft = agenda.build(chair, meeting.id)
    agenda.remove_item(chair, meeting.id, draft.items[0].id, "Seen by Zed Example at home")
    db.session.expire_all()
    sanitised = agenda.current_draft(db.session.get(type(meeting), meeting.id), view=agenda.View.SANITISED)
    text = json.dumps(sanitised.as_dict())
    assert "Testchild" not in text and "Test Street" not in text and "Zed Example" not in text
    assert all(item.card["name"] for item in sanitised.items)


def test_an_item_the_data_no_longer_asks_for_leaves_the_draft(chair, world, meetings):
    meeting = meetings[1]
    assert world["review"] in _by_case(agenda.build(chair, meeting.id))
    case = db.session.get(Case, world["review"])
    case.next_review_on = date(2026, 6, 1)
    db.session.commit()
    rebuilt = agenda.build(chair, meeting.id)
    assert world["review"] not in _by_case(rebuilt) and not rebuilt.removed
    row = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "agenda.built").order_by(AuditEvent.seq.desc())
    )
    assert str(world["review"]) in row.detail
