"""GET /healthz for load balancers: 503 only when the database does not answer, so a
broker outage never takes web nodes out of service."""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from mettrack.extensions import db
from mettrack.permissions import public

bp = Blueprint("health", __name__)


def _database_status() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception:  # any failure means "not answering"; the detail goes to the log only
        current_app.logger.exception("health check: database not answering")
        db.session.rollback()
        return "unavailable"


def _broker_status() -> str:
    url = current_app.config["CELERY_BROKER_URL"]
    try:
        if url.startswith("redis"):
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        else:
            from kombu import Connection

            with Connection(url, connect_timeout=1) as conn:
                conn.ensure_connection(max_retries=1)
        return "ok"
    except Exception:
        current_app.logger.warning("health check: broker not answering")
        return "unavailable"


@bp.route("/healthz")
@public
def healthz():
    components = {"database": _database_status(), "broker": _broker_status()}
    healthy = components["database"] == "ok"
    body = {"status": "ok" if healthy else "unavailable", "components": components}
    return jsonify(body), 200 if healthy else 503
