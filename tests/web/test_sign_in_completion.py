"""auth.signed_in and the last sign-in time are written only when sign-in is complete
(issue 15, helper s15-reviewer): after the second step when two-factor sign-in applies,
at once when it does not. The password alone writes auth.password_accepted."""

import json

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from mettrack.accounts.models import User
from mettrack.core import audit
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from tests import factories
from tests.conftest import csrf_from
from tests.web.test_two_factor import (
    SECRET_RE,
    _clock,
    _code,
    _enrol_on_page,
    _enrolled,
    _second_step,
    _signed_in,
)

__all__ = ["_clock"]  # the fixed clock of the two-factor tests


@pytest.fixture
def lead(app_ctx):
    return factories.user(roles=[Role.LEAD_PROFESSIONAL], email="lead@example.org").id


def _rows(user_id: int) -> list[tuple[str, dict]]:
    db.session.remove()
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.detail)
        .where(AuditEvent.action.like("auth.%"), AuditEvent.record_id == str(user_id))
        .order_by(AuditEvent.seq)
    )
    return [(action, json.loads(detail)) for action, detail in rows]


def _last_sign_in(user_id: int):
    db.session.remove()
    return db.session.get(User, user_id).last_sign_in_at


def test_without_two_factor_sign_in_is_complete_at_once(client, auth, lead):
    assert auth.login("lead@example.org").status_code == 302
    assert _signed_in(client)
    assert _rows(lead) == [("auth.signed_in", {})]
    assert _last_sign_in(lead) is not None


def test_with_two_factor_the_password_alone_writes_only_password_accepted(client, auth, lead):
    secret, _ = _enrolled(client, auth)
    db.session.remove()
    user = db.session.get(User, lead)
    user.last_sign_in_at = None
    db.session.commit()
    before = len(_rows(lead))

    response = auth.login("lead@example.org")
    assert response.headers["Location"] == "/login/two-factor"
    assert _rows(lead)[before:] == [("auth.password_accepted", {"next_step": "two_factor"})]
    assert _last_sign_in(lead) is None  # not signed in yet

    _second_step(client, "000000")  # a wrong code completes nothing
    assert "auth.signed_in" not in [a for a, _ in _rows(lead)[before:]]
    assert _last_sign_in(lead) is None

    assert _second_step(client, _code(secret, later=1)).headers["Location"] == "/"
    assert _signed_in(client)
    assert [a for a, _ in _rows(lead)[before:]] == [
        "auth.password_accepted",
        "auth.two_factor_failed",
        "auth.two_factor_passed",
        "auth.signed_in",
    ]
    assert _rows(lead)[-1] == ("auth.signed_in", {"two_factor": "app"})
    assert _last_sign_in(lead) is not None


def test_enrolment_at_sign_in_completes_sign_in_only_once_confirmed(client, auth, lead, app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED", True)
    response = auth.login("lead@example.org")
    assert response.headers["Location"] == "/login/two-factor/enrol"
    assert _rows(lead) == [("auth.password_accepted", {"next_step": "enrol"})]
    assert _last_sign_in(lead) is None
    _enrol_on_page(client, "/login/two-factor/enrol")
    assert _rows(lead)[-1] == ("auth.signed_in", {"two_factor": "enrolled"})
    assert _last_sign_in(lead) is not None


# One transaction a request (a view calls one use case; a use case commits once): the
# refusals too, written in that commit rather than on a connection of their own.


@pytest.fixture
def commits(monkeypatch):
    counted = {"commits": 0, "on_their_own": 0}

    def count(session):
        counted["commits"] += 1

    real_record_now = audit.record_now

    def record_now(*args, **kwargs):
        counted["on_their_own"] += 1
        return real_record_now(*args, **kwargs)

    monkeypatch.setattr(audit, "record_now", record_now)
    event.listen(Session, "after_commit", count)
    yield counted
    event.remove(Session, "after_commit", count)


def _counted_post(client, commits, path, data):
    """POST a form; returns the response and (commits, audit rows committed on their own)."""
    token = csrf_from(client.get(path))
    commits.update(commits=0, on_their_own=0)
    response = client.post(path, data={**data, "csrf_token": token})
    return response, (commits["commits"], commits["on_their_own"])


def _sign_in(client, commits, password=factories.PASSWORD):
    return _counted_post(client, commits, "/login", {"email": "lead@example.org", "password": password})


def _actions(user_id: int) -> list[str]:
    return [action for action, _ in _rows(user_id)]


def test_a_sign_in_commits_once(client, lead, commits):
    response, counted = _sign_in(client, commits)
    assert response.status_code == 302
    assert counted == (1, 0)
    assert _rows(lead) == [("auth.signed_in", {})]
    assert _last_sign_in(lead) is not None


def test_a_wrong_password_is_recorded_in_one_commit_and_refused(client, lead, commits):
    response, counted = _sign_in(client, commits, password="not the password")
    assert response.status_code == 400
    assert "Enter a correct e-mail address and password" in response.get_data(as_text=True)
    assert counted == (1, 0)
    assert _actions(lead) == ["auth.sign_in_failed"]
    assert _last_sign_in(lead) is None


def test_the_failure_that_locks_and_the_attempt_while_locked_each_commit_once(
    client, lead, commits, app, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_FAILURES", 1)
    response, counted = _sign_in(client, commits, password="not the password")
    assert response.status_code == 429
    assert counted == (1, 0)
    assert _actions(lead) == ["auth.sign_in_failed", "auth.sign_in_locked"]

    response, counted = _sign_in(client, commits)  # the right password, but locked
    assert response.status_code == 429
    assert counted == (1, 0)
    assert _actions(lead)[-1] == "auth.sign_in_paused"
    assert _last_sign_in(lead) is None


def test_each_step_of_a_two_factor_sign_in_commits_once(client, auth, lead, commits):
    secret, _ = _enrolled(client, auth)
    before = len(_rows(lead))
    response, counted = _sign_in(client, commits)
    assert response.headers["Location"] == "/login/two-factor"
    assert counted == (1, 0)

    response, counted = _counted_post(client, commits, "/login/two-factor", {"code": "000000"})
    assert response.status_code == 400
    assert counted == (1, 0)

    response, counted = _counted_post(client, commits, "/login/two-factor", {"code": _code(secret, later=1)})
    assert response.headers["Location"] == "/"
    assert counted == (1, 0)
    assert _actions(lead)[before:] == [
        "auth.password_accepted",
        "auth.two_factor_failed",
        "auth.two_factor_passed",
        "auth.signed_in",
    ]


def test_enrolment_at_sign_in_commits_once_and_records_the_sign_in_once(
    client, lead, commits, app, monkeypatch
):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED", True)
    _sign_in(client, commits)
    page = client.get("/login/two-factor/enrol").get_data(as_text=True)
    secret = SECRET_RE.search(page).group(1).replace(" ", "")

    response, counted = _counted_post(client, commits, "/login/two-factor/enrol", {"code": "000000"})
    assert response.status_code == 400
    assert counted == (1, 0)

    response, counted = _counted_post(client, commits, "/login/two-factor/enrol", {"code": _code(secret)})
    assert response.status_code == 200
    assert counted == (1, 0)
    assert _actions(lead).count("auth.signed_in") == 1
    assert _rows(lead)[-1] == ("auth.signed_in", {"two_factor": "enrolled"})
