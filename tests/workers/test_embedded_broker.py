"""The issue's "done when": a task runs through the embedded broker, with the worker and
beat as real processes started the way ./scripts/start starts them (no REDIS_URL)."""

import subprocess
import sys

from tests.workers.support import (
    PURGE_TASK,
    REPO,
    add_sessions,
    running_worker,
    separate_app,
    session_names,
    worker_environment,
)


def test_a_task_runs_through_the_embedded_broker(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    env = worker_environment(instance)
    migrate = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr

    # The same files the worker finds through METTRACK_INSTANCE_DIR (config.py).
    with separate_app(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'mettrack.sqlite'}",
        CELERY_BROKER_URL=f"sqla+sqlite:///{instance / 'celery-broker.sqlite'}",
    ) as web_app:
        add_sessions(web_app)
        with running_worker(env, tmp_path / "worker.log") as worker:
            worker.wait_for_log("beat: Starting")
            web_app.extensions["celery"].send_task(PURGE_TASK)
            worker.wait_until(lambda: session_names(web_app) == {"live"}, "the expired session purged")
        assert worker.returncode == 0, worker.log()

    assert f"Task {PURGE_TASK}" in worker.log() and "succeeded" in worker.log()
    # Beat kept its schedule with the instance's data, not in the directory it started in.
    assert list(instance.glob("celerybeat-schedule*")), sorted(p.name for p in instance.iterdir())
