"""How long importing the exploitation list takes: a 10,000-row file into a fresh database.

    .venv/bin/python bench/import_bench.py                      # a fresh SQLite file
    .venv/bin/python bench/import_bench.py --rows 20000
    .venv/bin/python bench/import_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/mettrack_bench

It builds the schema (Alembic migrations, which add the default reference data) in a new
SQLite file, or in the PostgreSQL database named (which must exist and be disposable: its
tables are dropped and rebuilt), adds a MET chair and twenty lead professionals, makes up
a CSV of the list (every name invented: open and closed cases, CSE and CCE, police tiers,
leads), then times the dry run and the import as `flask import cases` runs them
(imports/jobs.py import_file: one transaction, its audit rows included) and prints the
figures. The issue's target: a 10,000-row file imports in under a minute.
"""

import argparse
import csv
import io
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import bench_app, bench_user, rebuild_schema, scratch_database_url  # noqa: E402 (after the path is set)

FIRST = ["Ada", "Bryn", "Cato", "Dilys", "Esme", "Fenn", "Gwen", "Hal", "Ines", "Jory", "Kit", "Lowen"]
LAST = ["Ashdown", "Brightwell", "Coldharbour", "Dunmore", "Eastleigh", "Fairlight", "Gorsey", "Hollins"]


def make_file(rows: int, leads: list[str], seed: int) -> bytes:
    from mettrack.imports.rules import COLUMNS, OPTIONAL_COLUMNS

    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([heading for _key, heading in COLUMNS + OPTIONAL_COLUMNS])
    for n in range(rows):
        born = date(2006, 1, 1) + timedelta(days=rng.randrange(0, 8 * 365))
        added = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 700))
        state = rng.choice(["referred", "met_review", "police_tiered", "closed"])
        tiered = state == "police_tiered"
        closed = added + timedelta(days=rng.randrange(1, 300)) if state == "closed" else None
        writer.writerow(
            [
                # A number in the surname keeps every child distinct, as a real list's are.
                f"{rng.choice(FIRST)} {rng.choice(LAST)}{n}",
                born.strftime("%d/%m/%Y"),
                rng.choice(["Female", "Male"]),
                "Not recorded",
                f"{n + 1} Nowhere Lane, Demotown, ZZ99 1ZZ",
                rng.choice(["CSE", "CCE", "CSE; CCE"]),
                rng.choice(["low", "medium", "high"]),
                "high" if tiered else "",
                rng.choice(leads),
                added.strftime("%d/%m/%Y"),
                state,
                closed.strftime("%d/%m/%Y") if closed else "",
                "Hants MET Team" if tiered else "",
                "",
            ]
        )
    return buffer.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    args = parser.parse_args()

    url = scratch_database_url(args.database_url)

    import sqlalchemy as sa

    from mettrack.accounts.users import get_or_create_agency
    from mettrack.cases.models import Case, CaseEvent
    from mettrack.core.choices import Role
    from mettrack.core.extensions import db
    from mettrack.imports import import_file

    app = bench_app(url)
    with app.app_context():
        rebuild_schema()
        agency = get_or_create_agency("Bench Agency")

        chair = bench_user(agency, "chair", Role.MET_CHAIR)
        leads = [bench_user(agency, f"lead{i}", Role.LEAD_PROFESSIONAL) for i in range(20)]
        db.session.commit()
        content = make_file(args.rows, [lead.email for lead in leads], args.seed)
        print(f"{args.rows} rows, {len(content) / 1024:.0f} KB, on {db.engine.dialect.name}")

        started = time.perf_counter()
        report, _ = import_file(chair, "csv", content, dry_run=True)
        print(f"dry run: {len(report.records)} rows checked in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        report, case_ids = import_file(chair, "csv", content, dry_run=False)
        took = time.perf_counter() - started
        events = db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent))
        cases = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
        print(f"import: {len(case_ids)} cases ({cases} in the database, {events} events) in {took:.1f} s")


if __name__ == "__main__":
    main()
