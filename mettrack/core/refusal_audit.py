"""Refusals at authentication, audited without letting anyone flood the audit table.

An API request with an unknown token, a revoked one or a deactivated user's
(`auth.token_refused`), and a signed-out request to a page or API route that needs a
sign-in (`auth.anonymous_refused`), write an audit row committed on its own connection, as
every denial does. Such requests cost an attacker nothing, so:

- each address writes at most one row for each reason a minute (`WINDOW`); the next row
  says how many refusals like it were not written meanwhile (`not_audited_since_last`);
- and a process writes at most `MAX_ROWS_PER_WINDOW` of these rows a minute in all, so
  that many addresses cannot flood it either.

The count is kept in each web process's memory (no Redis needed, nothing to fail open):
with N processes an address writes at most N rows a reason a minute.
"""

import threading
from datetime import datetime

from flask import current_app, g, has_request_context, request
from sqlalchemy.exc import SQLAlchemyError

from mettrack.core import audit
from mettrack.core.choices import AuditOutcome
from mettrack.core.clock import now

WINDOW_SECONDS = 60
MAX_ROWS_PER_WINDOW = 120
# Addresses remembered at once; beyond it, refusals from new addresses go unwritten until
# the window passes (the per-process cap above would stop them anyway).
MAX_TRACKED = 10_000

TOKEN_REFUSED = "auth.token_refused"
ANONYMOUS_REFUSED = "auth.anonymous_refused"


class RefusalThrottle:
    """Which refusals to write: at most one per key a window, and `per_window` in all."""

    def __init__(
        self,
        window_seconds: float = WINDOW_SECONDS,
        per_window: int = MAX_ROWS_PER_WINDOW,
        max_tracked: int = MAX_TRACKED,
    ):
        self.window_seconds = window_seconds
        self.per_window = per_window
        self.max_tracked = max_tracked
        self._lock = threading.Lock()
        self._written_at: dict[tuple, datetime] = {}
        self._not_written: dict[tuple, int] = {}
        self._window_start: datetime | None = None
        self._written_in_window = 0

    def admit(self, key: tuple, at: datetime) -> int | None:
        """None when this refusal is not to be written; otherwise how many with this key
        were not written since the last one that was."""
        with self._lock:
            if self._window_start is None or self._elapsed(self._window_start, at):
                self._window_start, self._written_in_window = at, 0
                self._forget_before(at)
            last = self._written_at.get(key)
            full = len(self._written_at) >= self.max_tracked and last is None
            if (
                (last is not None and not self._elapsed(last, at))
                or full
                or (self._written_in_window >= self.per_window)
            ):
                if key in self._not_written or len(self._not_written) < self.max_tracked:
                    self._not_written[key] = self._not_written.get(key, 0) + 1
                return None
            self._written_at[key] = at
            self._written_in_window += 1
            return self._not_written.pop(key, 0)

    def _elapsed(self, since: datetime, at: datetime) -> bool:
        return (at - since).total_seconds() >= self.window_seconds

    def _forget_before(self, at: datetime) -> None:
        for key in [k for k, when in self._written_at.items() if self._elapsed(when, at)]:
            del self._written_at[key]


def _throttle() -> RefusalThrottle:
    # One per app (each test's app starts with none counted).
    return current_app.extensions.setdefault("refusal_audit", RefusalThrottle())


def _write(action: str, reason: str, record_type=None, record_id=None, detail=None) -> None:
    g.refusal_audited = True  # one row a request: a bad token is not also an anonymous request
    not_written = _throttle().admit((request.remote_addr, action, reason), now())
    if not_written is None:
        return
    try:
        audit.record_now(
            action,
            record_type,
            record_id,
            outcome=AuditOutcome.DENIED,
            detail={"reason": reason, **(detail or {}), "not_audited_since_last": not_written},
            actor="anonymous",
        )
    except SQLAlchemyError:
        # The refusal stands (401, or the sign-in page) whether or not its row is written:
        # a database that cannot take the row must not turn a refusal into a 500.
        current_app.logger.warning("a refusal at authentication could not be audited (%s)", action)


def token_refused(reason: str, token_id: int | None = None) -> None:
    """An API token that opens nothing: `unknown`, `revoked`, or `deactivated` (its user's
    account). Names the token by id when it exists, never the secret or the user's name."""
    if not has_request_context():
        return
    _write(TOKEN_REFUSED, reason, "api_token" if token_id else None, token_id)


def anonymous_refused() -> None:
    """A signed-out request to a route that needs a sign-in (answered 401, or sent to the
    sign-in page). Names the route by endpoint, never the URL (it may hold ids and terms)."""
    if not has_request_context() or g.get("refusal_audited"):
        return
    _write(
        ANONYMOUS_REFUSED,
        "not_signed_in",
        detail={"endpoint": request.endpoint, "method": request.method},
    )
