"""Several audit chains (AUDIT_CHAINS; core/audit.py, migration 0018): concurrent appends
spread over the chains and every chain still verifies; an edit, a deleted row or a cut
tail in any chain is reported naming that chain; the rows and checkpoint lines written
before the chains still verify; SQLite keeps one chain."""

import hashlib
import hmac
import json
import threading
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import select, text

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
    monkeypatch.setitem(app.config, "AUDIT_CHAINS", 4)
    return path


def _values(i: int) -> dict:
    return audit._values("test.appended", "case", i, AuditOutcome.OK, None, "test")


def _append_to(chain: int, n: int) -> None:
    """n rows appended to `chain`, one commit each, as the app appends (the chain chosen)."""
    for i in range(n):
        with db.engine.begin() as connection:
            audit.lock_chain(connection, chain)
            audit._append_all(connection, [_values(i)], chain=chain)


def _rows(chain: int | None = None) -> list[AuditEvent]:
    db.session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.seq)
    if chain is not None:
        query = query.where(AuditEvent.chain == chain)
    return list(db.session.scalars(query))


def _verify(runner, *args):
    return runner.invoke(args=["audit", "verify", *args])


def test_appends_held_open_at_once_each_take_a_chain_of_their_own(
    app, app_ctx, runner, checkpoints, postgres
):
    """Three commits in flight together: each took the first free chain, so they are in
    three chains, and none waited for another."""
    held = threading.Barrier(3, timeout=30)
    chains, failures = [], []

    def append_and_hold():
        try:
            with app.app_context(), db.engine.begin() as connection:
                seq = audit._append(connection, _values(0))
                chains.append(connection.scalar(select(AuditEvent.chain).where(AuditEvent.seq == seq)))
                held.wait()  # every chain lock is held until all three have appended
        except Exception as e:  # noqa: BLE001 (reported below)
            failures.append(e)

    threads = [threading.Thread(target=append_and_hold) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    assert len(set(chains)) == 3
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "Audit chain intact: 3 rows (chain " in result.output


def test_many_concurrent_appends_leave_every_chain_intact(app, app_ctx, runner, checkpoints, postgres):
    per_thread, threads_n = 40, 6
    failures = []

    def append_many(n):
        try:
            with app.app_context():
                for i in range(per_thread):
                    audit.record_now(
                        "test.concurrent", "case", i, outcome=AuditOutcome.OK, actor=f"thread-{n}"
                    )
                    if i % 2:  # a transaction with several rows, through the request's path
                        for j in range(3):
                            audit.record("test.concurrent.batch", "case", j, actor=f"thread-{n}")
                        db.session.commit()
        except Exception as e:  # noqa: BLE001 (reported below)
            failures.append(e)

    threads = [threading.Thread(target=append_many, args=(n,)) for n in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    rows = _rows()
    assert len(rows) == threads_n * (per_thread + per_thread // 2 * 3)  # the single rows and the batches
    _assert_each_chain_is_whole(rows)
    assert len({r.chain for r in rows}) >= 2  # six writers at once cannot all have had one chain
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    result = _verify(runner, "--require-checkpoint")
    assert result.exit_code == 0, result.output
    assert f"Audit chain intact: {len(rows)} rows" in result.output


def _assert_each_chain_is_whole(rows) -> None:
    by_chain: dict[int, list[AuditEvent]] = {}
    for row in rows:
        by_chain.setdefault(row.chain, []).append(row)
    for chain_rows in by_chain.values():
        assert [r.position for r in chain_rows] == list(range(1, len(chain_rows) + 1))  # in seq order too
        assert all(a.row_hash == b.prev_hash for a, b in zip(chain_rows, chain_rows[1:], strict=False))


def test_an_edited_row_in_another_chain_is_reported_naming_the_chain(app_ctx, runner, checkpoints, postgres):
    for chain in (0, 1, 2):
        _append_to(chain, 3)
    seq = _rows(2)[1].seq
    bypass_append_only_trigger()
    db.session.execute(text("UPDATE audit_events SET record_id = '999' WHERE seq = :seq"), {"seq": seq})
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert (
        f"Audit chain broken at row {seq} (chain 2, position 2): its content does not match its hash."
        in result.output
    )


def test_a_deleted_middle_row_in_another_chain_is_reported_naming_the_chain(
    app_ctx, runner, checkpoints, postgres
):
    for chain in (0, 3, 1):
        _append_to(chain, 3)
    seq = _rows(3)[1].seq
    bypass_append_only_trigger()
    db.session.execute(text("DELETE FROM audit_events WHERE seq = :seq"), {"seq": seq})
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert "Audit chain broken at position 2 of chain 3: it is missing." in result.output


def test_a_cut_tail_in_another_chain_is_reported_against_the_checkpoint(
    app_ctx, runner, checkpoints, postgres
):
    for chain in (0, 1, 2):
        _append_to(chain, 4)
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    line = json.loads(checkpoints.read_text().splitlines()[-1])
    assert {chain: tail[0] for chain, tail in line["chains"].items()} == {"0": 4, "1": 4, "2": 4}
    _append_to(0, 2)  # the other chains go on

    bypass_append_only_trigger()
    db.session.execute(text("DELETE FROM audit_events WHERE chain = 2 AND position > 2"))
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert (
        "Audit chain broken at position 3 of chain 2: positions 3 to 4 are missing: the checkpoint taken"
        in (result.output)
    )
    assert "counted 4 rows in chain 2" in result.output


def test_a_whole_chain_deleted_is_reported_against_the_checkpoint(app_ctx, runner, checkpoints, postgres):
    _append_to(0, 2)
    _append_to(3, 2)
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    bypass_append_only_trigger()
    db.session.execute(text("DELETE FROM audit_events WHERE chain = 3"))
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert "broken at position 1 of chain 3: positions 1 to 2 are missing" in result.output


def test_a_gap_in_seq_left_by_a_rolled_back_append_is_not_tampering(app_ctx, runner, checkpoints, postgres):
    _append_to(1, 2)
    with db.engine.connect() as connection, connection.begin() as transaction:
        audit._append(connection, _values(9))  # draws a seq, then rolls back
        transaction.rollback()
    _append_to(1, 2)
    seqs = [r.seq for r in _rows()]
    assert seqs == [1, 2, 4, 5]
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "Audit chain intact: 4 rows (chain 1: 4)." in result.output


def test_a_checkpoint_waits_for_appends_in_flight_and_names_every_chain(app, app_ctx, checkpoints, postgres):
    _append_to(0, 1)
    appended, release = threading.Event(), threading.Event()
    done: list = []

    def append_and_hold():
        with app.app_context(), db.engine.begin() as connection:
            audit.lock_chain(connection, 2)
            audit._append_all(connection, [_values(1)], chain=2)
            appended.set()
            release.wait(timeout=30)

    def checkpoint():
        with app.app_context():
            done.append(audit.write_checkpoint()[0])

    holder = threading.Thread(target=append_and_hold)
    holder.start()
    assert appended.wait(timeout=30)
    taker = threading.Thread(target=checkpoint)
    taker.start()
    time.sleep(0.5)
    assert taker.is_alive() and not done  # waiting for chain 2's lock
    release.set()
    holder.join(timeout=30)
    taker.join(timeout=30)
    tails = done[0].tails()
    assert set(tails) == {0, 2} and tails[2][0] == 1


def test_rotation_with_several_chains_then_verify(app_ctx, runner, checkpoints, monkeypatch, postgres):
    old = app_ctx.config["AUDIT_HMAC_KEY"]
    new = "a-new-audit-key-of-at-least-thirty-two-characters"
    for chain in (0, 1, 3):
        _append_to(chain, 2)
    monkeypatch.setitem(app_ctx.config, "AUDIT_HMAC_KEY", new)
    monkeypatch.setitem(app_ctx.config, "AUDIT_HMAC_KEYS_OLD", old)
    rotated = runner.invoke(args=["audit", "rotate-key"])
    assert rotated.exit_code == 0, rotated.output
    assert "Audit key rotated at rows 7, 8, 9, 10 (one in each chain)" in rotated.output
    for chain in (0, 2, 3):
        _append_to(chain, 2)

    # Every chain's rotation row is its last row with the old key; the rows after it, the new.
    for chain in range(4):
        rows = _rows(chain)
        boundary = [r.action for r in rows].index(audit.KEY_ROTATED)
        for row in rows[boundary + 1 :]:
            message = (row.prev_hash + audit._canonical(audit.hashed_values(row))).encode()
            assert row.row_hash == hmac.new(new.encode(), message, hashlib.sha256).hexdigest()
    result = _verify(runner, "--require-checkpoint")
    assert result.exit_code == 0, result.output
    assert "Audit chain intact: 16 rows (chain 0: 5, chain 1: 3, chain 2: 3, chain 3: 5)." in result.output

    # A row changed after the boundary in chain 3 is found with the new key.
    seq = _rows(3)[-1].seq
    bypass_append_only_trigger()
    db.session.execute(text("UPDATE audit_events SET action = 'test.forged' WHERE seq = :seq"), {"seq": seq})
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"broken at row {seq} (chain 3, position 5): its content does not match its hash" in result.output


def test_rows_in_a_chain_beyond_a_lowered_setting_are_still_verified_and_checkpointed(
    app_ctx, runner, checkpoints, monkeypatch, postgres
):
    _append_to(0, 1)
    _append_to(3, 2)
    monkeypatch.setitem(app_ctx.config, "AUDIT_CHAINS", 2)
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    line = json.loads(checkpoints.read_text().splitlines()[-1])
    assert set(line["chains"]) == {"0", "3"}
    result = _verify(runner)
    assert result.exit_code == 0 and "(chain 0: 1, chain 3: 2)" in result.output


def _old_row(seq: int, prev: str, version: int, key: bytes) -> dict:
    values = {
        "seq": seq,
        "occurred_at": datetime(2026, 6, 1, 9, seq, tzinfo=UTC),
        "actor_user_id": None,
        "actor_label": "earlier",
        "action": "test.earlier",
        "record_type": "case",
        "record_id": str(seq),
        "outcome": "ok",
        "ip_address": None,
        "detail": "{}",
    }
    # As the app hashed them then: the row without chain or position.
    at = values["occurred_at"].isoformat(timespec="microseconds")
    message = (
        prev + json.dumps(values | {"occurred_at": at}, sort_keys=True, separators=(",", ":"))
    ).encode()
    digest = hashlib.sha256(message) if version == 1 else hmac.new(key, message, hashlib.sha256)
    return {**values, "prev_hash": prev, "row_hash": digest.hexdigest(), "hash_version": version}


def _old_checkpoint_line(rows: int, head: str, keyed_from: int, key: bytes) -> str:
    """A checkpoint line as the app wrote it before the chains (format 1)."""
    fields = {
        "v": 1,
        "rows": rows,
        "head": head,
        "keyed_from": keyed_from,
        "written_at": "2026-06-01T10:00:00+00:00",
    }
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    signature = hmac.new(key, b"mettrack-audit-checkpoint:" + body.encode(), hashlib.sha256).hexdigest()
    return json.dumps({**fields, "sig": signature}, sort_keys=True, separators=(",", ":"))


def test_rows_and_checkpoints_from_before_the_chains_still_verify_after_the_migration(
    database_url,  # noqa: F811
    tmp_path,
):
    path = tmp_path / "audit-checkpoints.log"
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "CELERY_BROKER_URL": "memory://"}
    with separate_app(**settings, AUDIT_CHECKPOINT_PATH=str(path), AUDIT_CHAINS=4) as app:
        _flask_db(app, "upgrade", "0017_performance")
        key = audit.hmac_key(app.config)
        with app.app_context(), db.engine.begin() as connection:
            prev, old_rows = audit.GENESIS_HASH, []
            for seq, version in ((1, 1), (2, 1), (3, 2), (4, 2), (5, 2)):
                old_rows.append(_old_row(seq, prev, version, key))
                prev = old_rows[-1]["row_hash"]
            columns = ", ".join(old_rows[0])
            connection.execute(
                sa.text(
                    f"INSERT INTO audit_events ({columns}) VALUES ({', '.join(':' + c for c in old_rows[0])})"
                ),  # noqa: S608
                old_rows,
            )
        path.write_text(_old_checkpoint_line(5, prev, 3, key) + "\n")
        _flask_db(app, "upgrade")

        with app.app_context():
            runner = app.test_cli_runner()
            result = _verify(runner)
            assert result.exit_code == 0, result.output
            assert "Audit chain intact: 5 rows (chain 0: 5)." in result.output
            assert "agrees with the latest checkpoint (5 rows" in result.output

            postgres = db.engine.dialect.name == "postgresql"
            for chain in (0, 1, 3) if postgres else (0,):
                _append_to(chain, 2)
            rows = _rows()
            assert [(r.chain, r.position, r.hash_version) for r in rows[:5]] == [
                (0, None, v) for v in (1, 1, 2, 2, 2)
            ]
            # seq goes on after the old rows; chain 0 goes on from them (position = their seq).
            assert [r.seq for r in rows[5:]] == list(range(6, len(rows) + 1))
            assert [(r.position, r.prev_hash) for r in _rows(0)[5:6]] == [(6, prev)]
            result = _verify(runner)
            assert result.exit_code == 0, result.output
            assert "agrees with the latest checkpoint (5 rows" in result.output

            # The old line still catches old rows cut from the end of chain 0.
            with db.engine.begin() as connection:
                if postgres:
                    connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
                connection.execute(sa.text("DELETE FROM audit_events WHERE chain = 0"))
                connection.execute(sa.insert(AuditEvent), [{**r} for r in old_rows[:3]])
            result = _verify(runner)
            assert result.exit_code == 1
            assert "broken at position 4 of chain 0: positions 4 to 5 are missing" in result.output
            db.session.remove()


def test_sqlite_keeps_one_chain_whatever_the_setting(tmp_path):
    folder = tmp_path
    with (
        separate_app(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'audit.sqlite'}",
            CELERY_BROKER_URL="memory://",
            AUDIT_CHECKPOINT_PATH=str(folder / "checkpoints.log"),
            AUDIT_CHAINS=4,
        ) as app,
        app.app_context(),
    ):
        db.create_all()
        for i in range(5):
            audit.record_now("test.appended", "case", i, outcome=AuditOutcome.OK, actor="test")
        assert [(r.seq, r.chain, r.position) for r in _rows()] == [(i, 0, i) for i in range(1, 6)]
        runner = app.test_cli_runner()
        assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
        result = _verify(runner, "--require-checkpoint")
        assert result.exit_code == 0, result.output
        assert "Audit chain intact: 5 rows (chain 0: 5)." in result.output
        checkpoint = audit_checkpoint.latest(folder / "checkpoints.log", audit.hmac_key())
        assert checkpoint.tails() == {0: (5, _rows()[-1].row_hash)}
        db.session.remove()


# --- what the review of the chains found (rows no walk reached, a chain made with a
# replaced key, a downgrade that would strand rows)


def _forged_row(chain: int, position: int | None, seq: int) -> dict:
    values = {**_values(0), "seq": seq, "chain": chain, "position": position}
    values.update(prev_hash=audit.GENESIS_HASH, row_hash="f" * 64, hash_version=audit.CHAINED)
    return values


def test_postgresql_refuses_a_row_outside_every_chain(app_ctx, checkpoints, postgres):
    _append_to(0, 1)
    for chain, position, seq in ((-1, 1, 9001), (1, 0, 9002), (2, -5, 9003), (0, None, 0)):
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
            connection.execute(sa.insert(AuditEvent), [_forged_row(chain, position, seq)])


def test_a_row_no_walk_reaches_is_reported(tmp_path):
    """On SQLite (no CHECK), a row placed in a negative chain is counted, not skipped."""
    with (
        separate_app(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'audit.sqlite'}",
            CELERY_BROKER_URL="memory://",
            AUDIT_CHECKPOINT_PATH=str(tmp_path / "checkpoints.log"),
        ) as app,
        app.app_context(),
    ):
        db.create_all()
        for i in range(3):
            audit.record_now("test.appended", "case", i, outcome=AuditOutcome.OK, actor="test")
        with db.engine.begin() as connection:
            connection.execute(sa.insert(AuditEvent), [_forged_row(-1, 1, 50)])
        result = _verify(app.test_cli_runner())
        assert result.exit_code == 1
        assert (
            "Audit chain broken at row 50 (chain -1, position 1): 1 row(s) lie outside every chain "
            "the walk reads: added from outside the app." in result.output
        )
        db.session.remove()


