"""What the benchmarks share: a disposable PostgreSQL database on 127.0.0.1:5432."""

import sys


def disposable_database_url(name: str) -> str:
    """The URL of database `name` on the local PostgreSQL (as user postgres or root),
    created if missing. The benchmark that asks for it empties it."""
    import sqlalchemy as sa

    for user in ("postgres", "root"):
        admin = f"postgresql+psycopg://{user}@127.0.0.1:5432/postgres"
        try:
            engine = sa.create_engine(
                admin, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
            )
            with engine.connect() as conn:
                found = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
                if not found:
                    conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            engine.dispose()
            return f"postgresql+psycopg://{user}@127.0.0.1:5432/{name}"
        except Exception as e:  # noqa: BLE001 (try the next user)
            print(f"{user}: {e.__class__.__name__}", file=sys.stderr)
    sys.exit("No PostgreSQL answered on 127.0.0.1:5432: give --database-url")


def bench_app(url: str, **settings):
    """The app on `url`, with no broker and no server name: what every benchmark times."""
    from mettrack import create_app

    return create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "CELERY_BROKER_URL": "memory://", "SERVER_NAME": None, **settings}
    )


def rebuild_schema() -> None:
    """Empty the database (PostgreSQL: drop the schema) and run the migrations. Needs an
    app context."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from mettrack.core.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    upgrade()


def scratch_database_url(given: str | None) -> str:
    """`given`, or a new SQLite file in a temporary folder; the app's instance folder (beat
    schedule, checkpoints) goes to that folder too."""
    import os
    import tempfile
    from pathlib import Path

    folder = tempfile.mkdtemp(prefix="mettrack-bench-")
    os.environ.setdefault("METTRACK_INSTANCE_DIR", folder)
    return given or f"sqlite:///{Path(folder) / 'bench.sqlite'}"


def bench_user(agency, name: str, role):
    """A made-up user who never signs in (no password), added to the session."""
    from mettrack.accounts.models import User
    from mettrack.core.extensions import db

    user = User(email=f"{name}@bench.invalid", name=name.title(), agency=agency, password_hash="!")  # noqa: S106
    user.set_roles([role])
    db.session.add(user)
    return user
