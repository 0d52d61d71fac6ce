"""The issue's "done when": a task runs through the embedded broker, with the worker and
beat as real processes started the way ./scripts/start starts them (no REDIS_URL)."""

import subprocess
import sys
from datetime import timedelta

from tests.smtp import smtp_server
from tests.workers.support import (
    PURGE_TASK,
    REPO,
    add_sessions,
    reminder_rows,
    running_worker,
    separate_app,
    session_names,
    worker_environment,
)


def _migrate(env) -> None:
    migrate = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr


def test_a_task_runs_through_the_embedded_broker(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    env = worker_environment(instance)
    _migrate(env)

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


def test_beat_and_the_worker_send_a_due_reminder_with_no_server_but_smtp(tmp_path):
    """The zero-setup default (SQLite, the embedded broker, no REDIS_URL): beat's scan
    finds a review reminder due and the worker sends it, once, to the SMTP server."""
    from mettrack.core.choices import Role
    from mettrack.core.clock import today
    from mettrack.core.extensions import db
    from tests import factories

    instance = tmp_path / "instance"
    instance.mkdir()
    with smtp_server() as (sink, port):
        env = worker_environment(
            instance,
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=str(port),
            MAIL_TIMEOUT="5",
            REMINDER_SCAN_SECONDS="2",
        )
        _migrate(env)
        with separate_app(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'mettrack.sqlite'}",
            CELERY_BROKER_URL=f"sqla+sqlite:///{instance / 'celery-broker.sqlite'}",
        ) as web_app:
            with web_app.app_context():
                lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
                case = factories.case(lead=lead, state="met_review", exploitation_types=["cse"])
                case.next_review_on = today() + timedelta(days=3)  # its reminder fell due 4 days ago
                db.session.commit()
                email = lead.email
                db.session.remove()

            with running_worker(env, tmp_path / "worker.log") as worker:
                worker.wait_until(lambda: len(sink.messages) == 1, "the reminder e-mail")
                # The next scan finds nothing more to make or to send.
                worker.wait_for_log("{'made': 0, 'enqueued': 0}")
            assert worker.returncode == 0, worker.log()
            rows = reminder_rows(web_app)

    (message,) = sink.messages
    assert (message["To"], message["Subject"]) == (email, "METtrack: a MET review is coming up")
    assert [(r["kind"], r["state"], r["message_id"]) for r in rows] == [
        ("review_due", "sent", message["Message-ID"])
    ]
    assert "Task mettrack.scan_reminders" in worker.log()
