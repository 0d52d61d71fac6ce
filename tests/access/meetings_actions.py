"""Actions across meetings (meetings/action_pages.py, meetings/actions_api.py).

{action}         an open action on {meeting}, owned by the test lead professional, on the
                 world's visible case: every test user sees it (all are members of
                 {meeting}); only its owner and a MET chair may update it, so the
                 coordinator and the partner get 403 on done / not done / notes (the use
                 case refuses them: not the owner), the analyst and admin 403 by role.
{hidden_action}  an action on {hidden_meeting}, owned by that meeting's chair: a MET chair
                 sees it, every other role gets 404 (not a member, not the owner).
                 {open_action} is the same.
"""

from datetime import date

from sqlalchemy import select

from mettrack.cases.models import Case
from mettrack.core.choices import ActionEventKind, Role
from mettrack.core.extensions import db
from mettrack.meetings.models import ActionEvent, MeetingAction
from tests.access import CASE_ROLES, Route


def build_records(users: dict, meeting, hidden) -> dict:
    """For tests/access/meetings.py: the two actions. Returns the ids to add."""
    lead = users[Role.LEAD_PROFESSIONAL]
    case_id = db.session.scalar(select(Case.id).where(Case.lead_professional_id == lead.id).limit(1))

    def made(on, owner_id):
        action = MeetingAction(
            meeting_id=on.id,
            case_id=case_id,
            description="Arrange a strategy meeting",
            owner_id=owner_id,
            due_on=date(2026, 3, 24),
            created_by_id=on.chair_id,
        )
        action.events = [
            ActionEvent(kind=ActionEventKind.RAISED.value, meeting_id=on.id, actor_id=on.chair_id)
        ]
        db.session.add(action)
        return action

    visible, other = made(meeting, lead.id), made(hidden, hidden.chair_id)
    db.session.commit()
    return {"action": visible.id, "hidden_action": other.id, "open_action": other.id}


OWNER = frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL})
R = dict(allowed=CASE_ROLES, need_to_know=True)
U = dict(allowed=OWNER, need_to_know=True)
DONE = {"version": "1", "note": "Held on 19 March."}
NOT_DONE = {"version": "1", "reason": "circumstances_changed"}
NOTE = {"version": "1", "note": "Called the school."}

ROUTES = [
    Route("GET", "actions.index", "/actions/", allowed=CASE_ROLES),
    # A list: its rows follow the list's reach (tests/meetings/test_actions_export.py).
    # {case} is a filter here; a case outside the user's need-to-know lists nothing (200).
    Route("GET", "actions.export", "/actions/export.csv?owner=any&case={case}", allowed=CASE_ROLES),
    Route("GET", "actions.detail", "/actions/{action}", **R),
    Route("POST", "actions.done", "/actions/{action}/done", ok=302, data=DONE, **U),
    Route("POST", "actions.not_done", "/actions/{action}/not-done", ok=302, data=NOT_DONE, **U),
    Route("POST", "actions.note", "/actions/{action}/notes", ok=302, data=NOTE, **U),
    Route(
        "POST",
        "actions.reassign",
        "/actions/{action}/reassign",
        ok=302,
        data={"version": "1", "due_on": "2026-04-30"},
        allowed=frozenset({Role.MET_CHAIR}),
        need_to_know=True,
    ),
    Route("GET", "actions.meeting_actions", "/meetings/{meeting}/actions", **R),
    Route("GET", "api_actions.Actions", "/api/v1/actions", allowed=CASE_ROLES, api=True),
    Route("GET", "api_actions.ActionItem", "/api/v1/actions/{action}", api=True, **R),
    Route(
        "POST", "api_actions.ActionDone", "/api/v1/actions/{action}/done", data={"version": 1}, api=True, **U
    ),
    Route(
        "POST",
        "api_actions.ActionNotDone",
        "/api/v1/actions/{action}/not-done",
        data={"version": 1, "reason": "agency_could_not_act"},
        api=True,
        **U,
    ),
    Route(
        "POST",
        "api_actions.ActionNotes",
        "/api/v1/actions/{action}/notes",
        data={"version": 1, "note": "Called the school."},
        api=True,
        **U,
    ),
]
