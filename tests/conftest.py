"""Test fixtures: the app on the real database, a clean slate per test, sign-in helpers.

Database: PostgreSQL at TEST_DATABASE_URL (default: a `mettrack_test` database on
127.0.0.1:5432, created on first use). Under CI=true it must answer or the run fails.
Outside CI, when it does not answer, the suite runs on SQLite and the tests that need
PostgreSQL (or Redis) skip, saying why.
"""

import os
import re
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import factories

CI = os.environ.get("CI", "").lower() == "true"
PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1:5432")
# A database per test run, so that runs side by side (two developers, an editor and a
# terminal) never truncate each other's tables. Left-overs of killed runs are dropped.
PG_DB = os.environ.get("TEST_PG_DATABASE", f"mettrack_test_{os.getpid()}")
# pytest-xdist runs the suite in parallel processes: each gets its own Redis database
# (gw0 -> 15, gw1 -> 14 ...) so one process's worker never takes another's tasks.
_XDIST_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - _XDIST_WORKER % 12}")


_ADMIN_URL: list[str] = []


def pytest_configure(config):
    # Still Argon2id, at its lowest cost: the suite signs in a few thousand times and the
    # production cost (a quarter of a second per check) would double the run. The hash
    # parameters travel in each hash, so production hashes still verify as before.
    from argon2 import PasswordHasher

    from mettrack.accounts import passwords

    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords._DUMMY_HASH = passwords._hasher.hash("not-a-real-password")


# The longest tests (real Celery workers waiting on the real clock, the browser journeys,
# the schema fuzzing) are collected first, so that pytest-xdist starts them beside the short
# ones instead of leaving one of them to run alone at the end of the run.
RUN_FIRST = ("tests/browser/", "tests/workers/", "tests/api/test_schemathesis.py")


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: not item.nodeid.startswith(RUN_FIRST))  # stable: order kept


def _drop_leftover_databases(conn) -> None:
    names = conn.scalars(sa.text("SELECT datname FROM pg_database WHERE datname LIKE 'mettrack_test_%'"))
    for name in list(names):
        pid = name.rsplit("_", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def pytest_sessionfinish(session, exitstatus):
    if _ADMIN_URL and "TEST_PG_DATABASE" not in os.environ:
        try:
            engine = sa.create_engine(_ADMIN_URL[0], isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
            engine.dispose()
        except Exception as e:  # a left-over database is dropped by the next run
            print(f"could not drop {PG_DB}: {e}")


def _find_postgres() -> tuple[str | None, str]:
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        candidates = [explicit]
    else:
        candidates = []
        for user in ("postgres", "root"):
            admin_url = f"postgresql+psycopg://{user}@{PG_HOST}/test"
            try:
                engine = sa.create_engine(
                    admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
                )
                with engine.connect() as conn:
                    _drop_leftover_databases(conn)
                    exists = conn.scalar(
                        sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_DB}
                    )
                    if not exists:
                        conn.execute(sa.text(f'CREATE DATABASE "{PG_DB}"'))
                        # A throw-away database: waiting for each commit to reach the disk
                        # would only slow the suite (tests commit thousands of times).
                        # Commits stay atomic and isolated; only a machine crash loses them.
                        conn.execute(sa.text(f'ALTER DATABASE "{PG_DB}" SET synchronous_commit = off'))
                engine.dispose()
                _ADMIN_URL.append(admin_url)  # pytest_sessionfinish drops this run's database
                candidates.append(f"postgresql+psycopg://{user}@{PG_HOST}/{PG_DB}")
                break
            except Exception as e:  # try the next user, then report the last reason
                reason = str(e).splitlines()[0]
        if not candidates:
            return None, f"PostgreSQL at {PG_HOST} did not answer ({reason})"
    url = candidates[0]
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return url, ""
    except Exception as e:
        return None, f"PostgreSQL at {url} did not answer ({str(e).splitlines()[0]})"


_PG_URL, _PG_REASON = _find_postgres()
if _PG_URL is None and CI:
    raise pytest.UsageError(f"CI=true and {_PG_REASON}: the suite must run on PostgreSQL under CI.")

_SQLITE_DIR = tempfile.mkdtemp(prefix="mettrack-tests-")
DATABASE_URL = _PG_URL or f"sqlite:///{Path(_SQLITE_DIR) / 'test.sqlite'}"
ON_POSTGRES = _PG_URL is not None


def pytest_report_header(config):
    where = DATABASE_URL if ON_POSTGRES else f"SQLite ({_PG_REASON}; PostgreSQL-only tests skip)"
    return [f"METtrack tests: database {where}; CI={CI}"]


def _reset_schema(app):
    from flask_migrate import upgrade

    from mettrack.core.extensions import db

    with app.app_context():
        with db.engine.begin() as conn:
            if ON_POSTGRES:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
    # The migrations seed the default reference lists; every test starts on empty tables
    # (as after _clean_database), so the first test sees what the others see.
    _empty_tables(app)


@pytest.fixture(scope="session")
def app():
    from mettrack import create_app

    os.environ.setdefault("METTRACK_INSTANCE_DIR", _SQLITE_DIR)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
            "CELERY_BROKER_URL": "memory://",
            "SERVER_NAME": None,
            "AUDIT_CHECKPOINT_PATH": str(Path(_SQLITE_DIR) / "audit-checkpoints.log"),
        }
    )
    _reset_schema(app)
    return app


