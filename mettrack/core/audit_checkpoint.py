"""Checkpoints of the audit chains, kept outside the database.

A checkpoint is one line: for every chain (see audit.py) its last position and that row's
hash, the first row hashed with the key (the switch from unkeyed SHA-256), when it was
taken, and an HMAC of all that with AUDIT_HMAC_KEY. Lines are appended to
AUDIT_CHECKPOINT_PATH and/or sent to syslog (AUDIT_CHECKPOINT_SYSLOG), places the
database's administrators should not be able to write. `flask audit verify` compares each
chain with the latest line, so rows deleted from the tail of any chain (which leave the
rest of it intact) are reported; a line that was not signed with the key is reported too.

Lines written before the chains (format 1) name one row count and one hash: the rows of
that time, which are chain 0, positions 1 to that count. They are still read.

Pure over its inputs apart from the file and syslog writes: the caller passes the key
and the chains' figures, so the migration and the beat task use the same code.
"""

import hashlib
import hmac
import json
import logging
import logging.handlers
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

_PURPOSE = b"mettrack-audit-checkpoint:"
SINGLE_CHAIN = 1  # the format before the chains: {"rows", "head"}
FORMAT_VERSION = 2  # {"chains": {"<chain>": [last position, its hash]}}
MAX_CHAINS = 64
_TAIL_BYTES = 64 * 1024  # far more than one line


class CheckpointUnreadable(Exception):
    """The latest checkpoint line cannot be trusted: not JSON, or not signed with the key."""


@dataclass(frozen=True)
class Checkpoint:
    # (chain, last position, that row's hash), by chain; only the chains that had rows.
    chains: tuple[tuple[int, int, str], ...]
    keyed_from: int
    written_at: str
    version: int = FORMAT_VERSION

    @property
    def rows(self) -> int:
        """How many rows the chains held (positions start at 1 and have no gaps)."""
        return sum(position for _chain, position, _head in self.chains)

    def tails(self) -> dict[int, tuple[int, str]]:
        return {chain: (position, head) for chain, position, head in self.chains}

    def _body(self) -> str:
        fields: dict[str, Any] = {
            "v": self.version,
            "keyed_from": self.keyed_from,
            "written_at": self.written_at,
        }
        if self.version == SINGLE_CHAIN:
            (_chain, rows, head), *_ = self.chains
            fields.update(rows=rows, head=head)
        else:
            fields["chains"] = {str(chain): [position, head] for chain, position, head in self.chains}
        return json.dumps(fields, sort_keys=True, separators=(",", ":"))

    def signature(self, key: bytes) -> str:
        return _sign(self._body(), key)

    def line(self, key: bytes) -> str:
        signed = {**json.loads(self._body()), "sig": self.signature(key)}
        return json.dumps(signed, sort_keys=True, separators=(",", ":"))


def _sign(body: str, key: bytes) -> str:
    return hmac.new(key, _PURPOSE + body.encode(), hashlib.sha256).hexdigest()


def make(tails: Mapping[int, tuple[int, str]], keyed_from: int, at: datetime) -> Checkpoint:
    """`tails`: each chain's last position and that row's hash (chains with no row left out)."""
    chains = tuple((chain, position, head) for chain, (position, head) in sorted(tails.items()) if position)
    return Checkpoint(chains=chains, keyed_from=keyed_from, written_at=at.isoformat(timespec="seconds"))


