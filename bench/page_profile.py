"""Where one request's time goes, in process, against a `bench/run` database: the
wall time, the SQL time and statements (the costliest first), the template rendering
time, and optionally a cProfile listing (docs/performance.md, "Where a page's time goes").

    .venv/bin/python bench/page_profile.py /cases/ --who chair
    .venv/bin/python bench/page_profile.py "/api/v1/cases?per_page=100" --who token
    .venv/bin/python bench/page_profile.py /api/v1/cases/search --who token --search Penwick
    .venv/bin/python bench/page_profile.py /cases/ --who lead --statements 10 --profile 40

`--who` signs in as chair1 or lead1 of the generated data, or uses an API token of
chair1's (made for the run and written to the audit log like any other). The request is
made three times first (caches warm), then `--times` times. Nothing is asserted: each
figure depends on the machine and on what else runs on it.
"""

import argparse
import cProfile
import gc
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


class Timings:
    """SQL statements and template rendering, timed through SQLAlchemy's cursor events
    and Flask's render function."""

    def __init__(self):
        self.sql, self.render, self.statements = 0.0, 0.0, {}

    def reset(self):
        self.__init__()

    def before(self, _conn, _cursor, _statement, _params, context, _many):
        context._bench_started = time.perf_counter()

    def after(self, _conn, _cursor, statement, _params, context, _many):
        spent = time.perf_counter() - context._bench_started
        self.sql += spent
        key = " ".join(statement.split())[:150]
        count, total = self.statements.get(key, (0, 0.0))
        self.statements[key] = (count + 1, total + spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--who", choices=("chair", "lead", "token"), default="chair")
    parser.add_argument("--search", help="POST this name as the JSON body's q (the API search)")
    parser.add_argument("--children", type=int, default=100000, help="which bench database (default 100000)")
    parser.add_argument("--server", default="postgres@127.0.0.1:5432")
    parser.add_argument("--times", type=int, default=20)
    parser.add_argument("--statements", type=int, default=0, help="list the N costliest statements")
    parser.add_argument("--profile", type=int, default=0, help="a cProfile listing of N functions")
    args = parser.parse_args()

    import flask.templating
    import load
    from sqlalchemy import event

    url = f"postgresql+psycopg://{args.server}/mettrack_bench_{args.children}"
    env = load.app_environment(url, ROOT / "instance" / f"bench-{args.children}")
    os.environ.update({k: v for k, v in env.items() if k != "METTRACK_ENV"})
    from mettrack import create_app
    from mettrack.accounts import create_token, user_by_email
    from mettrack.core.extensions import db
    from mettrack.demo.generate import DEMO_PASSWORD, GENERATED_DOMAIN

    timings = Timings()
    render = flask.templating._render

    def timed_render(*a, **k):
        started = time.perf_counter()
        try:
            return render(*a, **k)
        finally:
            timings.render += time.perf_counter() - started

    flask.templating._render = timed_render
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    gc.collect()
    gc.freeze()  # as wsgi.py does for the app it serves
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", timings.before)
        event.listen(db.engine, "after_cursor_execute", timings.after)
        headers = {}
        if args.who == "token":
            chair = user_by_email(f"chair1@{GENERATED_DOMAIN}")
            _, secret = create_token(chair, "bench/page_profile", actor="cli")
            headers = {"Authorization": f"Bearer {secret}"}
            client = app.test_client()
        else:
            client = load.sign_in_test_client(app, f"{args.who}1@{GENERATED_DOMAIN}", DEMO_PASSWORD)

        def request():
            if args.search is not None:
                answer = client.post(args.path, json={"q": args.search}, headers=headers)
            else:
                answer = client.get(args.path, headers=headers)
            if answer.status_code != 200:
                raise SystemExit(f"{args.path} answered {answer.status_code}")
            db.session.remove()

        for _ in range(3):
            request()
        timings.reset()
        started = time.perf_counter()
        for _ in range(args.times):
            request()
        n = args.times
        wall = (time.perf_counter() - started) / n * 1000
        statements = sum(count for count, _ in timings.statements.values()) / n
        sql, rendering = timings.sql / n * 1000, timings.render / n * 1000
        print(
            f"{args.path} as {args.who}, {n} times: {wall:.1f} ms a request; SQL {sql:.1f} ms in "
            f"{statements:.0f} statements; templates {rendering:.1f} ms; the rest (Python: the ORM, "
            f"serialising, Flask) {wall - sql - rendering:.1f} ms"
        )
        costliest = sorted(timings.statements.items(), key=lambda kv: -kv[1][1])[: args.statements]
        for text, (count, spent) in costliest:
            print(f"  {spent / n * 1000:6.2f} ms {count / n:4.1f}x  {text}")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(n):
                request()
            profile.disable()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.profile)
            print(out.getvalue())


if __name__ == "__main__":
    main()