def _table_names(app) -> list[str]:
    from mettrack.core.extensions import db

    return [t.name for t in reversed(db.metadata.sorted_tables)]


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Every test starts on empty tables. Truncating (not rolling back) lets tests commit
    for real, as the web app and the workers do."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    from mettrack.core.clock import set_now

    set_now(None)
    _empty_tables(app)
    # The chain's checkpoints describe the rows just emptied: left behind, they would
    # report the next test's shorter chain as cut short.
    Path(app.config["AUDIT_CHECKPOINT_PATH"]).unlink(missing_ok=True)


def _empty_tables(app) -> None:
    from mettrack.core.extensions import db

    with app.app_context():
        db.session.remove()
        names = _table_names(app)
        with db.engine.begin() as conn:
            if ON_POSTGRES:
                conn.exec_driver_sql(_postgres_cleanup(conn, names))
                return
            # DELETE, children first, not TRUNCATE: a test leaves a handful of rows, and
            # TRUNCATE gives every table a new file each time (a third of a second per
            # test on a busy disk, most of the suite's time).
            for name in names:
                conn.execute(sa.text(f"DELETE FROM {name}"))


_CLEANUP_SQL: dict[str, str] = {}


def _postgres_cleanup(conn, names) -> str:
    """One round trip that empties every table and starts every id at 1 again (as
    RESTART IDENTITY did). Replica mode skips triggers for this transaction only: the
    audit table's refusal of DELETE (migration 0012) and the foreign keys' checks, which
    have nothing to check when every table is emptied at once."""
    if "sql" not in _CLEANUP_SQL:
        sequences = list(
            conn.scalars(sa.text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"))
        )
        statements = ["SET LOCAL session_replication_role = replica"]
        statements += [f"DELETE FROM {name}" for name in names]
        statements.append("SET LOCAL session_replication_role = origin")
        if sequences:
            statements.append(
                "SELECT " + ", ".join(f"setval('public.{sequence}', 1, false)" for sequence in sequences)
            )
        _CLEANUP_SQL["sql"] = ";\n".join(statements)
    return _CLEANUP_SQL["sql"]


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def postgres():
    """For tests that only mean something on PostgreSQL (locks, concurrency, migrations)."""
    if not ON_POSTGRES:
        pytest.skip(_PG_REASON)
    return DATABASE_URL


@pytest.fixture
def redis_url():
    """The real Redis, on a database number of its own. CI fails without it."""
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
    except Exception as e:
        if CI:
            pytest.fail(f"CI=true and Redis at {REDIS_URL} did not answer: {e}")
        pytest.skip(f"Redis at {REDIS_URL} did not answer: {e}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(response) -> str:
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


class AuthActions:
    def __init__(self, client, app):
        self._client = client
        self._app = app

    def login(self, email: str, password: str = factories.PASSWORD):
        token = csrf_from(self._client.get("/login"))
        return self._client.post("/login", data={"email": email, "password": password, "csrf_token": token})

    def logout(self):
        token = csrf_from(self._client.get("/"))
        return self._client.post("/logout", data={"csrf_token": token})

    def as_role(self, role, **kwargs):
        """Create a user with `role` and sign in as them. Returns the user's id."""
        with self._app.app_context():
            user = factories.user(roles=[role], **kwargs)
            user_id, email = user.id, user.email
        response = self.login(email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user_id


@pytest.fixture
def auth(client, app):
    return AuthActions(client, app)


def post_form(client, path: str, data: dict | None = None, page: str | None = None):
    """POST a form the way a browser does: read the CSRF token from a page first."""
    token = csrf_from(client.get(page or "/"))
    return client.post(path, data={**(data or {}), "csrf_token": token})


@pytest.fixture
def mail(app):
    """A local SMTP sink for the test, with the app's mail settings pointed at it: yields
    the sink, whose messages are the e-mails sent."""
    from tests.smtp import smtp_server

    with smtp_server() as (sink, port):
        saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_TIMEOUT")}
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
        try:
            yield sink
        finally:
            app.config.update(saved)
