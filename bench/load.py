# ruff: noqa: S603, S310  (it runs this repository's own commands and asks 127.0.0.1 only)
"""The load benchmark behind bench/run (docs/performance.md): one table, read by people.

1. The database: `mettrack_bench_<children>` on the PostgreSQL server named by
   --server (default postgres@127.0.0.1:5432). Reused when it already holds that many
   children; otherwise dropped, migrated and filled by `flask demo generate`.
2. Query counts: each operation once in this process, through the Flask test client,
   with a SQLAlchemy event counting the statements (the second call of two, so a
   first-use cache does not count).
3. The app under gunicorn (3 sync workers, wsgi:app) on a free port, signed in as a MET
   chair and a lead professional (their session cookies) and an API token of the chair's;
   wrk drives each operation for --duration seconds with 1 client (p50, p95) and then 4
   clients (requests a second). The health endpoint is measured in the same run: the last
   column is each operation's requests a second as a share of its.
4. The reminder scan (reminders.make_due, as `flask reminders scan --no-enqueue`): its
   statements and time, run twice (the second finds every reminder made).

Nothing is asserted. Every figure depends on the machine and what else runs on it: the
load average is printed before and after.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LUA = ROOT / "bench" / "wrk" / "request.lua"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REPORT_RE = re.compile(r"BENCH p50_us=(\d+) p95_us=(\d+) requests=(\d+) duration_us=(\d+) not_ok=(\d+)")


@dataclass
class Operation:
    label: str
    path: str
    who: str | None = None  # "chair", "lead" (session cookie) or "token" (the chair's API token)
    body: dict | None = None
    queries: int | None = None
    p50: float | None = None
    p95: float | None = None
    rps: float | None = None
    notes: list[str] = field(default_factory=list)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the database


def database(server: str, children: int, instance: Path, rebuild: bool) -> str:
    import sqlalchemy as sa

    name = f"mettrack_bench_{children}"
    admin = sa.create_engine(f"postgresql+psycopg://{server}/postgres", isolation_level="AUTOCOMMIT")
    url = f"postgresql+psycopg://{server}/{name}"
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    if exists and not rebuild:
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                have = conn.scalar(sa.text("SELECT count(*) FROM children"))
        except sa.exc.DBAPIError:
            have = None
        engine.dispose()
        if have == children:
            log(f"Reusing {name} ({have} children); bringing its schema up to date.")
            flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]
            env = app_environment(url, instance)
            subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
            # What autovacuum keeps up to date on a live system; a database generated before
            # `demo generate` refreshed them would otherwise be measured with empty statistics.
            log("Refreshing the planner's statistics (VACUUM ANALYZE) ...")
            with sa.create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(sa.text("VACUUM (ANALYZE)"))
            return url
        log(f"{name} holds {have} children, not {children}: building it again.")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    checkpoints = instance / "audit-checkpoints.log"
    if checkpoints.exists():  # the old database's: would not match the new chain
        checkpoints.unlink()
    env = app_environment(url, instance)
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    log(f"Generating {children} children into {name} (flask demo generate) ...")
    started = time.perf_counter()
    subprocess.run([*flask, "demo", "generate", "--children", str(children)], env=env, cwd=ROOT, check=True)
    log(f"Generated in {time.perf_counter() - started:.0f} s.")
    return url


def app_environment(url: str, instance: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        METTRACK_ENV="development",
        METTRACK_INSTANCE_DIR=str(instance),
        AUDIT_CHECKPOINT_PATH=str(instance / "audit-checkpoints.log"),
    )
    # The health endpoint asks the broker too: a real Redis, as in production.
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")
    return env


# --- query counts, in this process


class StatementCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        from sqlalchemy import event

        self.count = 0
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def _seen(self, *args):
        self.count += 1

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._seen)


def sign_in_test_client(app, email: str, password: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    answer = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    if answer.status_code != 302:
        raise SystemExit(f"Could not sign in as {email} in process ({answer.status_code})")
    return client


def prepare(url: str, instance: Path, operations_for) -> tuple[list[Operation], dict, list[Operation], dict]:
    """The operations (with their query counts), the credentials for wrk, the scan's rows,
    and what the database holds."""
    env = app_environment(url, instance)
    os.environ.update({k: v for k, v in env.items() if k != "METTRACK_ENV"})
    from sqlalchemy import func, select

    from mettrack import create_app
    from mettrack.accounts import create_token, user_by_email
    from mettrack.core.extensions import db
    from mettrack.demo.generate import DEMO_PASSWORD, GENERATED_DOMAIN

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        chair_email, lead_email = f"chair1@{GENERATED_DOMAIN}", f"lead1@{GENERATED_DOMAIN}"
        chair = user_by_email(chair_email)
        _, secret = create_token(chair, "bench/run", actor="cli")
        facts = bench_facts(db, select, func)
        clients = {
            "chair": sign_in_test_client(app, chair_email, DEMO_PASSWORD),
            "lead": sign_in_test_client(app, lead_email, DEMO_PASSWORD),
            "token": app.test_client(),
            None: app.test_client(),
        }
        operations = operations_for(facts, chair.id)
        for op in operations:
            client = clients[op.who]
            headers = {"Authorization": f"Bearer {secret}"} if op.who == "token" else {}
            for _ in range(2):
                with StatementCounter(db.engine) as counter:
                    if op.body is not None:
                        answer = client.post(op.path, json=op.body, headers=headers)
                    else:
                        answer = client.get(op.path, headers=headers)
            if answer.status_code != 200:
                raise SystemExit(f"{op.label}: {op.path} answered {answer.status_code} in process")
            op.queries = counter.count
            db.session.remove()
        scans = reminder_scan(db)
    credentials = {
        "chair_email": chair_email,
        "lead_email": lead_email,
        "password": DEMO_PASSWORD,
        "token": secret,
    }
    return operations, credentials, scans, facts


def bench_facts(db, select, func) -> dict:
    from mettrack.cases.models import Case
    from mettrack.children.models import Child
    from mettrack.core.audit_event import AuditEvent
    from mettrack.core.clock import today
    from mettrack.notes.models import CaseNote
    from mettrack.statistics.rules import last_complete_quarter

    heavy = db.session.execute(
        select(CaseNote.case_id, func.count().label("n"))
        .group_by(CaseNote.case_id)
        .order_by(func.count().desc())
        .limit(1)
    ).first()
    surname = db.session.scalar(
        select(Child.last_name).join(Case, Case.child_id == Child.id).where(Case.id == heavy.case_id)
    )
    meetings = meeting_facts(db, select, func)
    return {
        **meetings,
        "quarter": last_complete_quarter(today()).key,
        "heavy_case": heavy.case_id,
        "heavy_notes": heavy.n,
        "surname": surname,
        "day": (today() - timedelta(days=30)).isoformat(),
        "cases": db.session.scalar(select(func.count()).select_from(Case)),
        "audit_rows": db.session.scalar(select(func.count()).select_from(AuditEvent)),
    }


def meeting_facts(db, select, func) -> dict:
    """chair1's next meeting (its draft agenda built by the generator, a week before) and
    their latest past meeting (issued agenda, minutes, actions), with their sizes; nothing
    when the database was generated before meetings were (their rows are then left out)."""
    from mettrack.accounts import user_by_email
    from mettrack.core.clock import now
    from mettrack.demo.generate import GENERATED_DOMAIN
    from mettrack.meetings.models import AgendaItem, Meeting, MeetingAction

    chair = user_by_email(f"chair1@{GENERATED_DOMAIN}")
    mine = select(Meeting.id).where(Meeting.chair_id == chair.id)
    upcoming = db.session.scalar(mine.where(Meeting.starts_at > now()).order_by(Meeting.starts_at).limit(1))
    latest = mine.where(Meeting.starts_at < now()).order_by(Meeting.starts_at.desc())
    past = db.session.scalar(latest.limit(1))
    if upcoming is None or past is None:
        log("No generated meetings in this database: the meeting rows are left out (--rebuild adds them).")
        return {}

    def items(meeting_id):
        return db.session.scalar(select(func.count()).where(AgendaItem.meeting_id == meeting_id))

    return {
        "next_meeting": upcoming,
        "next_items": items(upcoming),
        "past_meeting": past,
        "past_items": items(past),
        "past_actions": db.session.scalar(select(func.count()).where(MeetingAction.meeting_id == past)),
    }


def reminder_scan(db) -> list[Operation]:
    from mettrack.reminders import make_due

    rows = []
    for label in ("reminder scan (make_due), first", "reminder scan (make_due), again"):
        with StatementCounter(db.engine) as counter:
            started = time.perf_counter()
            made = make_due()
            seconds = time.perf_counter() - started
        db.session.remove()
        op = Operation(label, "")
        op.queries, op.p50 = counter.count, seconds * 1000
        op.notes.append(f"{made} made")
        rows.append(op)
    return rows


# --- the app under gunicorn, and wrk


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, instance: Path, port: int) -> subprocess.Popen:
    env = app_environment(url, instance)
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", "3", "-b", f"127.0.0.1:{port}", "wsgi:app"]
    process = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(instance / "gunicorn.log", "w"),  # noqa: SIM115 (the server's)
    )
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise SystemExit(f"gunicorn did not answer on port {port}: see {instance / 'gunicorn.log'}")


def sign_in_cookie(base: str, email: str, password: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = CSRF_RE.search(page).group(1)
    data = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token}).encode()
    opener.open(f"{base}/login", data=data)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    request = urllib.request.Request(f"{base}/cases/", headers={"Cookie": cookie})
    with urllib.request.build_opener(NoRedirect()).open(request) as answer:
        if answer.status != 200:
            raise SystemExit(f"Signing in as {email} under gunicorn failed ({answer.status})")
    return cookie


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wrk(base: str, op: Operation, env: dict, clients: int, seconds: int) -> tuple[float, float, float, int]:
    threads = min(clients, 2)
    command = ["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s", "-s", str(LUA)]
    run_env = dict(os.environ)
    run_env.update(
        BENCH_COOKIE=env.get(op.who, "") if op.who in ("chair", "lead") else "",
        BENCH_TOKEN=env["token"] if op.who == "token" else "",
        BENCH_BODY=json.dumps(op.body) if op.body is not None else "",
    )
    output = subprocess.run(
        [*command, base + op.path], env=run_env, capture_output=True, text=True, check=True
    )
    match = REPORT_RE.search(output.stdout)
    if not match:
        raise SystemExit(f"wrk said nothing readable for {op.label}:\n{output.stdout}\n{output.stderr}")
    p50, p95, requests, duration, not_ok = (int(x) for x in match.groups())
    if not requests:
        return None, None, 0.0, not_ok
    return p50 / 1000, p95 / 1000, requests / (duration / 1e6), not_ok


def warm_up(base: str, op: Operation, env: dict, times: int = 6) -> None:
    """A few requests first, unmeasured, so that each worker has loaded its templates."""
    headers = {}
    if op.who in ("chair", "lead"):
        headers["Cookie"] = env[op.who]
    elif op.who == "token":
        headers["Authorization"] = f"Bearer {env['token']}"
    data = None
    if op.body is not None:
        data, headers["Content-Type"] = json.dumps(op.body).encode(), "application/json"
    for _ in range(times):
        request = urllib.request.Request(base + op.path, data=data, headers=headers)
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()


def operations_for(facts: dict, chair_id: int) -> list[Operation]:
    day = facts["day"]
    return [
        Operation("health endpoint (GET /healthz)", "/healthz"),
        Operation("case list, chair, default", "/cases/", "chair"),
        Operation("case list, a lead's", "/cases/", "lead"),
        Operation(f"case page ({facts['heavy_notes']} notes)", f"/cases/{facts['heavy_case']}", "chair"),
        Operation("GET /api/v1/cases?per_page=100", "/api/v1/cases?per_page=100", "token"),
        Operation(
            "POST /api/v1/cases/search (a surname)", "/api/v1/cases/search", "token", {"q": facts["surname"]}
        ),
        Operation("audit log search by user", f"/audit/?actor={chair_id}", "chair"),
        Operation("audit log search by day", f"/audit/?date_from={day}&date_to={day}", "chair"),
        *meeting_operations(facts),
        Operation("intelligence review list", "/intelligence/review", "chair"),
        Operation("hotspots page", "/intelligence/hotspots/", "chair"),
        Operation(
            f"statistics report, last quarter ({facts['quarter']})",
            f"/statistics/?quarter={facts['quarter']}",
            "chair",
        ),
        Operation(
            f"operational figures ({facts['quarter']})",
            f"/statistics/operations?quarter={facts['quarter']}",
            "chair",
        ),
    ]


def meeting_operations(facts: dict) -> list[Operation]:
    if "next_meeting" not in facts:
        return []
    return [
        Operation(
            f"draft agenda, chair's next meeting ({facts['next_items']} children)",
            f"/meetings/{facts['next_meeting']}/agenda",
            "chair",
        ),
        Operation(
            f"meeting page, last held ({facts['past_items']} items, {facts['past_actions']} actions)",
            f"/meetings/{facts['past_meeting']}",
            "chair",
        ),
    ]


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def table(operations: list[Operation], health_rps: float) -> str:
    def ms(value):
        return "" if value is None else f"{value:.1f}"

    lines = [
        "| operation | queries | p50 ms (1 client) | p95 ms (1 client) | req/s (4 clients) | vs health |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for op in operations:
        ratio = f"{100 * op.rps / health_rps:.1f}%" if op.rps and health_rps else ""
        rps = "" if op.rps is None else f"{op.rps:.1f}"
        label = op.label + (f" ({'; '.join(op.notes)})" if op.notes else "")
        lines.append(f"| {label} | {op.queries} | {ms(op.p50)} | {ms(op.p95)} | {rps} | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="bench/run", description="METtrack load benchmark (docs/performance.md)."
    )
    parser.add_argument("--children", type=int, default=10_000, help="database size (default 10000)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--server", default="postgres@127.0.0.1:5432", help="PostgreSQL user@host:port")
    parser.add_argument(
        "--rebuild", action="store_true", help="generate the database again even if it is there"
    )
    parser.add_argument(
        "--instance", help="folder for the bench app's files (default instance/bench-<children>)"
    )
    args = parser.parse_args()
    if args.children < 1 or args.duration < 1:
        parser.error("--children and --duration must be at least 1")
    if not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install -y wrk)")
    instance = Path(args.instance or ROOT / "instance" / f"bench-{args.children}").resolve()
    instance.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load_before = load_average()

    url = database(args.server, args.children, instance, args.rebuild)
    log("Counting each operation's statements in process ...")
    operations, credentials, scans, facts = prepare(url, instance, operations_for)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log(f"Starting gunicorn (3 sync workers) on port {port} ...")
    server = start_gunicorn(url, instance, port)
    try:
        env = {
            "chair": sign_in_cookie(base, credentials["chair_email"], credentials["password"]),
            "lead": sign_in_cookie(base, credentials["lead_email"], credentials["password"]),
            "token": credentials["token"],
        }
        for op in operations:
            log(f"wrk: {op.label} ...")
            warm_up(base, op, env)
            op.p50, op.p95, _, bad_one = wrk(base, op, env, 1, args.duration)
            _, _, op.rps, bad_four = wrk(base, op, env, 4, args.duration)
            if bad_one or bad_four:
                op.notes.append(f"{bad_one + bad_four} answers not 200")
    finally:
        server.terminate()
        server.wait(timeout=30)

    health = operations[0].rps
    print(
        f"METtrack bench: {args.children} children, {facts['cases']} cases, "
        f"{facts['audit_rows']} audit rows; "
        f"PostgreSQL, gunicorn 3 sync workers, wrk {args.duration} s per run; "
        f"{os.cpu_count()} CPUs, load average {load_before} before, {load_average()} after; "
        f"{time.perf_counter() - started:.0f} s in all."
    )
    print()
    print(table(operations + scans, health))


if __name__ == "__main__":
    main()
