"""The same task through the real Redis (REDIS_URL set), run by a real worker process
against the test database."""

from tests.workers.support import (
    PURGE_TASK,
    add_sessions,
    running_worker,
    separate_app,
    session_names,
    worker_environment,
)


def test_a_task_runs_through_redis_against_the_test_database(app, redis_url, tmp_path):
    add_sessions(app)  # committed: the worker is another process
    env = worker_environment(
        tmp_path, REDIS_URL=redis_url, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"]
    )
    with separate_app(SQLALCHEMY_DATABASE_URI="sqlite://", CELERY_BROKER_URL=redis_url) as producer:
        with running_worker(env, tmp_path / "worker.log") as worker:
            worker.wait_for_log("Connected to redis://")
            producer.extensions["celery"].send_task(PURGE_TASK)
            worker.wait_until(lambda: session_names(app) == {"live"}, "the expired session purged")
        assert worker.returncode == 0, worker.log()
    assert "beat: Starting" in worker.log()
