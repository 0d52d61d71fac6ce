"""Housekeeping tasks (workers/tasks/maintenance.py), run in-process through the app's
Celery, so each runs in the app context as a worker would run it."""

import pytest
from kombu import Connection

from tests.workers.support import PURGE_TASK, add_sessions, session_names
from workers.broker import broker_transport_options

PURGE_BROKER_TASK = "mettrack.purge_delivered_broker_messages"


@pytest.fixture
def run_task(app):
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()

    def run(name):
        result = celery.tasks[name].apply()
        assert result.successful(), result.traceback
        return result.get()

    return run


def test_expired_sessions_are_purged_and_live_ones_kept(app, run_task):
    add_sessions(app)

    assert run_task(PURGE_TASK) == 1
    assert session_names(app) == {"live"}


def test_delivered_messages_are_purged_from_the_embedded_broker(app, run_task, tmp_path, monkeypatch):
    broker_url = f"sqla+sqlite:///{tmp_path / 'celery-broker.sqlite'}"
    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", broker_url)
    options = broker_transport_options(app.config)
    with Connection(broker_url, transport_options=options) as conn:
        queue = conn.SimpleQueue("purge-test")
        queue.put({"n": 1})
        queue.put({"n": 2})
        queue.get(timeout=5).ack()  # delivered: kombu keeps the row, invisible

        assert run_task(PURGE_BROKER_TASK) == 1
        assert run_task(PURGE_BROKER_TASK) == 0
        assert queue.get(timeout=5).payload == {"n": 2}  # the waiting one is untouched
        queue.close()


def test_purging_broker_messages_does_nothing_on_redis(app, run_task, monkeypatch):
    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", "redis://127.0.0.1:1/0")

    assert run_task(PURGE_BROKER_TASK) == 0
