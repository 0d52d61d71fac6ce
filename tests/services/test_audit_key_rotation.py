"""Rotating AUDIT_HMAC_KEY without breaking verification (`flask audit rotate-key`;
core/audit.py, docs/security.md "A tamper-evident audit tail", docs/deployment.md): a row
audit.key_rotated marks where the new key starts, naming both keys by id only; `audit
verify` checks older rows with the old key(s) from AUDIT_HMAC_KEYS_OLD and newer rows with
the new key, and reports a changed row on either side of the boundary."""

import hashlib
import hmac
import json

import pytest
from sqlalchemy import select

from mettrack.core import audit
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import AuditOutcome
from mettrack.core.extensions import db
from tests.audit_support import bypass_append_only_trigger

NEW = "a-new-audit-key-of-at-least-thirty-two-characters"
NEWER = "a-newer-audit-key-of-at-least-thirty-two-characters"


@pytest.fixture
def checkpoints(app, tmp_path, monkeypatch):
    path = tmp_path / "audit-checkpoints.log"
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_PATH", str(path))
    monkeypatch.setitem(app.config, "AUDIT_HMAC_KEYS_OLD", "")
    return path


def _append(n: int) -> None:
    for i in range(n):
        audit.record_now("test.appended", "case", i, outcome=AuditOutcome.OK, actor="test")


def _rows() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def _rotate(app, runner, monkeypatch, new: str, old_keys: list[str]):
    monkeypatch.setitem(app.config, "AUDIT_HMAC_KEY", new)
    monkeypatch.setitem(app.config, "AUDIT_HMAC_KEYS_OLD", ",".join(old_keys))
    return runner.invoke(args=["audit", "rotate-key"])


def _verify(runner):
    return runner.invoke(args=["audit", "verify", "--require-checkpoint"])


def _chains() -> int:
    return audit.chain_count(db.session)


def test_after_rotation_verify_is_intact_and_new_rows_use_the_new_key(
    app_ctx, runner, checkpoints, monkeypatch
):
    old = app_ctx.config["AUDIT_HMAC_KEY"]
    chains = _chains()
    _append(4)
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    result = _rotate(app_ctx, runner, monkeypatch, NEW, [old])
    assert result.exit_code == 0, result.output
    boundary_seqs = list(range(5, 5 + chains))
    if chains == 1:
        assert "Audit key rotated at row 5: the rows after it are hashed with the new key" in result.output
    else:
        named = ", ".join(map(str, boundary_seqs))
        assert f"Audit key rotated at rows {named} (one in each chain)" in result.output
    _append(3)

    rows = _rows()
    boundary = [r for r in rows if r.seq in boundary_seqs]
    # One rotation row in every chain, each that chain's last row hashed with the old key.
    assert sorted(r.chain for r in boundary) == list(range(chains))
    for row in boundary:
        assert row.action == "audit.key_rotated"
        detail = json.loads(row.detail)
        assert detail == {"key_id": audit.key_id(NEW.encode()), "previous_key_id": audit.key_id(old.encode())}
        assert NEW not in row.detail and old not in row.detail  # ids, never the keys
    after = rows[-2]
    message = (after.prev_hash + audit._canonical(audit.hashed_values(after))).encode()
    assert after.row_hash == hmac.new(NEW.encode(), message, hashlib.sha256).hexdigest()

    verified = _verify(runner)
    assert verified.exit_code == 0, verified.output
    assert f"Audit chain intact: {7 + chains} rows" in verified.output
    # The checkpoint written by the rotation.
    assert f"agrees with the latest checkpoint ({4 + chains} rows" in verified.output

    # A second rotation: the first two keys given as old ones, oldest first.
    assert _rotate(app_ctx, runner, monkeypatch, NEWER, [old, NEW]).exit_code == 0
    _append(1)
    verified = _verify(runner)
    assert verified.exit_code == 0 and f"Audit chain intact: {8 + 2 * chains} rows" in verified.output


@pytest.mark.parametrize("side", ["before", "after"])
def test_a_changed_row_before_or_after_the_boundary_is_reported(
    app_ctx, runner, checkpoints, monkeypatch, side
):
    old = app_ctx.config["AUDIT_HMAC_KEY"]
    _append(3)
    assert _rotate(app_ctx, runner, monkeypatch, NEW, [old]).exit_code == 0  # rows 4, 5...: one a chain
    _append(3)
    seq = 2 if side == "before" else 3 + _chains() + 2
    bypass_append_only_trigger()
    row = db.session.get(AuditEvent, seq)
    row.action = "test.forged"
    chain, position = row.chain, row.position
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert (
        f"Audit chain broken at row {seq} (chain {chain}, position {position}): its content does not "
        "match its hash." in result.output
    )


def test_a_rotation_row_edited_to_name_another_key_is_reported(app_ctx, runner, checkpoints, monkeypatch):
    old = app_ctx.config["AUDIT_HMAC_KEY"]
    _append(2)
    chain = _rows()[0].chain
    assert _rotate(app_ctx, runner, monkeypatch, NEW, [old]).exit_code == 0
    bypass_append_only_trigger()
    row = db.session.scalars(
        select(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.action == audit.KEY_ROTATED)
    ).one()
    row.detail = json.dumps({"key_id": "0" * 16, "previous_key_id": audit.key_id(old.encode())})
    seq = row.seq
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1 and f"broken at row {seq} (chain {chain}, position 3)" in result.output


def test_a_missing_old_key_gives_a_clear_message_not_a_traceback(app_ctx, runner, checkpoints, monkeypatch):
    old = app_ctx.config["AUDIT_HMAC_KEY"]
    _append(2)
    assert _rotate(app_ctx, runner, monkeypatch, NEW, [old]).exit_code == 0
    monkeypatch.setitem(app_ctx.config, "AUDIT_HMAC_KEYS_OLD", "")
    result = _verify(runner)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    # The first chain walked (chain 0) stops at its first row: the rotation row, or row 1.
    first = db.session.scalars(
        select(AuditEvent).where(AuditEvent.chain == 0).order_by(AuditEvent.position)
    ).first()
    assert (
        f"Audit chain cannot be checked from row {first.seq} (chain 0, position 1): it is keyed with an "
        f"earlier key (key id {audit.key_id(old.encode())}) that is not given: set AUDIT_HMAC_KEYS_OLD"
        in result.output
    )
    assert old not in result.output


def test_rotation_is_refused_with_nothing_written_when_the_chain_is_not_intact_or_no_old_key(
    app_ctx, runner, checkpoints, monkeypatch
):
    old = app_ctx.config["AUDIT_HMAC_KEY"]
    _append(3)
    monkeypatch.setitem(app_ctx.config, "AUDIT_HMAC_KEY", NEW)
    refused = runner.invoke(args=["audit", "rotate-key"])
    assert refused.exit_code == 1
    assert "Give the key being replaced in AUDIT_HMAC_KEYS_OLD" in refused.output
    wrong = runner.invoke(args=["audit", "rotate-key", "--old-key", NEWER])
    assert wrong.exit_code == 1 and "Nothing was changed." in wrong.output

    bypass_append_only_trigger()
    db.session.get(AuditEvent, 2).action = "test.forged"
    db.session.commit()
    result = _rotate(app_ctx, runner, monkeypatch, NEW, [old])
    assert result.exit_code == 1
    assert "the audit chain is not intact at row 2" in result.output
    assert "audit.key_rotated" not in [r.action for r in _rows()]