def test_a_chain_added_with_a_replaced_key_is_reported(app_ctx, runner, checkpoints, monkeypatch, postgres):
    old = app_ctx.config["AUDIT_HMAC_KEY"]
    new = "a-new-audit-key-of-at-least-thirty-two-characters"
    _append_to(0, 2)
    monkeypatch.setitem(app_ctx.config, "AUDIT_HMAC_KEY", new)
    monkeypatch.setitem(app_ctx.config, "AUDIT_HMAC_KEYS_OLD", old)
    assert runner.invoke(args=["audit", "rotate-key"]).exit_code == 0
    assert _verify(runner).exit_code == 0

    # Someone who kept the replaced key makes chain 9: a row, then a rotation row, both
    # hashed with the old key, as a chain from before the rotation would be.
    rotation = audit._values(
        audit.KEY_ROTATED,
        None,
        None,
        AuditOutcome.OK,
        {"key_id": audit.key_id(new.encode()), "previous_key_id": audit.key_id(old.encode())},
        "cli",
    )
    rows = audit.chain_rows([_values(1), rotation], 9, 0, audit.GENESIS_HASH, [9001, 9002], old.encode())
    with db.engine.begin() as connection:
        connection.execute(sa.insert(AuditEvent), rows)
    result = _verify(runner)
    assert result.exit_code == 1
    assert "broken at position 1 of chain 9: the chain begins with an earlier key" in result.output
    assert "no checkpoint signed with the current key names it" in result.output


def test_downgrading_past_the_chains_is_refused_once_rows_are_in_them(
    database_url,  # noqa: F811
    tmp_path,
):
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "CELERY_BROKER_URL": "memory://"}
    with separate_app(**settings, AUDIT_CHECKPOINT_PATH=str(tmp_path / "c.log")) as app:
        _flask_db(app, "upgrade")
        with app.app_context():
            audit.record_now("test.appended", "case", 1, outcome=AuditOutcome.OK, actor="test")
            db.session.remove()
        refused = app.test_cli_runner().invoke(args=["db", "downgrade", "0017_performance"])
        assert refused.exit_code == 1, refused.output
        assert "leave them unverifiable" in refused.output
        with app.app_context():
            version = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
            assert version == "0018_audit_chains"
            db.session.remove()
        with app.app_context():
            assert db.session.scalar(select(sa.func.count()).select_from(AuditEvent)) == 1
            db.session.remove()
