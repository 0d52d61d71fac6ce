"""Server-side sessions: a row in user_sessions per session, the cookie only a signed id.

Flask's default cookie session would let a cookie copied before sign-out keep working
after it. Here signing out deletes the row, deactivating a user deletes all of theirs,
and a session ends when idle or too old, on every web node at once. Sign-in rotates the
id (regenerate()), so an id planted before sign-in is worthless after it.

No row is written before sign-in: a visitor's session that holds only what the sign-in
page needs (its CSRF token, a message to show, Flask-Login's freshness mark) travels in
the cookie itself, signed and timed, as Flask's own sessions do. It grants nothing, so a
copy of it is worth nothing; anyone could load the sign-in page to get one. Without this,
every cookieless request to /login (a scanner, a health probe, a bot) wrote a row. The
row is written when the session holds a user, or anything else a later step needs kept
on the server (a sign-in step half done); signing out deletes it.
"""

import hashlib
import json
import secrets
from datetime import timedelta

from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, Signer, URLSafeTimedSerializer
from sqlalchemy import delete, insert, select, update
from werkzeug.datastructures import CallbackDict

from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.user_session import UserSession

# Writing last_seen_at on every request would turn every page view into a write; a
# minute's slack on a 30 minute idle limit does not matter.
TOUCH_INTERVAL = timedelta(seconds=60)

# What a signed-out visitor's session may hold in its cookie rather than a row (see above).
ANONYMOUS_KEYS = frozenset({"csrf_token", "_flashes", "_fresh"})
# A cookie-kept session's cookie starts with this; a row's is the signed id, with no dot
# before its 43rd character, so the two never look alike.
ANONYMOUS_PREFIX = "anon."
# Past this many characters the visitor's session gets a row, as before: browsers drop
# cookies over about 4 KB.
ANONYMOUS_MAX_CHARS = 3000


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, initial=None, sid: str | None = None, row_id: int | None = None):
        def on_update(self):
            self.modified = True

        super().__init__(initial, on_update)
        self.sid = sid
        self.row_id = row_id
        self.modified = False
        self.rotate = False
        self.touch = False
        self.in_cookie = False  # read from a visitor's cookie (no row)

    @property
    def anonymous(self) -> bool:
        """Holds nothing a row must keep: no user, nothing beyond ANONYMOUS_KEYS."""
        return "_user_id" not in self and set(self) <= ANONYMOUS_KEYS

    def regenerate(self) -> None:
        """Give this session a new id (at sign-in) and drop the old row."""
        self.rotate = True
        self.modified = True


class ServerSessionInterface(SessionInterface):
    def _signer(self, app) -> Signer:
        return Signer(app.secret_key, salt="mettrack-session")

    def _visitor_serializer(self, app) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(app.secret_key, salt="mettrack-visitor-session")

    def _open_visitor_session(self, app, value: str) -> "ServerSession":
        idle, _ = self._limits(app)
        try:
            data, signed_at = self._visitor_serializer(app).loads(
                value, max_age=int(idle.total_seconds()), return_timestamp=True
            )
        except BadSignature:  # also SignatureExpired: an old visitor's session starts afresh
            return ServerSession()
        if not isinstance(data, dict) or not set(data) <= ANONYMOUS_KEYS:
            return ServerSession()
        session = ServerSession(data)
        session.in_cookie = True
        # Signed anew now and then, so a sign-in page left open is idle, not old.
        session.touch = now() - signed_at > TOUCH_INTERVAL
        return session

    def _limits(self, app):
        return (
            timedelta(minutes=app.config["SESSION_IDLE_MINUTES"]),
            timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"]),
        )

    def open_session(self, app, request):
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return ServerSession()
        if cookie.startswith(ANONYMOUS_PREFIX):
            return self._open_visitor_session(app, cookie[len(ANONYMOUS_PREFIX) :])
        try:
            sid = self._signer(app).unsign(cookie).decode()
        except BadSignature:
            return ServerSession()
        idle, absolute = self._limits(app)
        moment = now()
        with db.engine.connect() as conn:
            row = conn.execute(
                select(
                    UserSession.id, UserSession.data, UserSession.created_at, UserSession.last_seen_at
                ).where(UserSession.sid_hash == _hash(sid))
            ).first()
        if row is None:
            return ServerSession()
        if moment - row.last_seen_at > idle or moment - row.created_at > absolute:
            self._delete(row.id)
            return ServerSession()
        session = ServerSession(json.loads(row.data or "{}"), sid=sid, row_id=row.id)
        session.touch = moment - row.last_seen_at > TOUCH_INTERVAL
        return session

    def _delete(self, row_id: int) -> None:
        with db.engine.begin() as conn:
            conn.execute(delete(UserSession).where(UserSession.id == row_id))

    def save_session(self, app, session: ServerSession, response):
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        visitor = bool(session) and session.anonymous and self._fits_cookie(app, session)
        if session.row_id is not None and (not session or session.rotate or visitor):
            # Signing out (or a sign-in that rotates the id) ends the row, whatever the
            # visitor's session keeps afterwards (the "signed out" message).
            self._delete(session.row_id)
            session.row_id = None
            session.modified = True
        if not session:
            if session.sid is not None or session.in_cookie:
                response.delete_cookie(name, domain=domain, path=path)
            return
        if visitor:
            if session.modified or session.touch:
                value = ANONYMOUS_PREFIX + self._visitor_serializer(app).dumps(dict(session))
                self._set_cookie(app, response, value)
            return
        if not (session.modified or session.touch or session.row_id is None):
            return
        moment = now()
        user_id = session.get("_user_id")
        values = {
            "data": json.dumps(dict(session)),
            "user_id": int(user_id) if user_id else None,
            "last_seen_at": moment,
        }
        if session.row_id is None:
            session.sid = secrets.token_urlsafe(32)
            with db.engine.begin() as conn:
                conn.execute(
                    insert(UserSession).values(sid_hash=_hash(session.sid), created_at=moment, **values)
                )
        else:
            with db.engine.begin() as conn:
                conn.execute(update(UserSession).where(UserSession.id == session.row_id).values(**values))
            if not session.modified:
                return  # touched only; the cookie is unchanged
        self._set_cookie(app, response, self._signer(app).sign(session.sid).decode())

    def _fits_cookie(self, app, session: ServerSession) -> bool:
        return len(self._visitor_serializer(app).dumps(dict(session))) <= ANONYMOUS_MAX_CHARS

    def _set_cookie(self, app, response, value: str) -> None:
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        response.set_cookie(
            self.get_cookie_name(app),
            value,
            httponly=self.get_cookie_httponly(app),
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
            domain=domain,
            path=path,
        )
        response.vary.add("Cookie")


def end_sessions_for_user(user_id: int, keep_session_id: int | None = None) -> int:
    """Delete every session of one user (deactivation, password reset), or every one but
    the session making the change (a password change). Returns how many."""
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if keep_session_id is not None:
        query = query.where(UserSession.id != keep_session_id)
    return db.session.execute(query).rowcount or 0


def purge_expired(idle: timedelta, absolute: timedelta) -> int:
    moment = now()
    result = db.session.execute(
        delete(UserSession).where(
            (UserSession.last_seen_at < moment - idle) | (UserSession.created_at < moment - absolute)
        )
    )
    return result.rowcount or 0
