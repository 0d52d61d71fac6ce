"""auth.signed_in and the last sign-in time are written only when sign-in is complete
(issue 15, helper s15-reviewer): after the second step when two-factor sign-in applies,
at once when it does not. The password alone writes auth.password_accepted."""

import json

import pytest
from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from tests import factories
from tests.web.test_two_factor import _clock, _code, _enrol_on_page, _enrolled, _second_step, _signed_in

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
