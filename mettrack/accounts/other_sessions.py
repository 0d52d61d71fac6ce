"""A user's other sessions: how many there are, and ending them ("Sign out everywhere
else" on the account page; docs/security.md, "Sessions")."""

from sqlalchemy import func, select

from mettrack.accounts.models import User
from mettrack.core import audit
from mettrack.core.extensions import db
from mettrack.core.sessions import end_sessions_for_user
from mettrack.core.unit_of_work import transaction
from mettrack.core.user_session import UserSession


def count_other_sessions(user_id: int, this_session_id: int | None) -> int:
    """Who: the user themself. Sessions of theirs other than this one, idle-expired ones
    not yet purged included (signing out everywhere else ends those too)."""
    query = select(func.count()).select_from(UserSession).where(UserSession.user_id == user_id)
    if this_session_id is not None:
        query = query.where(UserSession.id != this_session_id)
    return db.session.scalar(query) or 0


@transaction
def end_other_sessions(user: User, this_session_id: int | None) -> int:
    """Who: the user themself. Ends every session of theirs but this one: whoever holds
    one elsewhere (a shared computer left signed in, a copied cookie) is signed out
    there. Audited auth.other_sessions_ended with how many. Returns how many."""
    if this_session_id is None:
        return 0  # not a row: nothing of this user's to keep, and nothing to end safely
    ended = end_sessions_for_user(user.id, keep_session_id=this_session_id)
    audit.record("auth.other_sessions_ended", "user", user.id, detail={"sessions_ended": ended}, actor=user)
    return ended
