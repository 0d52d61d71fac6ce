"""The actions list as a CSV file: every action the /actions page shows the user for its
filters, all pages at once, soonest due first (docs/meetings-actions.md, "Downloading
the list").

The rows are the list's (actions.conditions_for: the same reach and filters) and show
what the list shows (actions.views_for): an action on a case whose record the viewer may
not see names no child and no case number, only "a case you do not have access to".

One audit row, `action.exported`, names the query, every action id and the ids of the
cases shown, as `action.listed` does for a page. The detail is a JSON text column with
no size limit; all the ids are named, whatever their number (cases/list_export.py says
why).
"""

from dataclasses import dataclass

from sqlalchemy import select

from mettrack.core import audit
from mettrack.core.clock import local, today
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, require
from mettrack.core.unit_of_work import transaction
from mettrack.meetings import actions
from mettrack.meetings.models import MeetingAction

HEADER = (
    "Action number",
    "Action",
    "Status",
    "Overdue",
    "Due",
    "Owner",
    "Owner's agency",
    "Case number",
    "Child's name",
    "Raised at meeting",
    "Meeting number",
    "Meeting date",
    "Not done because",
    "Outcome note",
    "Closed",
)
CHUNK = 500  # actions loaded per query


@dataclass(frozen=True)
class ActionExport:
    filename: str  # a date, never a name
    header: tuple[str, ...]
    rows: list[tuple]
    ids: list[int]
    case_ids: list[int]


def _row(view: actions.ActionView) -> tuple:
    meeting = view.raised_at
    return (
        view.id,
        view.description,
        view.status_label,
        view.overdue,
        view.due_on,
        view.owner_name,
        view.agency_name or "",
        view.case.id if view.case else "",
        view.case.child_name if view.case else actions.CASE_HIDDEN.capitalize(),
        meeting.title if meeting else "",
        meeting.id if meeting else "",
        local(meeting.starts_at).date() if meeting else None,
        view.not_done_reason_label or "",
        view.outcome_note or "",
        local(view.closed_at).date() if view.closed_at else None,
    )


@transaction
def export_for(user, filters: actions.ActionFilters | None = None) -> ActionExport:
    """Who: meeting.view (403, audited, otherwise). Every action the actions list shows
    the user for `filters`, soonest due first, as CSV rows. Writes one audit row,
    action.exported, naming the query, every action id and the case ids shown."""
    require(user, Perm.MEETING_VIEW, "action.exported")
    filters = filters or actions.ActionFilters()
    on = today()
    ids = list(
        db.session.scalars(
            select(MeetingAction.id)
            .where(*actions.conditions_for(user, filters, on))
            .order_by(MeetingAction.due_on, MeetingAction.id)
        )
    )
    views: list[actions.ActionView] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        loaded = {
            a.id: a
            for a in db.session.scalars(
                actions.with_people(select(MeetingAction)).where(MeetingAction.id.in_(chunk))
            )
        }
        views.extend(actions.views_for(user, [loaded[i] for i in chunk if i in loaded]))
    case_ids = sorted({v.case.id for v in views if v.case})
    audit.record(
        "action.exported",
        "meeting_action",
        detail={
            "query": filters.audit_query(),
            "format": "csv",
            "count": len(views),
            "ids": [v.id for v in views],
            "case_ids": case_ids,
        },
        actor=user,
    )
    return ActionExport(f"actions-{on.isoformat()}.csv", HEADER, [_row(v) for v in views], ids, case_ids)
