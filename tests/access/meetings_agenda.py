"""The draft agenda, the lead professional's update and closure proposals: pages and API.

{agenda_item}       an item on {meeting}'s draft for the world's visible case (led by the
                    test lead professional)
{open_agenda_item}  an item on {meeting}, taken off the agenda, for the open case (led by
                    someone else)
"""

from sqlalchemy import select

from mettrack.cases.models import Case
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.meetings.models import AgendaItem
from tests.access import Route


def build_records(users: dict, meeting_id: int) -> dict:
    """For tests/access/meetings.py: the two items above. Returns their ids."""
    lead = users[Role.LEAD_PROFESSIONAL]
    visible = db.session.scalar(
        select(Case).where(Case.lead_professional_id == lead.id, Case.state != CaseState.CLOSED.value)
    )
    test_users = [u.id for u in users.values()]
    open_case = db.session.scalar(
        select(Case).where(Case.state != CaseState.CLOSED.value, Case.lead_professional_id.not_in(test_users))
    )
    reasons = [{"section": "high_risk", "text": "high risk"}]
    item = AgendaItem(meeting_id=meeting_id, case_id=visible.id, section="high_risk", reasons=reasons)
    removed = AgendaItem(
        meeting_id=meeting_id,
        case_id=open_case.id,
        section="high_risk",
        reasons=reasons,
        position=1,
        removed_at=now(),
        removed_by_id=users[Role.MET_CHAIR].id,
        removed_reason="Discussed at the strategy meeting",
    )
    db.session.add_all([item, removed])
    db.session.commit()
    return {"agenda_item": item.id, "open_agenda_item": removed.id}


MEMBERS = frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL, Role.COORDINATOR, Role.PARTNER})
CHAIR = frozenset({Role.MET_CHAIR})
CONTRIBUTORS = frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL})
M = dict(need_to_know=True, sees_all=CHAIR)
BASE = "/meetings/{meeting}/agenda"
ITEM = BASE + "/items/{agenda_item}"
CLOSURE = "/cases/{case}/closure-proposal"
API = "/api/v1/meetings/{meeting}/agenda/draft"

ROUTES = [
    # A member who is not a chair is led to the issued agenda (the access world issues one).
    Route(
        "GET",
        "meeting_agenda.agenda",
        BASE,
        allowed=MEMBERS,
        ok_for={role: 302 for role in MEMBERS - CHAIR},
        **M,
    ),
    Route("POST", "meeting_agenda.build", BASE + "/build", allowed=CHAIR, ok=302, **M),
    # The case's number is not known to the table: an empty one is refused on the page (400).
    Route("POST", "meeting_agenda.add", BASE + "/add", allowed=CHAIR, ok=400, data={"case_id": ""}, **M),
    Route(
        "POST",
        "meeting_agenda.remove",
        ITEM + "/remove",
        allowed=CHAIR,
        ok=302,
        data={"reason": "Elsewhere"},
        **M,
    ),
    Route(
        "POST",
        "meeting_agenda.restore",
        BASE + "/items/{open_agenda_item}/restore",
        allowed=CHAIR,
        ok=302,
        **M,
    ),
    Route(
        "POST", "meeting_agenda.move", ITEM + "/move", allowed=CHAIR, ok=302, data={"direction": "down"}, **M
    ),
    Route("GET", "meeting_agenda.lead_update", ITEM + "/update", allowed=CONTRIBUTORS, **M),
    Route(
        "POST",
        "meeting_agenda.lead_update",
        ITEM + "/update",
        allowed=CONTRIBUTORS,
        ok=302,
        data={"text": "Back at school full time."},
        **M,
    ),
    Route("GET", "meeting_agenda.closure_proposal", CLOSURE, allowed=CONTRIBUTORS, need_to_know=True),
    Route(
        "POST",
        "meeting_agenda.closure_proposal",
        CLOSURE,
        allowed=CONTRIBUTORS,
        ok=302,
        data={"reason": "Settled and safe for three months."},
        need_to_know=True,
    ),
    # No proposal is open: the page says so and goes back to the form.
    Route(
        "POST",
        "meeting_agenda.withdraw_closure",
        CLOSURE + "/withdraw",
        allowed=CONTRIBUTORS,
        ok=302,
        need_to_know=True,
    ),
    Route("GET", "api_meeting_agenda_draft.DraftAgenda", API, allowed=CHAIR, api=True, **M),
    Route("POST", "api_meeting_agenda_draft.DraftAgenda", API, allowed=CHAIR, api=True, **M),
    # The case's number is not known to the table: a string for it is refused (422 naming case_id).
    Route(
        "POST",
        "api_meeting_agenda_draft.DraftItems",
        API + "/items",
        allowed=CHAIR,
        ok=422,
        data={"case_id": "1"},
        api=True,
        **M,
    ),
    Route(
        "POST",
        "api_meeting_agenda_draft.DraftItemRemove",
        API + "/items/{agenda_item}/remove",
        allowed=CHAIR,
        data={"reason": "Elsewhere"},
        api=True,
        **M,
    ),
    Route(
        "POST",
        "api_meeting_agenda_draft.DraftItemRestore",
        API + "/items/{open_agenda_item}/restore",
        allowed=CHAIR,
        api=True,
        **M,
    ),
    Route(
        "POST",
        "api_meeting_agenda_draft.DraftItemMove",
        API + "/items/{agenda_item}/move",
        allowed=CHAIR,
        data={"direction": "down"},
        api=True,
        **M,
    ),
]
