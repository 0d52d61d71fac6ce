"""How many audit rows a second the chains take from several processes at once, on
PostgreSQL (issue 18: at least 3,000 a second from 3 web processes).

    .venv/bin/python bench/audit_throughput.py
    .venv/bin/python bench/audit_throughput.py --processes 3 --seconds 10 --rows-per-commit 1 --chains 4

Each process is what a web process does on an audited read: one transaction that writes
`--rows-per-commit` audit rows (a page view writes one) and commits, in a loop, through
the app's own audit.record and the session's commit (a chain's advisory lock, the tail
read, the HMAC, the insert). --chains sets AUDIT_CHAINS (default: the app's setting).
Without --database-url it uses (and empties) a disposable database `mettrack_bench_audit`
on 127.0.0.1:5432. At the end it verifies the chains, so a faster append that forked a
chain would show. Nothing is asserted: the numbers are for reading.
"""

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import bench_app, disposable_database_url, rebuild_schema  # noqa: E402 (after the path is set)

DEFAULT_DATABASE = "mettrack_bench_audit"


def default_url() -> str:
    return disposable_database_url(DEFAULT_DATABASE)


def _writer(url: str, start_at: float, stop_at: float, rows_per_commit: int, settings: dict, counts) -> None:
    from mettrack.core import audit
    from mettrack.core.extensions import db

    app = bench_app(url, **settings)
    written = 0
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # connect before the clock starts
        db.session.commit()
        while time.time() < start_at:
            time.sleep(0.01)
        with audit.acting_as("bench"):
            while time.time() < stop_at:
                for _ in range(rows_per_commit):
                    audit.record("bench.viewed", "bench", written)
                db.session.commit()
                written += rows_per_commit
    counts.put(written)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rows-per-commit", type=int, default=1)
    parser.add_argument("--chains", type=int, help="AUDIT_CHAINS (default: the app's setting)")
    parser.add_argument("--database-url", help=f"default: {DEFAULT_DATABASE} on 127.0.0.1:5432")
    args = parser.parse_args()
    os.environ.setdefault("METTRACK_INSTANCE_DIR", tempfile.mkdtemp(prefix="mettrack-bench-"))
    url = args.database_url or default_url()

    from mettrack.core import audit
    from mettrack.core.extensions import db

    settings = {"AUDIT_CHAINS": args.chains} if args.chains else {}
    app = bench_app(url, **settings)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            sys.exit("The audit bench runs on PostgreSQL: give a postgresql+psycopg:// --database-url")
        rebuild_schema()
        db.engine.dispose()

    counts = multiprocessing.Queue()
    start_at = time.time() + 3  # every process has started and connected
    stop_at = start_at + args.seconds
    workers = [
        multiprocessing.Process(
            target=_writer, args=(url, start_at, stop_at, args.rows_per_commit, settings, counts)
        )
        for _ in range(args.processes)
    ]
    for worker in workers:
        worker.start()
    total = sum(counts.get() for _ in workers)
    for worker in workers:
        worker.join()
    with app.app_context():
        result = audit.verify_chain()
        chains = audit.chain_count(db.session)
    state = "intact" if result.intact else f"BROKEN at {result.place}: {result.reason}"
    spread = ", ".join(f"{chain}: {rows}" for chain, rows in sorted(result.chain_rows.items()))
    print(
        f"{args.processes} processes, {args.rows_per_commit} row(s) a commit, {args.seconds:g} s, "
        f"{chains} chain(s): {total} rows, {total / args.seconds:,.0f} rows a second; "
        f"chains {state} ({result.rows} rows; {spread})"
    )


if __name__ == "__main__":
    main()
