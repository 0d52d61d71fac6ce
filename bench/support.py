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
