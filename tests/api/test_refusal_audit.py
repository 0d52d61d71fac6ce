"""Issue 15, finding 9: refusals at authentication were not audited (unknown, revoked and
deactivated users' API tokens; signed-out requests to pages), though docs/security.md said
every refusal is a row. Now each writes a row, at most one an address and reason a minute,
so that nobody can flood the audit table (core/refusal_audit.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from mettrack.accounts import tokens, users
from mettrack.accounts.models import User
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.core.refusal_audit import ANONYMOUS_REFUSED, TOKEN_REFUSED, RefusalThrottle
from tests import factories
from tests.api.conftest import audit_rows, bearer

CASES = "/api/v1/cases"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock_and_nothing_counted(app):
    set_now(T0)
    app.extensions["refusal_audit"] = RefusalThrottle()  # the app outlives a test
    yield
    set_now(None)


def test_an_unknown_token_is_refused_and_audited_once_a_minute_per_address(app, client):
    for _ in range(30):
        assert client.get(CASES, headers=bearer("mt_made-up-token")).status_code == 401

    (row,) = audit_rows(app, TOKEN_REFUSED)
    assert row["outcome"] == "denied"
    assert row["record_type"] is None and row["record_id"] is None
    assert row["detail"] == {"reason": "unknown", "not_audited_since_last": 0}
    assert audit_rows(app, ANONYMOUS_REFUSED) == []  # one row for the request, not two

    set_now(T0 + timedelta(seconds=61))
    assert client.get(CASES, headers=bearer("mt_made-up-token")).status_code == 401

    later = audit_rows(app, TOKEN_REFUSED)[1]
    assert later["detail"] == {"reason": "unknown", "not_audited_since_last": 29}


def test_another_address_gets_its_own_row(app, client):
    client.get(CASES, headers=bearer("mt_made-up-token"))
    client.get(CASES, headers=bearer("mt_made-up-token"), environ_base={"REMOTE_ADDR": "192.0.2.9"})

    assert len(audit_rows(app, TOKEN_REFUSED)) == 2


def test_a_revoked_token_is_audited_naming_the_token_not_the_secret(app, client, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    with app.app_context():
        (token,) = tokens.list_tokens(lead.id)
        tokens.revoke_token(db.session.get(User, lead.id), token.id)
        token_id = token.id

    assert client.get(CASES, headers=lead.headers).status_code == 401

    (row,) = audit_rows(app, TOKEN_REFUSED)
    assert (row["record_type"], row["record_id"]) == ("api_token", str(token_id))
    assert row["detail"]["reason"] == "revoked"
    assert lead.secret not in str(row)


def test_a_deactivated_users_token_is_audited(app, client, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    with app.app_context():
        # Deactivation revokes tokens too; a token left live (made before that rule) still
        # opens nothing while its user is deactivated.
        db.session.get(User, lead.id).active = False
        db.session.commit()

    assert client.get(CASES, headers=lead.headers).status_code == 401

    (row,) = audit_rows(app, TOKEN_REFUSED)
    assert row["detail"]["reason"] == "deactivated"


def test_a_deactivation_through_the_use_case_then_reads_as_revoked(app, client, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    with app.app_context():
        admin = factories.user(roles=[Role.ADMIN])
        users.set_active(db.session.get(User, lead.id), False, actor=admin)

    assert client.get(CASES, headers=lead.headers).status_code == 401

    assert audit_rows(app, TOKEN_REFUSED)[0]["detail"]["reason"] == "revoked"


def test_an_anonymous_api_request_is_audited_by_endpoint(app, client):
    assert client.get(CASES).status_code == 401
    assert client.get(CASES).status_code == 401

    (row,) = audit_rows(app, ANONYMOUS_REFUSED)
    assert row["record_type"] is None and row["outcome"] == "denied"
    assert row["detail"] == {
        "reason": "not_signed_in",
        "endpoint": row["detail"]["endpoint"],
        "method": "GET",
        "not_audited_since_last": 0,
    }
    assert row["detail"]["endpoint"].startswith("api")


def test_an_anonymous_page_request_is_sent_to_sign_in_and_audited(app, client):
    response = client.get("/cases/")

    assert response.status_code == 302 and "/login" in response.headers["Location"]
    (row,) = audit_rows(app, ANONYMOUS_REFUSED)
    assert row["detail"]["endpoint"].startswith("cases.")
    assert "/cases" not in str(row["detail"])  # the endpoint, never the URL


def test_the_sign_in_page_and_health_check_write_nothing(app, client):
    client.get("/login")
    client.get("/healthz")

    assert audit_rows(app, ANONYMOUS_REFUSED) == []


def test_many_addresses_cannot_flood_the_table(app, client):
    app.extensions["refusal_audit"] = RefusalThrottle(per_window=5)

    for n in range(40):
        client.get(CASES, headers=bearer("mt_made-up"), environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})

    assert len(audit_rows(app, TOKEN_REFUSED)) == 5


def test_the_throttle_remembers_a_bounded_number_of_addresses():
    throttle = RefusalThrottle(per_window=1000, max_tracked=3)

    admitted = [throttle.admit((f"203.0.113.{n}", "a", "b"), T0) for n in range(10)]

    assert admitted == [0, 0, 0] + [None] * 7
    assert throttle.admit(("203.0.113.3", "a", "b"), T0 + timedelta(seconds=60)) == 1
    assert throttle.admit(("203.0.113.9", "a", "b"), T0 + timedelta(seconds=60)) == 0  # not counted


def test_a_refusal_whose_row_cannot_be_written_is_still_a_refusal_not_a_500(app, client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from mettrack.core import audit

    def broken(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database unavailable"))

    monkeypatch.setattr(audit, "record_now", broken)

    assert client.get(CASES, headers=bearer("mt_made-up-token")).status_code == 401
    assert client.get(CASES).status_code == 401