def parse(line: str, key: bytes) -> Checkpoint:
    try:
        # A line copied from a syslog server carries the server's prefix before the JSON.
        data = json.loads(line[line.index("{") :])
        if "chains" in data:
            chains = tuple(
                sorted((int(chain), int(tail[0]), str(tail[1])) for chain, tail in data["chains"].items())
            )
            version = int(data["v"])
        else:  # a line from before the chains: one chain, chain 0
            chains = ((0, int(data["rows"]), str(data["head"])),)
            version = SINGLE_CHAIN
        checkpoint = Checkpoint(
            chains=chains,
            keyed_from=int(data["keyed_from"]),
            written_at=str(data["written_at"]),
            version=version,
        )
        signature = str(data["sig"])
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        raise CheckpointUnreadable("the latest checkpoint line is not a checkpoint") from None
    # The signature is checked over every field the line has, so that a field added to it
    # (which the format would otherwise ignore) is as much a forgery as a field changed. A
    # line written by make() has exactly the fields _body() signs.
    body = json.dumps({k: v for k, v in data.items() if k != "sig"}, sort_keys=True, separators=(",", ":"))
    if not hmac.compare_digest(signature, _sign(body, key)):
        raise CheckpointUnreadable("the latest checkpoint line is not signed with this AUDIT_HMAC_KEY")
    return checkpoint


def latest(path: str | os.PathLike, key: bytes) -> Checkpoint | None:
    """The last line of the checkpoint file, checked; None when there is no file or line."""
    path = Path(path)
    if not path.exists():
        return None
    # The file grows by a line every few minutes for years: read only its end.
    with path.open("rb") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(max(0, size - _TAIL_BYTES))
        tail = f.read().decode("utf-8", errors="replace")
    lines = [line.strip() for line in tail.splitlines() if line.strip()]
    return parse(lines[-1], key) if lines else None


def write(config: Mapping[str, Any], line: str) -> list[str]:
    """Append `line` to every target the settings name. Returns where it went."""
    written = []
    path = config.get("AUDIT_CHECKPOINT_PATH")
    if path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_APPEND: each line lands after whatever is there, even with two writers; the
        # file is never rewritten, so it can be made append-only (chattr +a) by root.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, (line + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        written.append(str(path))
    target = config.get("AUDIT_CHECKPOINT_SYSLOG")
    if target:
        handler = logging.handlers.SysLogHandler(
            address=syslog_address(target), facility=logging.handlers.SysLogHandler.LOG_AUTH
        )
        try:
            handler.emit(logging.makeLogRecord({"msg": f"mettrack-audit-checkpoint {line}"}))
        finally:
            handler.close()
        written.append(f"syslog {target}")
    return written


def syslog_address(target: str) -> str | tuple[str, int]:
    """`/dev/log` (a local socket) or `host:port` (UDP)."""
    if target.startswith("/"):
        return target
    host, _, port = target.rpartition(":")
    return (host or target, int(port)) if host else (target, 514)


def setting_problems(config: Mapping[str, Any]) -> list[str]:
    problems = []
    key = config.get("AUDIT_HMAC_KEY")
    if not key:
        problems.append("AUDIT_HMAC_KEY must be set: the audit chain's rows are keyed with it")
    elif len(str(key)) < 32:
        problems.append("AUDIT_HMAC_KEY must be at least 32 characters long (a long random value)")
    if not config.get("AUDIT_CHECKPOINT_PATH") and not config.get("AUDIT_CHECKPOINT_SYSLOG"):
        problems.append("AUDIT_CHECKPOINT_PATH or AUDIT_CHECKPOINT_SYSLOG must name where checkpoints go")
    target = config.get("AUDIT_CHECKPOINT_SYSLOG")
    if target and not str(target).startswith("/"):
        try:
            syslog_address(str(target))
        except ValueError:
            problems.append("AUDIT_CHECKPOINT_SYSLOG must be a socket path (/dev/log) or host:port")
    chains = config.get("AUDIT_CHAINS", 1)
    if not isinstance(chains, int) or isinstance(chains, bool) or not 1 <= chains <= MAX_CHAINS:
        problems.append(f"AUDIT_CHAINS must be a whole number from 1 to {MAX_CHAINS}")
    seconds = config.get("AUDIT_CHECKPOINT_SECONDS")
    if not isinstance(seconds, int) or not 60 <= seconds <= 24 * 3600:
        problems.append("AUDIT_CHECKPOINT_SECONDS must be a whole number of seconds from 60 to 86400")
    return problems
