"""Actions across meetings through the use cases: who sees which, the filters, done, not
done, updates and their history, the version check, a chair's reassignment."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import ActionStatus, CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import Conflict, NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.language import WordingFlagged, seed_defaults
from mettrack.meetings import actions
from mettrack.meetings.models import MeetingAction
from tests import factories
from tests.meetings import factories as meetings
from tests.meetings.action_helpers import action, carry_forward

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


@pytest.fixture
def world(app_ctx):
    set_now(NOW)
    seed_defaults()
    db.session.commit()
    chair = factories.user(roles=[Role.MET_CHAIR])
    owner = factories.user(roles=[Role.PARTNER], agency="Barnardo's")
    member = factories.user(roles=[Role.COORDINATOR])
    outsider = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = factories.case(lead=lead, state=CaseState.MET_REVIEW)
    meeting = meetings.meeting(chair=chair, members=[owner, member])
    later = meetings.meeting(chair=chair, members=[member], starts_at=datetime(2026, 4, 7, 9, tzinfo=UTC))
    a = action(meeting, case, owner, due_on=date(2026, 3, 18))
    b = action(meeting, case, member, due_on=date(2026, 3, 30), description="Share the school's view")
    return {
        "chair": chair,
        "owner": owner,
        "member": member,
        "outsider": outsider,
        "lead": lead,
        "case": case,
        "meeting": meeting,
        "later": later,
        "a": a.id,
        "b": b.id,
    }


def _ids(page):
    return [v.id for v in page.items]


def test_chair_sees_every_action_and_the_case(world):
    page = actions.list_for(world["chair"])
    assert _ids(page) == [world["a"], world["b"]]
    assert page.items[0].case.id == world["case"].id
    assert page.items[0].case.child_name == world["case"].child.display_name


def test_owner_without_case_access_sees_the_action_not_the_case(world):
    view = actions.get_for(world["owner"], world["a"])
    assert view.description == "Arrange a strategy meeting"
    assert view.case is None and view.case_hidden


def test_member_sees_the_meetings_actions_outsider_none(world):
    assert _ids(actions.list_for(world["member"])) == [world["a"], world["b"]]
    assert _ids(actions.list_for(world["outsider"])) == []
    with pytest.raises(NotFound):
        actions.get_for(world["outsider"], world["a"])


def test_roles_without_meeting_view_are_refused(world):
    analyst = factories.user(roles=[Role.ANALYST])
    with pytest.raises(NotAllowed):
        actions.list_for(analyst)
    with pytest.raises(NotAllowed):
        actions.get_for(analyst, world["a"])


def test_member_of_a_later_meeting_sees_actions_carried_forward_to_it(world):
    newcomer = factories.user(roles=[Role.PARTNER])
    later = meetings.meeting(
        chair=world["chair"], members=[newcomer], starts_at=datetime(2026, 4, 14, 9, tzinfo=UTC)
    )
    assert _ids(actions.list_for(newcomer)) == []
    carry_forward(db.session.get(MeetingAction, world["a"]), later)
    assert _ids(actions.list_for(newcomer)) == [world["a"]]
    found = actions.meeting_actions(newcomer, later.id)
    assert [v.id for v in found.carried_forward] == [world["a"]] and found.raised == []


def test_filters(world):
    chair, owner = world["chair"], world["owner"]
    f = actions.filters_from

    def listed(args, user=chair):
        return _ids(actions.list_for(user, f(args, user)))

    assert listed({"owner": "me"}, owner) == [world["a"]]
    assert listed({"owner": str(world["member"].id)}) == [world["b"]]
    assert listed({"overdue": "true"}) == [world["a"]]
    assert listed({"due_before": "2026-03-20"}) == [world["a"]]
    assert listed({"status": ["done"]}) == []
    assert listed({"meeting": str(world["meeting"].id)}) == [world["a"], world["b"]]
    assert listed({"meeting": str(world["later"].id)}) == []
    assert listed({"case": str(world["case"].id)}) == [world["a"], world["b"]]
    assert listed({"agency": str(owner.agency_id)}) == [world["a"]]
    # A case the viewer may not see narrows to nothing: it does not reveal which actions name it.
    assert listed({"case": str(world["case"].id)}, owner) == []


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"owner": "someone"}, "owner"),
        ({"status": ["finished"]}, "status"),
        ({"due_before": "31/02/2026"}, "due_before"),
        ({"overdue": "perhaps"}, "overdue"),
        ({"meeting": "-1"}, "meeting"),
        ({"case": "99999999999"}, "case"),
        ({"agency": "x"}, "agency"),
    ],
)
def test_bad_filters_name_the_field(world, args, field):
    with pytest.raises(ValidationError) as e:
        actions.filters_from(args, world["chair"])
    assert field in e.value.errors


def test_owner_marks_done_with_history_and_audit(world):
    view = actions.mark_done(world["owner"], world["a"], {"note": "Held on 19 March.", "version": 1})
    assert view.status == ActionStatus.DONE and view.version == 2
    assert [h.kind for h in view.history] == ["raised", "done"]
    assert view.history[1].note == "Held on 19 March." and view.history[1].actor_name == world["owner"].name
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action.done"))
    assert row.record_id == str(world["a"]) and json.loads(row.detail)["case_id"] == world["case"].id
    with pytest.raises(ValidationError):
        actions.mark_done(world["owner"], world["a"], {"version": 2})


def test_not_done_needs_a_reason_and_text_for_other(world):
    with pytest.raises(ValidationError) as e:
        actions.mark_not_done(world["owner"], world["a"], {"reason": "lazy", "version": 1})
    assert "reason" in e.value.errors
    with pytest.raises(ValidationError) as e:
        actions.mark_not_done(world["owner"], world["a"], {"reason": "other", "version": 1})
    assert "note" in e.value.errors
    view = actions.mark_not_done(
        world["owner"],
        world["a"],
        {"reason": "agency_could_not_act", "note": "No worker free.", "version": 1},
    )
    assert view.status == ActionStatus.NOT_DONE and view.not_done_reason == "agency_could_not_act"
    assert view.history[-1].note == "The agency could not act: No worker free."


def test_notes_add_history_and_the_version_check_refuses_a_stale_change(world):
    view = actions.add_note(world["owner"], world["a"], {"note": "Date set for 25 March.", "version": 1})
    assert view.version == 2 and view.history[-1].kind == "note"
    with pytest.raises(Conflict):
        actions.mark_done(world["owner"], world["a"], {"version": 1})
    assert db.session.get(MeetingAction, world["a"]).status == ActionStatus.OPEN


def test_only_the_owner_or_a_chair_may_update(world):
    with pytest.raises(NotAllowed):
        actions.mark_done(world["member"], world["a"], {"version": 1})
    with pytest.raises(NotFound):
        actions.add_note(world["outsider"], world["a"], {"note": "x", "version": 1})
    view = actions.add_note(world["chair"], world["a"], {"note": "Chased by phone.", "version": 1})
    assert view.history[-1].actor_name == world["chair"].name


def test_language_check_with_save_anyway(world):
    text = "She is putting herself at risk."
    with pytest.raises(WordingFlagged):
        actions.add_note(world["owner"], world["a"], {"note": text, "version": 1})
    assert db.session.get(MeetingAction, world["a"]).version == 1
    actions.add_note(world["owner"], world["a"], {"note": text, "version": 1}, save_anyway=True)
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action.noted"))
    assert json.loads(row.detail)["saved_anyway"] is True


def test_chair_reassigns_owner_and_due_date(world):
    with pytest.raises(NotAllowed):
        actions.reassign(world["owner"], world["a"], {"owner": str(world["member"].id), "version": 1})
    view = actions.reassign(
        world["chair"], world["a"], {"owner": str(world["member"].id), "due_on": "2026-04-01", "version": 1}
    )
    assert view.owner_id == world["member"].id and view.due_on == date(2026, 4, 1)
    assert "Owner changed to" in view.history[-1].note
    with pytest.raises(ValidationError) as e:
        actions.reassign(world["chair"], world["a"], {"owner": "999999", "version": 2})
    assert "owner" in e.value.errors


def test_list_and_read_are_audited_with_ids(world):
    actions.list_for(world["owner"])
    actions.get_for(world["owner"], world["a"])
    listed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action.listed"))
    assert json.loads(listed.detail)["ids"] == [world["a"], world["b"]]
    assert json.loads(listed.detail)["case_ids"] == []
    viewed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action.viewed"))
    assert json.loads(viewed.detail) == {"case_id": None}


def test_meeting_actions_tab_for_members_only(world):
    found = actions.meeting_actions(world["member"], world["meeting"].id)
    assert [v.id for v in found.raised] == [world["a"], world["b"]]
    with pytest.raises(NotFound):
        actions.meeting_actions(world["outsider"], world["meeting"].id)
