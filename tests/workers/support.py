"""Helpers for tests that need a second Flask app or a real `celery worker -B` process."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path

from flask import Flask

REPO = Path(__file__).resolve().parents[2]
PURGE_TASK = "mettrack.purge_expired_sessions"

# Bounded waits: the task normally runs within a few seconds of the worker starting.
TASK_TIMEOUT = 60
STOP_TIMEOUT = 30


@contextmanager
def celery_app_kept() -> Iterator[None]:
    """Put back the process's current and default Celery app afterwards: create_app()
    replaces them, and later tests must never publish to another app's broker."""
    from celery import _state

    default_app, current_app = _state.default_app, _state._tls.current_app
    try:
        yield
    finally:
        _state.set_default_app(default_app)
        _state._set_current_app(current_app)


@contextmanager
def separate_app(**config) -> Iterator[Flask]:
    """A Flask app of its own (testing settings plus `config`), disposed afterwards."""
    from mettrack import create_app
    from mettrack.core.extensions import db

    with celery_app_kept():
        flask_app = create_app(config)
        try:
            yield flask_app
        finally:
            with flask_app.app_context():
                db.session.remove()
                for engine in db.engines.values():
                    engine.dispose()


def add_sessions(flask_app: Flask) -> None:
    """One session idle for a day (expired) and one seen a moment ago (live), committed,
    so that a worker in another process sees them."""
    from mettrack.core.clock import now
    from mettrack.core.extensions import db
    from mettrack.core.user_session import UserSession

    moment = now()
    day_ago = moment - timedelta(days=1)
    with flask_app.app_context():
        db.session.add(
            UserSession(sid_hash="expired".ljust(64, "0"), created_at=day_ago, last_seen_at=day_ago)
        )
        db.session.add(UserSession(sid_hash="live".ljust(64, "0"), created_at=moment, last_seen_at=moment))
        db.session.commit()


def session_names(flask_app: Flask) -> set[str]:
    from sqlalchemy import select

    from mettrack.core.extensions import db
    from mettrack.core.user_session import UserSession

    with flask_app.app_context():
        hashes = db.session.scalars(select(UserSession.sid_hash)).all()
        db.session.remove()
    return {h.rstrip("0") for h in hashes}


def worker_environment(instance_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of `celery worker` run by hand: development settings, this
    instance directory, and no REDIS_URL or DATABASE_URL unless given."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("REDIS_URL", "DATABASE_URL", "METTRACK_ENV")
        # Only the settings a test gives: none from the shell it was started from.
        and not name.startswith(("CELERY_", "REMINDER_", "MAIL_"))
    }
    env.update(METTRACK_ENV="development", METTRACK_INSTANCE_DIR=str(instance_dir), PYTHONUNBUFFERED="1")
    env.update(settings)
    return env


class WorkerProcess:
    def __init__(self, process: subprocess.Popen, log_path: Path):
        self.process = process
        self.log_path = log_path

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = TASK_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                raise AssertionError(
                    f"the worker exited ({self.process.returncode}) before {what}:\n{self.log()}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} within {timeout}s; worker log:\n{self.log()}")
            time.sleep(0.2)

    def wait_for_log(self, text: str, timeout: float = TASK_TIMEOUT) -> None:
        self.wait_until(lambda: text in self.log(), f"{text!r} in the worker log", timeout)

    def stop(self) -> None:
        """Warm shutdown (SIGTERM, as a service manager sends), then kill what is left."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
                return
            except subprocess.TimeoutExpired:
                pass
        # Not stopped in time (or died): kill the whole group we started, pool process
        # and beat included, so no stray process outlives the test.
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@contextmanager
def running_worker(env: dict[str, str], log_path: Path) -> Iterator[WorkerProcess]:
    """`celery -A workers.celery_app worker -B` as a real process, stopped on the way out."""
    command = [
        sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "-B",
        "--loglevel", "INFO", "--concurrency", "1", "--hostname", f"test-{uuid.uuid4().hex[:8]}@%h",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    worker = WorkerProcess(process, log_path)
    try:
        yield worker
    finally:
        worker.stop()


def reminder_rows(flask_app: Flask) -> list[dict]:
    """Every reminder row, committed, as plain values (the worker is another thread or
    process)."""
    from sqlalchemy import select

    from mettrack.core.extensions import db
    from mettrack.reminders.models import Reminder

    fields = ("id", "kind", "recipient_id", "state", "attempts", "message_id", "last_error", "sent_at")
    with flask_app.app_context():
        rows = db.session.scalars(select(Reminder).order_by(Reminder.id)).all()
        values = [{name: getattr(row, name) for name in fields} for row in rows]
        db.session.remove()
    return values


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a worker's pool process and its embedded beat)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, ValueError, IndexError):
            # The name in brackets may hold spaces: the fields after it are fixed.
            if int(stat.read_text().rpartition(")")[2].split()[1]) == pid:
                children.append(int(stat.parent.name))
    return sorted(children)


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    with suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[len("socket:[") : -1])
    return inodes


def _inodes_connected_to(port: int) -> set[str]:
    """Sockets with an established TCP connection to 127.0.0.1:`port` (/proc/net/tcp)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[2].rpartition(":")[2], 16) == port and fields[3] == "01":
                    inodes.add(fields[9])
    return inodes


def pids_connected_to(port: int, pids: list[int]) -> list[int]:
    """Which of `pids` hold a connection to `port`: the process in the middle of an SMTP
    send, say."""
    connected = _inodes_connected_to(port)
    return [pid for pid in pids if _socket_inodes(pid) & connected]
