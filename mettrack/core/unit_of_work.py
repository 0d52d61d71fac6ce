"""One transaction per use case.

A use case runs inside `unit_of_work()` (or is decorated with `@transaction`): the
outermost block commits once when it ends, or rolls back if anything is raised; blocks
opened inside it (one use case calling another, a meeting applying its decisions to ten
cases) join the same transaction. While a unit of work is open, a `commit()` from
anything it calls is an error, so a helper cannot split a use case in two by accident.
Reads open no unit of work and never commit. Audit rows of a change are written in its
transaction (audit.record); refusals are written on their own connection
(audit.record_now) so that the rollback does not take them too. Sign-in's use cases
(accounts/lockout.authenticate, two_factor.verify) instead commit their failure rows in
their one transaction and raise after it.

Superset's `@transaction()` on a command's `run()` is the model.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from mettrack.core.extensions import db

_DEPTH = "mettrack_uow_depth"
_COMMITTING = "mettrack_uow_committing"
# Set while a savepoint() is released: that is not a commit (the audit log's listener
# keeps its pending rows for the real commit too: core/audit.py).
RELEASING = "mettrack_uow_releasing"
# The audit rows written in the unit of work, appended when it commits (core/audit.py).
PENDING_AUDIT = "mettrack_pending_audit"

P = ParamSpec("P")
R = TypeVar("R")


class CommitInsideUnitOfWork(RuntimeError):
    """Something called by a use case committed: only the use case's own unit of work may."""


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Run the block as one transaction on the app's session (see the module docstring)."""
    session = db.session()
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
        if depth == 0:
            session.info[_COMMITTING] = True
            try:
                session.commit()
            finally:
                session.info[_COMMITTING] = False
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = depth


def transaction(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a use case: it runs as one unit of work."""

    @wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return func(*args, **kwargs)

    return wrapped


@contextmanager
def savepoint() -> Iterator[Session]:
    """Inside a unit of work, run the block in a SAVEPOINT: if it raises, the block's
    changes to the database are undone and the error goes on; otherwise they stay in
    the unit of work, which still commits once (a meeting trying each of its decisions
    to collect every refusal: meetings/minutes.py). The audit rows the block wrote go
    with its changes; those written before it stay."""
    session = db.session()
    if session.info.get(_DEPTH, 0) == 0:
        raise RuntimeError("savepoint() runs inside a unit of work")
    before = list(session.info.get(PENDING_AUDIT, ()))
    nested = session.begin_nested()
    try:
        yield session
    except BaseException:
        if nested.is_active:
            nested.rollback()  # SQLAlchemy's after_rollback drops every pending audit row
        session.info[PENDING_AUDIT] = before
        raise
    session.info[RELEASING] = True
    try:
        nested.commit()
    finally:
        session.info[RELEASING] = False


@event.listens_for(Session, "before_commit")
def _refuse_nested_commit(session: Session) -> None:
    if session.info.get(RELEASING):
        return
    if session.info.get(_DEPTH, 0) > 0 and not session.info.get(_COMMITTING):
        raise CommitInsideUnitOfWork("a function called inside a unit of work committed")
