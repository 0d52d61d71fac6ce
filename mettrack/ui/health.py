"""GET /healthz for load balancers: 503 only when the database does not answer, so a
broker outage never takes web nodes out of service (web requests never need the broker;
reminders wait in the database until a worker is back).

The body says only "ok" or "unavailable" per component: what went wrong goes to the log,
never to an unauthenticated caller.
"""

from contextlib import suppress
from pathlib import Path

from flask import Blueprint, current_app, jsonify
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from mettrack.core.extensions import db
from mettrack.core.permissions import public
from workers.broker import broker_kind, sqla_broker_database_url

bp = Blueprint("health", __name__)

# Seconds. A probe that hangs on a dead broker would look like a dead web node.
BROKER_TIMEOUT = 1


def _database_status() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception:  # any failure means "not answering"; the detail goes to the log only
        current_app.logger.exception("health check: database not answering")
        with suppress(Exception):  # the session is discarded at teardown anyway
            db.session.rollback()
        return "unavailable"


def _ping_redis(url: str) -> None:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # A fresh client per probe: no pooled connection left stale by a Redis restart, and
    # no retries, so a dead Redis costs at most one connect timeout.
    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=BROKER_TIMEOUT,
        socket_timeout=BROKER_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
    )
    try:
        client.ping()
    finally:
        client.close()


def _query_sql_broker(url: str) -> None:
    database_url = make_url(sqla_broker_database_url(url))
    if database_url.get_backend_name() == "sqlite":
        # Connecting would create a missing file; a missing file means no worker has
        # ever opened the embedded broker, which is "unavailable", not "ok".
        if not database_url.database or not Path(database_url.database).is_file():
            raise FileNotFoundError("embedded broker file missing")
        # SELECT 1 would not even read the file; the schema does.
        connect_args, probe = {"timeout": BROKER_TIMEOUT}, "SELECT count(*) FROM sqlite_master"
    else:
        connect_args, probe = {"connect_timeout": BROKER_TIMEOUT}, "SELECT 1"
    engine = create_engine(database_url, poolclass=NullPool, connect_args=connect_args)
    try:
        with engine.connect() as conn:
            conn.execute(text(probe))
    finally:
        engine.dispose()


def _connect_kombu(url: str) -> None:
    from kombu import Connection

    with Connection(url, connect_timeout=BROKER_TIMEOUT) as conn:
        conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT)


def _broker_status() -> str:
    url = current_app.config["CELERY_BROKER_URL"]
    if url.lower().startswith(("redis://", "rediss://")):
        check = _ping_redis
    elif broker_kind(url) == "sqla":
        check = _query_sql_broker
    else:  # memory:// in tests; sentinel:// and redis+socket://, which redis-py cannot parse
        check = _connect_kombu
    try:
        check(url)
        return "ok"
    except Exception as exc:
        # The class name only: messages can carry host names and paths.
        current_app.logger.warning("health check: broker not answering (%s)", type(exc).__name__)
        return "unavailable"


@bp.route("/healthz")
@public
def healthz():
    components = {"database": _database_status(), "broker": _broker_status()}
    healthy = components["database"] == "ok"
    if not healthy:
        status = "unavailable"
    elif components["broker"] != "ok":
        status = "degraded"  # still serving; reminders wait in the database
    else:
        status = "ok"
    body = {"status": status, "components": components}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503
