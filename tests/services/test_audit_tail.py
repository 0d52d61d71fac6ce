"""The audit tail (issue 15, finding 3): keyed hashes, checkpoints outside the database,
and an append-only table on PostgreSQL.

Each attack is the one the issue tried: deleting the last row or the last six left
`audit verify` at "intact"; rewriting a row and recomputing every later hash with the
app's own unkeyed SHA-256 passed; nothing refused an UPDATE or DELETE."""

import hashlib
import hmac
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from mettrack.core import audit, audit_checkpoint
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import AuditOutcome
from mettrack.core.extensions import db
from tests.audit_support import bypass_append_only_trigger
from tests.test_seed_migration import _flask_db, database_url  # noqa: F401 (a fixture)
from tests.workers.support import separate_app


@pytest.fixture
def checkpoints(app, tmp_path, monkeypatch):
    path = tmp_path / "audit-checkpoints.log"
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_PATH", str(path))
    return path


def _append(n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        audit.record_now("test.appended", "case", i, outcome=AuditOutcome.OK, actor="test")


def _rows() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def _verify(runner, *args):
    return runner.invoke(args=["audit", "verify", *args])


def _values(row: AuditEvent) -> dict:
    return audit.hashed_values(row)


def test_each_new_row_is_an_hmac_with_the_configured_key(app_ctx, checkpoints):
    _append(3)
    rows = _rows()
    assert {r.hash_version for r in rows} == {audit.CHAINED}
    key = app_ctx.config["AUDIT_HMAC_KEY"].encode()
    message = (rows[1].prev_hash + audit._canonical(_values(rows[1]))).encode()
    assert rows[1].row_hash == hmac.new(key, message, hashlib.sha256).hexdigest()
    assert rows[1].row_hash != hashlib.sha256(message).hexdigest()


def test_the_chain_does_not_verify_with_another_key(app_ctx, runner, checkpoints, monkeypatch):
    _append(3)
    monkeypatch.setitem(app_ctx.config, "AUDIT_HMAC_KEY", "another-key-of-at-least-thirty-two-chars")
    result = _verify(runner)
    assert result.exit_code == 1
    chain = _rows()[0].chain
    assert (
        f"broken at row 1 (chain {chain}, position 1): its content does not match its hash" in result.output
    )


@pytest.mark.parametrize("deleted", [1, 6])
def test_deleting_the_tail_is_reported_against_the_checkpoint(
    app_ctx, runner, checkpoints, postgres, deleted
):
    _append(10)
    chain = _rows()[0].chain
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    assert _verify(runner).exit_code == 0

    bypass_append_only_trigger()
    db.session.execute(text("DELETE FROM audit_events WHERE seq > :keep"), {"keep": 10 - deleted})
    db.session.commit()

    result = _verify(runner)
    assert result.exit_code == 1, result.output
    first = 10 - deleted + 1
    missing = "it is missing" if deleted == 1 else f"positions {first} to 10 are missing"
    assert f"broken at position {first} of chain {chain}: {missing}" in result.output
    assert f"counted 10 rows in chain {chain}" in result.output


def test_a_deleted_tail_is_reported_even_after_new_rows_fill_its_place(
    app_ctx, runner, checkpoints, postgres
):
    _append(6)
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    bypass_append_only_trigger()
    db.session.execute(text("DELETE FROM audit_events WHERE seq > 3"))
    db.session.commit()
    _append(5, start=100)  # the app carries on: positions 4 to 8, a chain intact in itself

    result = _verify(runner)
    assert result.exit_code == 1
    # seq goes on from 7 (the sequence does not go back): position 6 is now seq 9.
    row = db.session.scalars(select(AuditEvent).where(AuditEvent.position == 6)).one()
    assert row.seq == 9
    assert f"broken at row 9 (chain {row.chain}, position 6): it does not match the checkpoint taken at" in (
        result.output
    )


def test_without_a_checkpoint_verify_says_a_deleted_tail_would_not_be_seen(app_ctx, runner, checkpoints):
    _append(2)
    result = _verify(runner)
    assert result.exit_code == 0
    assert "No checkpoint to compare with" in result.output
    assert _verify(runner, "--require-checkpoint").exit_code == 1


def _rewrite_without_the_key(from_seq: int, version: int) -> None:
    """An attacker with write access but not the key: change a row, then recompute it and
    every later row with the unkeyed SHA-256, so every link and hash agree."""
    bypass_append_only_trigger()
    rows = _rows()
    prev = rows[from_seq - 2].row_hash if from_seq > 1 else audit.GENESIS_HASH
    for row in rows[from_seq - 1 :]:
        if row.seq == from_seq:
            row.action = "test.forged"
        row.prev_hash = prev
        row.hash_version = version
        row.row_hash = hashlib.sha256((prev + audit._canonical(_values(row))).encode()).hexdigest()
        prev = row.row_hash
    db.session.commit()


def test_a_chain_recomputed_without_the_key_and_marked_unkeyed_is_reported(
    app_ctx, runner, checkpoints, postgres
):
    _append(6)
    _rewrite_without_the_key(3, audit.UNKEYED)
    result = _verify(runner)
    assert result.exit_code == 1
    chain = _rows()[0].chain
    assert (
        f"broken at row 3 (chain {chain}, position 3): it is hashed without the key, after the switch to "
        "keyed hashes" in result.output
    )


def test_a_chain_recomputed_without_the_key_and_still_marked_keyed_is_reported(
    app_ctx, runner, checkpoints, postgres
):
    _append(6)
    _rewrite_without_the_key(3, audit.CHAINED)
    result = _verify(runner)
    assert result.exit_code == 1
    assert "broken at row 3 (chain" in result.output
    assert "position 3): its content does not match its hash" in result.output


def test_a_row_marked_with_an_earlier_hash_version_in_a_chain_is_reported(
    app_ctx, runner, checkpoints, postgres
):
    _append(4)
    _rewrite_without_the_key(2, audit.KEYED)  # version 2 (no chain in the hash), but it has a position
    result = _verify(runner)
    assert result.exit_code == 1
    assert "position 2): its hash version is unknown, or not one a row with a position has" in result.output


def test_a_whole_chain_recomputed_unkeyed_from_the_first_row_is_reported_by_the_checkpoint(
    app_ctx, runner, checkpoints, postgres
):
    _append(6)
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    _rewrite_without_the_key(1, audit.UNKEYED)
    result = _verify(runner)
    assert result.exit_code == 1
    assert (
        f"broken at row 1 (chain {_rows()[0].chain}, position 1): it is hashed without the key"
        in result.output
    )


def test_a_checkpoint_line_not_signed_with_the_key_is_reported(app_ctx, runner, checkpoints):
    _append(4)
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    forged = json.loads(checkpoints.read_text().splitlines()[-1])
    forged["rows"] = 2
    with checkpoints.open("a") as f:
        f.write(json.dumps(forged) + "\n")
    result = _verify(runner)
    assert result.exit_code == 1
    assert "Audit checkpoint cannot be trusted: the latest checkpoint line is not signed with this" in (
        result.output
    )


def test_a_checkpoint_file_that_cannot_be_read_is_reported(app_ctx, runner, checkpoints):
    _append(1)
    checkpoints.mkdir()  # a directory where the file should be
    result = _verify(runner)
    assert result.exit_code == 1
    assert "Audit checkpoint cannot be trusted: the checkpoint file cannot be read" in result.output


def test_the_trigger_refuses_update_delete_and_truncate(app_ctx, postgres):
    _append(2)
    for statement in (
        "UPDATE audit_events SET action = 'test.forged' WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 2",
        "TRUNCATE audit_events",
    ):
        with pytest.raises(DBAPIError, match="audit_events is append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert [r.action for r in _rows()] == ["test.appended", "test.appended"]


def test_the_beat_task_writes_a_signed_checkpoint_line(app, app_ctx, checkpoints):
    from workers.schedule import beat_schedule

    schedule = beat_schedule(app.config)["write-audit-checkpoint"]
    assert schedule["task"] == "mettrack.write_audit_checkpoint"
    assert schedule["schedule"].total_seconds() == app.config["AUDIT_CHECKPOINT_SECONDS"]

    _append(3)
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()
    result = celery.tasks["mettrack.write_audit_checkpoint"].apply()
    assert result.successful(), result.traceback
    assert result.get() == 3

    lines = checkpoints.read_text().splitlines()
    assert len(lines) == 1
    checkpoint = audit_checkpoint.parse(lines[0], app.config["AUDIT_HMAC_KEY"].encode())
    last = _rows()[-1]
    assert (checkpoint.rows, checkpoint.keyed_from) == (3, 1)
    assert checkpoint.tails() == {last.chain: (3, last.row_hash)}
    # Appended, never rewritten.
    celery.tasks["mettrack.write_audit_checkpoint"].apply()
    assert len(checkpoints.read_text().splitlines()) == 2


def test_the_checkpoint_command_goes_to_syslog_when_set(app_ctx, runner, checkpoints, monkeypatch, tmp_path):
    import socket

    address = str(tmp_path / "syslog.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(address)
    try:
        monkeypatch.setitem(app_ctx.config, "AUDIT_CHECKPOINT_SYSLOG", address)
        _append(2)
        result = runner.invoke(args=["audit", "checkpoint"])
        assert result.exit_code == 0, result.output
        listener.settimeout(5)
        message = listener.recv(65536).decode()
    finally:
        listener.close()
    assert "mettrack-audit-checkpoint" in message
    assert checkpoints.read_text().splitlines()[-1] in message
    assert f"syslog {address}" in result.output


def _legacy_rows(connection, n: int) -> None:
    """Rows as the app wrote them before 0012: unkeyed SHA-256, no hash_version."""
    prev = audit.GENESIS_HASH
    for seq in range(1, n + 1):
        values = {
            "seq": seq,
            "occurred_at": datetime(2026, 1, 1, 9, seq, tzinfo=UTC),
            "actor_user_id": None,
            "actor_label": "legacy",
            "action": "test.legacy",
            "record_type": "case",
            "record_id": str(seq),
            "outcome": "ok",
            "ip_address": None,
            "detail": "{}",
        }
        row_hash = audit.row_hash(prev, values, audit.UNKEYED)
        connection.execute(
            sa.text(
                "INSERT INTO audit_events (seq, occurred_at, actor_user_id, actor_label, action, "
                "record_type, record_id, outcome, ip_address, detail, prev_hash, row_hash) VALUES "
                "(:seq, :occurred_at, :actor_user_id, :actor_label, :action, :record_type, :record_id, "
                ":outcome, :ip_address, :detail, :prev_hash, :row_hash)"
            ),
            {**values, "prev_hash": prev, "row_hash": row_hash},
        )
        prev = row_hash


def test_older_unkeyed_rows_still_verify_after_the_migration(database_url, tmp_path):  # noqa: F811
    path = tmp_path / "audit-checkpoints.log"
    with separate_app(
        SQLALCHEMY_DATABASE_URI=database_url, CELERY_BROKER_URL="memory://", AUDIT_CHECKPOINT_PATH=str(path)
    ) as app:
        _flask_db(app, "upgrade", "0009_role_grants")
        with app.app_context(), db.engine.begin() as connection:
            _legacy_rows(connection, 3)
        _flask_db(app, "upgrade")
        with app.app_context():
            # The migration marked the switch outside the database.
            switch = audit_checkpoint.latest(path, audit.hmac_key())
            assert (switch.rows, switch.keyed_from) == (3, 4)
            _append(2)
            assert [r.hash_version for r in _rows()] == [1, 1, 1, 3, 3]
            runner = app.test_cli_runner()
            result = _verify(runner)
            assert result.exit_code == 0, result.output
            assert "intact: 5 rows" in result.output
            assert "agrees with the latest checkpoint (3 rows" in result.output
            db.session.remove()


def test_production_refuses_to_start_without_an_audit_key(monkeypatch):
    from mettrack import create_app

    for name, value in {
        "SECRET_KEY": "production-test-secret",
        "DATABASE_URL": "postgresql://db.invalid/mettrack",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "APP_BASE_URL": "https://mettrack.example.invalid",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AUDIT_HMAC_KEY", raising=False)
    with pytest.raises(RuntimeError, match="AUDIT_HMAC_KEY must be set"):
        create_app(config_name="production")


def _deployment_sql() -> list[str]:
    """The SQL blocks of docs/deployment.md's section on the audit table, in order."""
    text_ = (Path(__file__).resolve().parents[2] / "docs" / "deployment.md").read_text()
    section = text_.split("## The audit table: owned by a migration role, written by the app", 1)[1]
    section = section.split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


def _statements(block: str, names: dict[str, str]) -> list[str]:
    for old, new in names.items():
        block = re.sub(rf"\b{old}\b", new, block)
    lines = [line.split("--", 1)[0].rstrip() for line in block.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _app_as(url: str):
    return separate_app(SQLALCHEMY_DATABASE_URI=url, CELERY_BROKER_URL="memory://")


def test_the_deployment_guides_roles_leave_the_app_only_insert_and_select(postgres):
    """The SQL in docs/deployment.md, run as written (names made unique to this run): the
    app's role appends and reads audit rows, and can neither change them nor drop the
    trigger; migrations run as the owner."""
    pid = os.getpid()
    names = {
        "mettrack_owner": f"mettrack_t_owner_{pid}",
        "mettrack_app": f"mettrack_t_app_{pid}",
        "mettrack": f"mettrack_test_roles_{pid}",
    }
    setup, grants = _deployment_sql()
    admin_url = make_url(postgres)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")

    def url(user):
        return admin_url.set(username=user, database=names["mettrack"]).render_as_string(hide_password=False)

    try:
        connection = admin.connect()
        for statement in _statements(setup, names):
            if statement.startswith("\\c "):
                connection.close()
                connection = sa.create_engine(url(admin_url.username), isolation_level="AUTOCOMMIT").connect()
                continue
            connection.execute(sa.text(statement))
        connection.close()
        connection.engine.dispose()

        with _app_as(url(names["mettrack_owner"])) as app:
            _flask_db(app, "upgrade")
            with app.app_context(), db.engine.begin() as owner:
                for statement in _statements(grants, names):
                    owner.execute(sa.text(statement))

        with _app_as(url(names["mettrack_app"])) as app, app.app_context():
            _append(2)
            assert [r.seq for r in _rows()] == [1, 2]
            for statement, refusal in (
                ("UPDATE audit_events SET action = 'x' WHERE seq = 1", "permission denied"),
                ("DELETE FROM audit_events WHERE seq = 2", "permission denied"),
                ("TRUNCATE audit_events", "permission denied"),
                ("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only", "must be owner"),
                ("DROP TRIGGER audit_events_append_only ON audit_events", "must be owner"),
            ):
                with pytest.raises(DBAPIError, match=refusal):
                    db.session.execute(text(statement))
                db.session.rollback()
            assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
            db.session.remove()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{names["mettrack"]}" WITH (FORCE)'))
            for role in (names["mettrack_app"], names["mettrack_owner"]):
                conn.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("AUDIT_HMAC_KEY", "too-short", "AUDIT_HMAC_KEY must be at least 32 characters"),
        ("AUDIT_CHECKPOINT_SECONDS", "often", "AUDIT_CHECKPOINT_SECONDS must be a whole number"),
        ("AUDIT_CHECKPOINT_SECONDS", 5, "AUDIT_CHECKPOINT_SECONDS must be a whole number"),
        ("AUDIT_CHECKPOINT_PATH", "", "AUDIT_CHECKPOINT_PATH or AUDIT_CHECKPOINT_SYSLOG"),
        ("AUDIT_CHAINS", 0, "AUDIT_CHAINS must be a whole number from 1 to 64"),
        ("AUDIT_CHAINS", "four", "AUDIT_CHAINS must be a whole number from 1 to 64"),
    ],
)
def test_an_unusable_audit_setting_stops_start_up_naming_it(setting, value, named):
    from mettrack import create_app

    with pytest.raises(RuntimeError, match=named):
        create_app({setting: value, "CELERY_BROKER_URL": "memory://"})
