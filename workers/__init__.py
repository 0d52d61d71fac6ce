"""Celery wiring, after Flask's own Celery example: every task runs inside the app context.

Two brokers, one code path (docs/workers.md):
- Redis (REDIS_URL set): what production runs; several worker hosts share it.
- kombu's SQLAlchemy transport on a SQLite file (the zero-setup default): a real worker
  and beat with no server at all.
"""

from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any

from celery import Celery, Task
from celery import current_app as current_celery_app
from celery.signals import worker_init, worker_process_init
from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from config import INSTANCE_DIR
from workers.schedule import beat_schedule

# The modules whose tasks a worker registers at start. Tasks are named ("mettrack.<what>")
# so a module can move without stranding the messages already queued under the old path.
TASK_MODULES = ("workers.tasks.maintenance", "workers.tasks.reminders")

# Redis hands an unacknowledged message to another worker after the visibility timeout.
# With acks_late a message stays unacknowledged while its task runs, so a task must always
# finish (or be killed by the hard time limit) well inside it, or it would run twice.
DEFAULT_VISIBILITY_TIMEOUT = 3600
DEFAULT_TASK_TIME_LIMIT = 360

# How long a SQLite connection of the embedded broker waits for another process's write
# lock (the worker polling, beat publishing) before it gives up with "database is locked".
SQLITE_BROKER_BUSY_TIMEOUT = 30

REDIS_SCHEMES = ("redis", "rediss", "redis+socket", "sentinel")
SQLA_SCHEMES = ("sqla+", "sqlalchemy+")


def broker_kind(url: str) -> str:
    """'redis', 'sqla' (kombu's SQLAlchemy transport) or 'other' (memory:// in tests)."""
    scheme = url.partition("://")[0].lower()
    if scheme in REDIS_SCHEMES:
        return "redis"
    if scheme.startswith(SQLA_SCHEMES):
        return "sqla"
    return "other"


def sqla_broker_database_url(url: str) -> str:
    """The SQLAlchemy URL inside a kombu `sqla+...` broker URL."""
    return url.partition("+")[2]


def visibility_timeout(config: Mapping[str, Any]) -> int:
    # CELERY_VISIBILITY_TIMEOUT (seconds) in config.py, from the environment.
    return int(config.get("CELERY_VISIBILITY_TIMEOUT") or DEFAULT_VISIBILITY_TIMEOUT)


