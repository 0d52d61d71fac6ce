"""How long the case list takes with typical filters, on a few thousand cases.

    .venv/bin/python bench/case_list.py                      # a fresh SQLite file
    .venv/bin/python bench/case_list.py --cases 5000
    .venv/bin/python bench/case_list.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/mettrack_bench

It builds the schema (Alembic migrations) in a new SQLite file, or in the PostgreSQL
database named (which must exist and be empty or disposable: its tables are dropped and
rebuilt), makes up the cases (children, exploitation types, flags, places of harm, police
tiers, review dates, missing episodes), then times services.cases.list_for for each
typical query and prints the figures. Nothing is asserted: the numbers are for reading.
Every name is invented. Each timed call also writes its audit row, as in real use.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import bench_app, bench_user, rebuild_schema, scratch_database_url  # noqa: E402 (after the path is set)

FIRST = ["Ada", "Bryn", "Cato", "Dilys", "Esme", "Fenn", "Gwen", "Hal", "Ines", "Jory", "Kit", "Lowen"]
LAST = ["Ashdown", "Brightwell", "Coldharbour", "Dunmore", "Eastleigh", "Fairlight", "Gorsey", "Hollins"]


def build(app, n_cases: int, seed: int) -> dict:
    from mettrack.accounts.users import get_or_create_agency
    from mettrack.cases.models import Case, CaseTag, CaseTeamMember
    from mettrack.children.models import Child
    from mettrack.core.choices import CaseFlag, CaseState, CaseTagKind, ExploitationType, HarmLocation, Role
    from mettrack.core.clock import now
    from mettrack.core.extensions import db
    from mettrack.missing.models import MissingEpisode
    from mettrack.reference import data as reference_data

    rng = random.Random(seed)
    at = now()
    reference_data.seed_defaults()
    agency = get_or_create_agency("Bench Agency")

    chair = bench_user(agency, "chair", Role.MET_CHAIR)
    partner = bench_user(agency, "partner", Role.PARTNER)
    leads = [bench_user(agency, f"lead{i}", Role.LEAD_PROFESSIONAL) for i in range(20)]
    db.session.commit()
    states = list(CaseState)
    for i in range(n_cases):
        child = Child(
            first_name=rng.choice(FIRST),
            last_name=f"{rng.choice(LAST)}{i}",
            aliases=f"{rng.choice(FIRST)} {i}" if rng.random() < 0.2 else None,
        )
        lead = rng.choice(leads)
        state = rng.choice(states)
        case = Case(
            child=child,
            state=state.value,
            risk_level=rng.choice([None, "low", "medium", "high"]),
            lead_professional_id=lead.id,
            opened_at=at - timedelta(days=rng.randint(0, 700)),
            next_review_on=(at + timedelta(days=rng.randint(-30, 90))).date(),
            police_tier=rng.choice(["high", "medium"])
            if state.value in ("police_tiered", "service_assigned")
            else None,
        )
        case.team.append(CaseTeamMember(user_id=lead.id, team_role="lead"))
        if i % 50 == 0:
            case.team.append(CaseTeamMember(user_id=partner.id, team_role="member"))
        db.session.add(case)
        db.session.flush()
        tags = {(CaseTagKind.EXPLOITATION_TYPE, rng.choice(list(ExploitationType)).value)}
        for _ in range(rng.randint(0, 2)):
            tags.add((CaseTagKind.FLAG, rng.choice(list(CaseFlag)).value))
        if rng.random() < 0.5:
            tags.add((CaseTagKind.HARM_LOCATION, rng.choice(list(HarmLocation)).value))
        db.session.add_all(CaseTag(case_id=case.id, kind=k.value, value=v) for k, v in tags)
        for _ in range(rng.choice([0, 0, 0, 1, 2, 4])):
            went = at - timedelta(days=rng.randint(0, 200), hours=rng.randint(0, 23))
            returned = None if rng.random() < 0.05 else went + timedelta(hours=rng.randint(2, 72))
            db.session.add(
                MissingEpisode(
                    case_id=case.id,
                    went_missing_at=went,
                    returned_at=returned if returned and returned < at else None,
                    rhi_status=rng.choice([None, "offered", "accepted", "declined"]) if returned else None,
                    recorded_by_id=lead.id,
                )
            )
        if i % 500 == 499:
            db.session.commit()
    db.session.commit()
    return {"chair": chair.id, "lead": leads[0].id, "partner": partner.id}


def run(app, users: dict, repeats: int) -> None:
    from mettrack.accounts.models import User
    from mettrack.cases import queries as cases
    from mettrack.cases.queries import CaseFilters
    from mettrack.core.extensions import db

    scenarios = [
        ("chair, no filter, newest first", "chair", CaseFilters(), 1),
        (
            "chair, states met_review + police_tiered",
            "chair",
            CaseFilters(states=("met_review", "police_tiered")),
            1,
        ),
        (
            "chair, CSE and high risk",
            "chair",
            CaseFilters(exploitation_types=("cse",), risk_levels=("high",)),
            1,
        ),
        ("chair, county lines, sort by risk", "chair", CaseFilters(flags=("county_lines",), sort="risk"), 1),
        (
            "chair, review overdue, by next review",
            "chair",
            CaseFilters(review_overdue=True, sort="next_review"),
            1,
        ),
        ("chair, RHI overdue", "chair", CaseFilters(rhi_overdue=True), 1),
        ("chair, missing now", "chair", CaseFilters(open_missing_episode=True), 1),
        ("chair, repeatedly missing", "chair", CaseFilters(repeat_missing=True), 1),
        ("chair, name search 'gwen'", "chair", CaseFilters(search="gwen"), 1),
        ("chair, page 20", "chair", CaseFilters(), 20),
        ("lead, my cases", "lead", None, 1),
        ("partner, team cases", "partner", CaseFilters(), 1),
    ]
    print(f"{'query':<45} {'total':>6} {'shown':>6} {'median ms':>10} {'min ms':>8}")
    for label, who, filters, page_number in scenarios:
        user = db.session.get(User, users[who])
        if filters is None:
            filters = cases.filters_from({"lead_professional": "me"}, user)
        timings, page = [], None
        for _ in range(repeats):
            db.session.expire_all()
            start = time.perf_counter()
            page = cases.list_for(user, filters, page=page_number, per_page=25)
            for case in page.items:  # what the page shows of each case
                _ = (case.child.display_name, case.lead_professional and case.lead_professional.name)
                _ = [t.value for t in case.tags]
            timings.append((time.perf_counter() - start) * 1000)
        print(
            f"{label:<45} {page.total:>6} {len(page.items):>6} "
            f"{statistics.median(timings):>10.1f} {min(timings):>8.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    args = parser.parse_args()

    url = scratch_database_url(args.database_url)

    from mettrack.core.extensions import db

    app = bench_app(url)
    with app.app_context():
        rebuild_schema()
        started = time.perf_counter()
        users = build(app, args.cases, args.seed)
        print(f"{args.cases} cases made in {time.perf_counter() - started:.1f} s on {db.engine.dialect.name}")
        run(app, users, args.repeats)


if __name__ == "__main__":
    main()
