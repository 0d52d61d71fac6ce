"""Who may reach a meeting: the one place that decides it (as cases/scopes.py does for cases).

DESIGN.md, MET meeting: the members of a meeting (its chair and the people invited to it)
see its issued agenda and approved minutes whatever their case teams; every MET chair sees
and runs every meeting (chairs deputise for each other). Everyone else gets 404 for a
meeting, so that its existence is not revealed; a role the action is not open to gets 403
first (core/permissions.py), before the meeting is looked at.

Every meeting page, API resource and use case fetches the meeting through `meeting_for`,
never by bare id. It audits a refusal; the caller audits what it then reads (an agenda or
minutes read names the meeting as its reason: `audit_read`).
"""

from sqlalchemy import exists, or_, select

from mettrack.core import audit
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, deny_record, require
from mettrack.meetings.models import Meeting, MeetingMember


def sees_every_meeting(user) -> bool:
    return Role.MET_CHAIR in user.roles


def meeting_scope(user):
    """A WHERE clause on Meeting: the meetings the user may reach."""
    if sees_every_meeting(user):
        return Meeting.id.is_not(None)
    invited = exists().where(MeetingMember.meeting_id == Meeting.id, MeetingMember.user_id == user.id)
    return or_(Meeting.chair_id == user.id, invited)


def is_member(user, meeting: Meeting) -> bool:
    """The chair or an invited person (a MET chair reaches every meeting, but is a member
    only of the meetings they chair or are invited to)."""
    return meeting.chair_id == user.id or any(m.user_id == user.id for m in meeting.members)


def meeting_for(user, meeting_id: int, perm: Perm, action: str, *, lock: bool = False) -> Meeting:
    """The meeting, if the user's roles allow `perm` (NotAllowed, audited, otherwise) and the
    meeting is within their reach (NotFound, audited, otherwise). `action` names the audit
    action (meeting.viewed, agenda.issued ...). With `lock`, the row is locked for update
    (a use case that changes the meeting)."""
    require(user, perm, action)
    query = select(Meeting).where(Meeting.id == meeting_id, meeting_scope(user))
    if lock:
        query = query.with_for_update()
    meeting = db.session.scalar(query)
    if meeting is None:
        raise deny_record("meeting", meeting_id, action)
    return meeting


def audit_read(user, meeting: Meeting, what: str, **detail) -> None:
    """Audit a read of a meeting's agenda or minutes, with the meeting as the reason, in the
    reading use case's transaction (a read that audits is a @transaction, as
    cases.get_for is). `what`: "agenda", "minutes" ... (the action is `<what>.viewed`)."""
    audit.record(f"{what}.viewed", "meeting", meeting.id, detail={"reason": "meeting", **detail}, actor=user)