def task_time_limits(config: Mapping[str, Any]) -> tuple[int, int]:
    """(soft, hard) seconds. The soft limit raises inside the task (an SMTP send records
    its failure); the hard one kills the pool process."""
    hard = int(config.get("CELERY_TASK_TIME_LIMIT") or DEFAULT_TASK_TIME_LIMIT)
    if hard < 2:
        raise RuntimeError("CELERY_TASK_TIME_LIMIT must be at least 2 seconds")
    soft = hard - 60 if hard > 120 else max(1, hard // 2)
    return soft, hard


def check_timing(config: Mapping[str, Any]) -> None:
    """The waits that keep a reminder from being sent twice must nest (docs/workers.md):
    task time limit < reminder requeue age, and on Redis, retry backoff cap and task time
    limit < visibility timeout. Checked when the app starts."""
    soft, hard = task_time_limits(config)
    mail_timeout = config.get("MAIL_TIMEOUT")
    if mail_timeout is not None and float(mail_timeout) >= hard - soft:
        # After the soft limit the SMTP connection may still wait MAIL_TIMEOUT to close;
        # the failure is recorded only if that fits before the hard limit kills the task.
        raise RuntimeError(
            f"MAIL_TIMEOUT ({mail_timeout}s) must be shorter than the gap between the soft and hard "
            f"task time limits ({hard - soft}s; CELERY_TASK_TIME_LIMIT={hard})."
        )
    requeue = config.get("REMINDER_REQUEUE_AFTER_SECONDS")
    if requeue is not None and requeue <= hard:
        raise RuntimeError(
            f"REMINDER_REQUEUE_AFTER_SECONDS ({requeue}s) must be longer than the task time limit "
            f"({hard}s), or a reminder still being sent would be handed to a second worker."
        )
    if broker_kind(config["CELERY_BROKER_URL"]) != "redis":
        return
    timeout = visibility_timeout(config)
    if timeout <= hard:
        raise RuntimeError(
            f"CELERY_VISIBILITY_TIMEOUT ({timeout}s) must be longer than the task time limit "
            f"({hard}s), or Redis would hand running tasks to a second worker."
        )
    backoff_cap = config.get("REMINDER_RETRY_MAX_SECONDS")
    if backoff_cap is not None and backoff_cap >= timeout:
        raise RuntimeError(
            f"REMINDER_RETRY_MAX_SECONDS ({backoff_cap}s) must be shorter than CELERY_VISIBILITY_TIMEOUT "
            f"({timeout}s), or Redis would hand a waiting retry to a second worker."
        )


def broker_transport_options(config: Mapping[str, Any]) -> dict[str, Any]:
    url = config["CELERY_BROKER_URL"]
    kind = broker_kind(url)
    if kind == "redis":
        options = {"visibility_timeout": visibility_timeout(config)}
        # How often a worker gives back messages whose consumer died (kombu's default is
        # every 10 s, scanning on every 10th): tests shorten it with the visibility timeout.
        for name in ("unacked_restore_interval", "unacked_restore_throttle"):
            setting = config.get(f"CELERY_{name.upper()}")
            if setting is not None:
                options[name] = int(setting)
        return options
    if kind == "sqla" and make_url(sqla_broker_database_url(url)).get_backend_name() == "sqlite":
        # kombu passes every option it does not know to create_engine(), so nothing here
        # may be a Redis option (visibility_timeout would crash the worker at start).
        # NullPool: a pooled SQLite connection must never cross a fork into beat or a pool
        # process, so each use opens the file afresh (cheap for a local file).
        return {"connect_args": {"timeout": SQLITE_BROKER_BUSY_TIMEOUT}, "poolclass": NullPool}
    return {}


def celery_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """The Celery settings for a Flask app's config. `CELERY` (a dict), if set, goes on top."""
    instance_dir = Path(config.get("INSTANCE_DIR") or INSTANCE_DIR)
    check_timing(config)
    soft_limit, hard_limit = task_time_limits(config)
    settings = {
        "broker_url": config["CELERY_BROKER_URL"],
        "broker_transport_options": broker_transport_options(config),
        "broker_connection_retry_on_startup": True,
        # The database is the record (DESIGN.md, Reminders): results are never read.
        "task_ignore_result": True,
        # Acknowledge after the task ran, and give the message back when the process running
        # it dies, so a killed worker delays work rather than losing it.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": soft_limit,
        "task_time_limit": hard_limit,
        # Tasks take ids; JSON only, so no pickled object ever crosses the broker.
        "task_serializer": "json",
        "accept_content": ["json"],
        "timezone": "UTC",
        "enable_utc": True,
        "beat_schedule": beat_schedule(config),
        # Beat remembers when each entry last ran; that belongs with the instance's data,
        # not in whatever directory the worker was started from.
        "beat_schedule_filename": str(instance_dir / "celerybeat-schedule"),
    }
    settings.update(config.get("CELERY") or {})
    return settings


def _make_directories(settings: Mapping[str, Any]) -> None:
    """SQLite and beat create their files but not their directories (a fresh clone has no
    instance/). Best effort: a web node on a read-only disk must still start, and a worker
    that cannot open its files says so itself."""
    paths = [Path(settings["beat_schedule_filename"])]
    url = settings["broker_url"]
    if broker_kind(url) == "sqla":
        database = make_url(sqla_broker_database_url(url))
        if database.get_backend_name() == "sqlite" and database.database not in (None, "", ":memory:"):
            paths.append(Path(database.database))
    for path in paths:
        with suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    from mettrack.services.reminders import check_settings as check_reminder_settings

    check_reminder_settings(app.config)
    celery = Celery(app.name, task_cls=FlaskTask, include=list(TASK_MODULES))
    settings = celery_config(app.config)
    _make_directories(settings)
    celery.config_from_object(settings)
    celery.flask_app = app
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


@worker_process_init.connect
def _fresh_database_connections(**_kwargs) -> None:
    """A prefork pool process must not share the parent's pooled database connections
    (SQLAlchemy's advice for forking): drop them, without closing the parent's sockets."""
    flask_app = getattr(current_celery_app, "flask_app", None)
    if flask_app is None:
        return
    from mettrack.extensions import db

    with flask_app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


@worker_init.connect
def _declare_queues_before_beat_starts(sender=None, **_kwargs) -> None:
    """On the embedded broker, the worker's consumer and the embedded beat would each
    create the `celery` queue row at start and one of them can lose the race on SQLite's
    unique name (a crash at start). The main process declares the queues first, once."""
    app = getattr(sender, "app", None) or current_celery_app
    if broker_kind(app.conf.broker_url) != "sqla":
        return
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in app.amqp.queues.values():
            queue(channel).declare()
