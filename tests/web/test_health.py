"""GET /healthz: what a load balancer sees. 503 only when the database does not answer."""

import sqlite3
import time

from tests.workers.support import separate_app

CLOSED_REDIS = "redis://127.0.0.1:1/0"
CLOSED_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/mettrack"


def _assert_reveals_nothing_internal(response):
    body = response.get_json()
    assert set(body) == {"status", "components"}
    assert set(body["components"]) == {"database", "broker"}
    assert set(body["components"].values()) <= {"ok", "unavailable"}
    text = response.get_data(as_text=True)
    for detail in ("127.0.0.1", "refused", "Error", "sqlite", "psycopg"):
        assert detail not in text


def test_healthz_needs_no_sign_in_and_reports_each_component(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "components": {"database": "ok", "broker": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_a_broker_outage_does_not_take_the_node_out_of_service(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", CLOSED_REDIS)

    started = time.monotonic()
    response = client.get("/healthz")

    assert time.monotonic() - started < 3
    assert response.status_code == 200
    assert response.get_json()["components"] == {"database": "ok", "broker": "unavailable"}
    assert response.get_json()["status"] == "degraded"
    _assert_reveals_nothing_internal(response)


def test_the_real_redis_broker_reports_ok(app, client, redis_url, monkeypatch):
    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", redis_url)

    assert client.get("/healthz").get_json()["components"]["broker"] == "ok"


def test_the_embedded_broker_is_unavailable_until_a_worker_has_opened_it(app, client, tmp_path, monkeypatch):
    broker_file = tmp_path / "celery-broker.sqlite"
    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", f"sqla+sqlite:///{broker_file}")

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["components"]["broker"] == "unavailable"
    assert not broker_file.exists()  # the probe does not create it

    with sqlite3.connect(broker_file) as conn:
        conn.execute("CREATE TABLE kombu_queue (id INTEGER PRIMARY KEY, name TEXT)")
    conn.close()
    assert client.get("/healthz").get_json()["components"]["broker"] == "ok"


def test_a_file_that_is_not_a_database_is_not_a_broker(app, client, tmp_path, monkeypatch):
    broker_file = tmp_path / "celery-broker.sqlite"
    broker_file.write_text("not a database, " * 100)
    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", f"sqla+sqlite:///{broker_file}")

    assert client.get("/healthz").get_json()["components"]["broker"] == "unavailable"


def test_a_database_outage_answers_503():
    with separate_app(SQLALCHEMY_DATABASE_URI=CLOSED_POSTGRES, CELERY_BROKER_URL="memory://") as down:
        response = down.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "components": {"database": "unavailable", "broker": "ok"},
    }
    _assert_reveals_nothing_internal(response)
