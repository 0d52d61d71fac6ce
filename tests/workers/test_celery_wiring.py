"""How the Flask app and Celery fit together (workers/__init__.py, workers/broker.py),
without a broker."""

import pytest
from flask import Config, has_app_context

from config import TestingConfig
from mettrack import create_app
from tests.workers.support import PURGE_TASK, add_sessions, celery_app_kept, separate_app, session_names
from workers.broker import celery_settings
from workers.schedule import beat_schedule


def _config(**overrides) -> Config:
    """The testing settings as an app holds them, with `overrides`."""
    config = Config(".")
    config.from_object(TestingConfig)
    config.update({"CELERY_BROKER_URL": "memory://", **overrides})
    return config


def celery_config(overrides: dict) -> dict:
    return celery_settings(_config(**overrides))


BEAT_SCHEDULE = beat_schedule(_config())


@pytest.fixture
def worker_celery(app):
    """The app's Celery with the task modules imported, as a worker has them at start."""
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()
    return celery


def test_a_task_runs_inside_the_app_context(app, worker_celery):
    add_sessions(app)
    assert not has_app_context()

    result = worker_celery.tasks[PURGE_TASK].apply()

    assert result.successful(), result.traceback
    assert result.get() == 1
    assert session_names(app) == {"live"}


def test_every_task_is_named_in_the_mettrack_namespace(worker_celery):
    ours = [name for name in worker_celery.tasks if not name.startswith("celery.")]
    assert PURGE_TASK in ours
    assert [name for name in ours if not name.startswith("mettrack.")] == []


def test_every_beat_entry_names_a_registered_task(worker_celery):
    for entry in BEAT_SCHEDULE.values():
        assert entry["task"] in worker_celery.tasks


def test_a_scheduled_scan_expires_before_the_next_one_is_due():
    for entry in BEAT_SCHEDULE.values():
        assert 0 < entry["options"]["expires"] <= entry["schedule"].total_seconds()


def test_a_message_is_acknowledged_after_its_task_and_given_back_if_the_worker_dies():
    settings = celery_config({"CELERY_BROKER_URL": "memory://"})
    assert settings["task_acks_late"] is True
    assert settings["task_reject_on_worker_lost"] is True
    assert settings["worker_prefetch_multiplier"] == 1
    assert settings["accept_content"] == ["json"]


def test_redis_broker_redelivers_after_an_hour_by_default():
    settings = celery_config({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"})
    assert settings["broker_transport_options"] == {"visibility_timeout": 3600}


def test_redis_visibility_timeout_is_configurable():
    settings = celery_config({"CELERY_BROKER_URL": "redis://h/0", "CELERY_VISIBILITY_TIMEOUT": 7200})
    assert settings["broker_transport_options"]["visibility_timeout"] == 7200


def test_a_visibility_timeout_inside_the_task_time_limit_is_refused():
    limit = TestingConfig.CELERY_TASK_TIME_LIMIT
    with pytest.raises(RuntimeError, match="CELERY_VISIBILITY_TIMEOUT"):
        create_app({"CELERY_BROKER_URL": "redis://h/0", "CELERY_VISIBILITY_TIMEOUT": limit})


def test_embedded_broker_gets_only_options_that_create_engine_accepts(tmp_path):
    # kombu's SQLAlchemy transport hands unknown options to create_engine(); a Redis
    # option here would stop the worker from starting.
    from sqlalchemy import create_engine

    settings = celery_config({"CELERY_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}"})
    options = settings["broker_transport_options"]
    assert "visibility_timeout" not in options
    assert options["connect_args"]["timeout"] >= 5  # waits out the other process's write
    create_engine(f"sqlite:///{tmp_path / 'broker.sqlite'}", **options).dispose()


def test_beat_keeps_its_schedule_in_the_instance_directory(tmp_path):
    settings = celery_config({"CELERY_BROKER_URL": "memory://", "INSTANCE_DIR": tmp_path})
    assert settings["beat_schedule_filename"] == str(tmp_path / "celerybeat-schedule")


def test_the_directories_for_the_embedded_broker_and_beat_are_created(tmp_path):
    broker_file = tmp_path / "fresh" / "broker" / "celery-broker.sqlite"
    instance = tmp_path / "fresh" / "instance"
    with separate_app(
        SQLALCHEMY_DATABASE_URI="sqlite://",
        CELERY_BROKER_URL=f"sqla+sqlite:///{broker_file}",
        INSTANCE_DIR=instance,
    ):
        assert broker_file.parent.is_dir()
        assert instance.is_dir()


def test_a_pool_process_drops_the_database_connections_it_inherited(app):
    from celery.signals import worker_process_init
    from sqlalchemy import text

    from mettrack.core.extensions import db

    with app.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.remove()
        assert db.engine.pool.checkedin() >= 1
        with celery_app_kept():
            app.extensions["celery"].set_current()
            worker_process_init.send(sender=None)
        assert db.engine.pool.checkedin() == 0


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        (
            {"CELERY_TASK_TIME_LIMIT": 360, "REMINDER_REQUEUE_AFTER_SECONDS": 300},
            "REMINDER_REQUEUE_AFTER_SECONDS",
        ),
        ({"CELERY_TASK_TIME_LIMIT": 360, "MAIL_TIMEOUT": 60}, "MAIL_TIMEOUT"),
        (
            {
                "CELERY_BROKER_URL": "redis://h/0",
                "CELERY_VISIBILITY_TIMEOUT": 1800,
                "REMINDER_RETRY_MAX_SECONDS": 1800,
            },
            "REMINDER_RETRY_MAX_SECONDS",
        ),
    ],
)
def test_waits_that_do_not_nest_are_refused_by_name(settings, named):
    with pytest.raises(RuntimeError, match=named):
        create_app({"CELERY_BROKER_URL": "memory://", **settings})


def test_the_soft_time_limit_leaves_room_to_record_a_failure():
    assert (celery_config({"CELERY_BROKER_URL": "memory://"})["task_soft_time_limit"]) == 300
    short = celery_config({"CELERY_BROKER_URL": "memory://", "CELERY_TASK_TIME_LIMIT": 6})
    assert (short["task_soft_time_limit"], short["task_time_limit"]) == (3, 6)


def test_kombus_unacked_restore_interval_can_be_shortened():
    options = celery_config(
        {
            "CELERY_BROKER_URL": "redis://h/0",
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        }
    )["broker_transport_options"]
    assert options["unacked_restore_interval"] == 1 and options["unacked_restore_throttle"] == 1
