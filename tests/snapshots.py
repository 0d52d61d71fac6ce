"""Rows a test needs that are costly to make, made once per test process and put back into
the (empty) tables for each later test that asks for them.

On PostgreSQL the rows are copied into a schema of their own and put back by one
statement list in one round trip (the access matrix restores its world a few thousand
times; one INSERT per table from Python was a third of its time). On SQLite they are kept
in Python and inserted table by table.
"""

import sqlalchemy as sa


class Snapshot:
    def __init__(self, schema: str):
        self.schema = schema
        self._taken: dict = {}

    @property
    def taken(self) -> bool:
        return bool(self._taken)

    def take(self, db) -> None:
        """Keep every row of every table, and where each id sequence stands."""
        tables = db.metadata.sorted_tables  # parents first
        with db.engine.begin() as conn:
            # A generated column (cases.risk_rank) is the database's to write.
            stored = {t.name: [c for c in t.columns if c.computed is None] for t in tables}
            if conn.dialect.name != "postgresql":
                self._taken["rows"] = {
                    n: [dict(r._mapping) for r in conn.execute(sa.select(*c))] for n, c in stored.items()
                }
                return
            filled = [t.name for t in tables if conn.scalar(sa.select(sa.literal(1)).select_from(t).limit(1))]
            columns = {n: ", ".join(f'"{c.name}"' for c in stored[n]) for n in filled}
            statements = [f"DROP SCHEMA IF EXISTS {self.schema} CASCADE", f"CREATE SCHEMA {self.schema}"]
            statements += [
                f'CREATE TABLE {self.schema}."{n}" AS SELECT {columns[n]} FROM public."{n}"' for n in filled
            ]
            conn.exec_driver_sql(";\n".join(statements))
            sequences = [
                f"setval('public.{name}', {value}, true)"
                for name, value in conn.execute(
                    sa.text("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
                )
                if value is not None
            ]
        # Replica mode skips triggers for this transaction only: the rows are put back as
        # they were, and the foreign keys held when they were taken.
        restore = ["SET LOCAL session_replication_role = replica"]
        restore += [
            f'INSERT INTO public."{n}" ({columns[n]}) SELECT * FROM {self.schema}."{n}"' for n in filled
        ]
        restore.append("SET LOCAL session_replication_role = origin")
        if sequences:
            restore.append("SELECT " + ", ".join(sequences))
        self._taken["sql"] = ";\n".join(restore)

    def put_back(self, db) -> None:
        """Put the rows back into the empty tables a test starts on."""
        db.session.remove()
        with db.engine.begin() as conn:
            if "sql" in self._taken:
                conn.exec_driver_sql(self._taken["sql"])
                return
            for table in db.metadata.sorted_tables:
                if self._taken["rows"][table.name]:
                    conn.execute(table.insert(), self._taken["rows"][table.name])
