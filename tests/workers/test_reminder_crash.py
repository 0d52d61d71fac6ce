"""A reminder survives what kills its message: a pool process or the whole worker killed
in the middle of an SMTP send, and Redis restarted with the queue in it (Redis keeps
nothing on disk here). Each time it still goes out, and exactly once (DESIGN.md,
Reminders; docs/reminders.md).

Real `celery worker -B` processes on the real clock, against the test PostgreSQL
database, each test on a redis-server of its own (a queue no other test run can read from
or flush), with the waits shortened so that the scan re-enqueues a stale row within
seconds (the same settings a deployment sets in minutes).
"""

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path

import pytest
import redis

from mettrack.core.choices import Role
from mettrack.core.clock import today
from mettrack.core.extensions import db
from tests import factories
from tests.smtp import free_port, smtp_server
from tests.workers.support import (
    child_pids,
    pids_connected_to,
    reminder_rows,
    running_worker,
    separate_app,
    worker_environment,
)

CI = os.environ.get("CI", "").lower() == "true"

SCAN_SECONDS = 1
# The waits nest as config.validate demands: the task time limit is shorter than both the
# requeue age and the visibility timeout.
# The soft limit (half of a short hard one) leaves MAIL_TIMEOUT (2 s) to record a failure.
FAST = {"CELERY_TASK_TIME_LIMIT": 6, "REMINDER_REQUEUE_AFTER_SECONDS": 7, "CELERY_VISIBILITY_TIMEOUT": 9}
# A few more scans after the reminder went out: long enough for a second copy to show.
QUIET_SECONDS = 3 * SCAN_SECONDS


def _worker_env(instance: Path, redis_url: str, database_url: str, mail_port: int, **waits) -> dict[str, str]:
    settings = {
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": mail_port,
        "MAIL_TIMEOUT": 2,
        "REMINDER_SCAN_SECONDS": SCAN_SECONDS,
        "REMINDER_RETRY_BASE_SECONDS": 1,
        "REMINDER_RETRY_MAX_SECONDS": 2,
        "CELERY_UNACKED_RESTORE_INTERVAL": 1,
        "CELERY_UNACKED_RESTORE_THROTTLE": 1,
        **FAST,
        **waits,
    }
    return worker_environment(instance, **{name: str(value) for name, value in settings.items()})


def _redis_server_binary() -> str:
    path = shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/local/bin/redis-server") if Path(p).exists()), None
    )
    if path is None:
        if CI:
            pytest.fail("CI=true and redis-server is not installed: the worker crash tests need it")
        pytest.skip("redis-server is not installed")
    return path


