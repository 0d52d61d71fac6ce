"""The audit log: reads and denials are written; the chain detects tampering and does not
fork when several processes append at once."""

import json
import subprocess
import sys

from sqlalchemy import select, text

from mettrack.core import audit
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import AuditOutcome, Role
from mettrack.core.extensions import db
from tests import factories
from tests.audit_support import bypass_append_only_trigger


def _rows(action=None):
    query = select(AuditEvent).order_by(AuditEvent.seq)
    if action:
        query = query.where(AuditEvent.action == action)
    return db.session.scalars(query).all()


def test_viewing_a_case_page_writes_an_audit_row(client, auth, app):
    user_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    with app.app_context():
        from mettrack.accounts.models import User

        case = factories.case(lead=db.session.get(User, user_id))
        case_id = case.id
    assert client.get(f"/cases/{case_id}").status_code == 200
    with app.app_context():
        row = _rows("case.viewed")[-1]
        assert (row.actor_user_id, row.record_type, row.record_id, row.outcome) == (
            user_id,
            "case",
            str(case_id),
            "ok",
        )
        assert row.ip_address == "127.0.0.1"


def test_a_denied_case_view_writes_an_audit_row(client, auth, app):
    user_id = auth.as_role(Role.PARTNER)
    with app.app_context():
        case_id = factories.case(lead=factories.user()).id
    assert client.get(f"/cases/{case_id}").status_code == 404
    with app.app_context():
        row = _rows("case.viewed.denied")[-1]
        assert (row.actor_user_id, row.record_id, row.outcome) == (user_id, str(case_id), "denied")


def test_a_wrong_role_writes_a_denied_row(client, auth, app):
    user_id = auth.as_role(Role.ANALYST)
    assert client.get("/cases/").status_code == 403
    with app.app_context():
        row = _rows("permission.denied")[-1]
        assert row.actor_user_id == user_id
        assert json.loads(row.detail)["endpoint"] == "cases.index"


def test_the_case_list_writes_one_row_naming_the_query_and_ids(client, auth, app):
    user_id = auth.as_role(Role.MET_CHAIR)
    with app.app_context():
        ids = sorted(factories.case().id for _ in range(3))
    assert client.get("/cases/?state=screened").status_code == 200
    with app.app_context():
        rows = _rows("case.listed")
        assert len(rows) == 1
        detail = json.loads(rows[0].detail)
        assert sorted(detail["ids"]) == ids
        assert detail["query"]["state"] == ["screened"]
        assert rows[0].actor_user_id == user_id


def _append_some(n: int = 5):
    for i in range(n):
        audit.record_now("test.appended", "case", i, outcome=AuditOutcome.OK, actor="test")


def test_verify_passes_on_an_intact_chain(app_ctx, runner):
    _append_some()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact: 5 rows" in result.output


def test_verify_detects_a_row_edited_in_sql(app_ctx, runner):
    _append_some()
    bypass_append_only_trigger()
    db.session.execute(text("UPDATE audit_events SET record_id = '999' WHERE seq = 3"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at row 3" in result.output


def test_verify_detects_a_deleted_row(app_ctx, runner):
    _append_some()
    chain = db.session.get(AuditEvent, 2).chain
    bypass_append_only_trigger()
    db.session.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"broken at position 2 of chain {chain}: it is missing" in result.output


def test_verify_detects_a_rehashed_row(app_ctx, runner):
    """Editing a row and recomputing its own hash (even with the key) still breaks the
    next row's link."""
    _append_some()
    bypass_append_only_trigger()
    row = db.session.get(AuditEvent, 2)
    row.action = "test.forged"
    row.row_hash = audit.row_hash(row.prev_hash, audit.hashed_values(row), audit.CHAINED)
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at row 3" in result.output


APPENDER = """
import sys
from mettrack import create_app
from mettrack.core import audit
from mettrack.core.choices import AuditOutcome
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "CELERY_BROKER_URL": "memory://"})
with app.app_context():
    for i in range(int(sys.argv[2])):
        audit.record_now("test.concurrent", "case", i, outcome=AuditOutcome.OK, actor="proc-" + sys.argv[3])
"""


def test_two_processes_appending_at_once_leave_an_intact_chain(app_ctx, postgres, runner):
    per_process = 60
    procs = [
        subprocess.Popen([sys.executable, "-c", APPENDER, postgres, str(per_process), str(n)])
        for n in range(2)
    ]
    for p in procs:
        assert p.wait(timeout=120) == 0
    rows = _rows("test.concurrent")
    assert len(rows) == 2 * per_process
    assert {r.actor_label for r in rows} == {"proc-0", "proc-1"}
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_a_denial_row_survives_the_rollback_of_its_request(app_ctx):
    audit.record("test.in_request", actor="test")
    audit.record_now("test.denied", actor="test")
    db.session.rollback()
    actions = [r.action for r in _rows()]
    assert actions == ["test.denied"]
