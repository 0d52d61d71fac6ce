"""The Celery settings for a Flask app's config (docs/workers.md). Every number a setting
can change is read from config.py; none has a second default here.

Two brokers, one code path:
- Redis (REDIS_URL set): what production runs; several worker hosts share it.
- kombu's SQLAlchemy transport on a SQLite file (the zero-setup default): a real worker
  and beat with no server at all.
"""

from collections.abc import Iterator, Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any

from celery import current_app as current_celery_app
from celery.signals import worker_init
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from workers.schedule import beat_schedule

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


def task_time_limits(config: Mapping[str, Any]) -> tuple[int, int]:
    """(soft, hard) seconds. The soft limit raises inside the task (an SMTP send records
    its failure); the hard one kills the pool process."""
    hard = int(config["CELERY_TASK_TIME_LIMIT"])
    soft = hard - 60 if hard > 120 else max(1, hard // 2)
    return soft, hard


def timing_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """The waits that keep a reminder from being sent twice must nest: task time limit <
    reminder requeue age, and on Redis, retry backoff cap and task time limit < visibility
    timeout. With acks_late a message stays unacknowledged while its task runs, so a task
    must finish (or be killed by the hard limit) well inside Redis's visibility timeout."""
    if int(config["CELERY_TASK_TIME_LIMIT"]) < 2:
        yield "CELERY_TASK_TIME_LIMIT must be at least 2 seconds"
        return
    soft, hard = task_time_limits(config)
    mail_timeout = config["MAIL_TIMEOUT"]
    if float(mail_timeout) >= hard - soft:
        # After the soft limit the SMTP connection may still wait MAIL_TIMEOUT to close;
        # the failure is recorded only if that fits before the hard limit kills the task.
        yield (
            f"MAIL_TIMEOUT ({mail_timeout}s) must be shorter than the gap between the soft and hard "
            f"task time limits ({hard - soft}s; CELERY_TASK_TIME_LIMIT={hard})."
        )
    requeue = config["REMINDER_REQUEUE_AFTER_SECONDS"]
    if requeue <= hard:
        yield (
            f"REMINDER_REQUEUE_AFTER_SECONDS ({requeue}s) must be longer than the task time limit "
            f"({hard}s), or a reminder still being sent would be handed to a second worker."
        )
    if broker_kind(config["CELERY_BROKER_URL"]) != "redis":
        return
    timeout = int(config["CELERY_VISIBILITY_TIMEOUT"])
    if timeout <= hard:
        yield (
            f"CELERY_VISIBILITY_TIMEOUT ({timeout}s) must be longer than the task time limit "
            f"({hard}s), or Redis would hand running tasks to a second worker."
        )
    backoff_cap = config["REMINDER_RETRY_MAX_SECONDS"]
    if backoff_cap >= timeout:
        yield (
            f"REMINDER_RETRY_MAX_SECONDS ({backoff_cap}s) must be shorter than CELERY_VISIBILITY_TIMEOUT "
            f"({timeout}s), or Redis would hand a waiting retry to a second worker."
        )


def broker_transport_options(config: Mapping[str, Any]) -> dict[str, Any]:
    url = config["CELERY_BROKER_URL"]
    kind = broker_kind(url)
    if kind == "redis":
        options = {"visibility_timeout": int(config["CELERY_VISIBILITY_TIMEOUT"])}
        # Unset means kombu's own defaults (every 10 s, scanning on every 10th).
        for name in ("unacked_restore_interval", "unacked_restore_throttle"):
            setting = config[f"CELERY_{name.upper()}"]
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


def celery_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The Celery settings for a Flask app's config. `CELERY` (a dict), if set, goes on top."""
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
        "beat_schedule_filename": str(Path(config["INSTANCE_DIR"]) / "celerybeat-schedule"),
    }
    settings.update(config.get("CELERY") or {})
    return settings


def make_directories(settings: Mapping[str, Any]) -> None:
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