@contextmanager
def _redis_server(port: int, directory: Path) -> Iterator[redis.Redis]:
    """A Redis of this test's own on `port` (never the shared one on 6379), keeping nothing
    on disk as in production here: stopping it loses every queued message."""
    with open(directory / f"redis-{port}.log", "ab") as log:
        process = subprocess.Popen(
            [_redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", str(directory)],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
    try:
        deadline = time.monotonic() + 10
        while True:
            with suppress(redis.ConnectionError):
                if client.ping():
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"redis-server on port {port} did not start:\n{log.name}")
            time.sleep(0.05)
        yield client
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def own_redis(tmp_path) -> Iterator[str]:
    port = free_port()
    with _redis_server(port, tmp_path):
        yield f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def mail():
    with smtp_server() as (sink, port):
        yield sink, port


def _due_review(flask_app) -> str:
    """A case whose review reminder fell due four days ago (real clock): the first scan
    makes it. Returns the lead's address."""
    with flask_app.app_context():
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        case = factories.case(lead=lead, state="met_review", exploitation_types=["cse"])
        case.next_review_on = today() + timedelta(days=3)
        db.session.commit()
        return lead.email


def _assert_sent_exactly_once(flask_app, sink, emails: list[str]) -> None:
    rows = reminder_rows(flask_app)
    assert [r["state"] for r in rows] == ["sent"] * len(emails), rows
    assert sorted(m["To"] for m in sink.messages) == sorted(emails)
    assert sorted(sink.message_ids()) == sorted(r["message_id"] for r in rows)


def test_a_pool_process_killed_mid_send_delays_the_reminder_but_sends_it_once(
    app, postgres, own_redis, mail, tmp_path
):
    sink, port = mail
    email = _due_review(app)
    # A time limit well past the moment the kill is noticed, so the task ends as a lost
    # worker (its message given back: task_reject_on_worker_lost), not as a time-out.
    waits = {
        "CELERY_TASK_TIME_LIMIT": 16,
        "REMINDER_REQUEUE_AFTER_SECONDS": 17,
        "CELERY_VISIBILITY_TIMEOUT": 20,
    }
    env = _worker_env(tmp_path, own_redis, postgres, port, **waits)
    sink.hold()

    with running_worker(env, tmp_path / "worker.log") as worker:
        worker.wait_until(sink.data_started.is_set, "an SMTP send under way")
        # `worker -B`: the main process has two children, the pool process (prefork,
        # concurrency 1) and the embedded beat (a process too). Kill the one sending.
        children = child_pids(worker.process.pid)
        (sender,) = pids_connected_to(port, [worker.process.pid, *children])
        assert sender in children and len(children) == 2, children
        os.kill(sender, signal.SIGKILL)
        sink.release()

        # The message given back reaches the new pool process at once and finds the row
        # still claimed; the scan hands it over again once the claim is stale.
        worker.wait_until(lambda: len(sink.messages) == 1, "the reminder sent after the kill", timeout=25)
        time.sleep(QUIET_SECONDS)
        assert worker.process.poll() is None, worker.log()

    log = worker.log()
    assert f"pid:{sender} exited with 'signal 9 (SIGKILL)'" in log and "WorkerLostError" in log, log
    _assert_sent_exactly_once(app, sink, [email])
    (row,) = reminder_rows(app)
    assert row["attempts"] == 2  # the killed try, then the one after the claim went stale
    # The dead process's claim held until it was stale: no second try before that.
    killed_try, second_try = sink.data_at
    assert second_try - killed_try >= waits["REMINDER_REQUEUE_AFTER_SECONDS"] - 1


def test_a_worker_killed_mid_send_leaves_the_reminder_for_the_next_worker_to_send_once(
    app, postgres, own_redis, mail, tmp_path
):
    sink, port = mail
    email = _due_review(app)
    env = _worker_env(tmp_path, own_redis, postgres, port)
    sink.hold()

    with running_worker(env, tmp_path / "first.log") as first:
        first.wait_until(sink.data_started.is_set, "an SMTP send under way")
        # The whole worker at once (main process, pool process, beat): a power cut.
        os.killpg(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
    sink.release()
    assert sink.messages == []
    assert [r["state"] for r in reminder_rows(app)] == ["sending"]

    # Its message is still in Redis, unacknowledged; the next worker's scan re-enqueues
    # the stale row, and whichever message comes first sends it.
    with running_worker(env, tmp_path / "second.log") as second:
        second.wait_until(lambda: len(sink.messages) == 1, "the reminder sent by the next worker", timeout=25)
        time.sleep(QUIET_SECONDS)

    _assert_sent_exactly_once(app, sink, [email])


def test_reminders_queued_in_a_redis_that_restarts_empty_are_all_sent_once(app, postgres, mail, tmp_path):
    sink, port = mail
    emails = [_due_review(app) for _ in range(3)]
    redis_port = free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"

    with _redis_server(redis_port, tmp_path) as client:
        # The scan runs here (as beat would have it run) and hands the three to Redis.
        with separate_app(SQLALCHEMY_DATABASE_URI=postgres, CELERY_BROKER_URL=redis_url) as producer:
            celery = producer.extensions["celery"]
            celery.loader.import_default_modules()
            assert celery.tasks["mettrack.scan_reminders"].apply().get() == {"made": 3, "enqueued": 3}
            celery.close()
        assert client.llen("celery") == 3

    with _redis_server(redis_port, tmp_path) as client:
        assert client.llen("celery") == 0  # the restart lost the queue
        assert [r["state"] for r in reminder_rows(app)] == ["pending"] * 3
        env = _worker_env(tmp_path, redis_url, postgres, port)
        with running_worker(env, tmp_path / "worker.log") as worker:
            worker.wait_until(lambda: len(sink.messages) == 3, "the three reminders sent", timeout=25)
            time.sleep(QUIET_SECONDS)

    _assert_sent_exactly_once(app, sink, emails)
    assert [r["attempts"] for r in reminder_rows(app)] == [1, 1, 1]
