"""How long building a MET meeting's draft agenda takes, for a meeting of 300 items, on
PostgreSQL (goal: under 500 ms; issue 12).

    .venv/bin/python bench/agenda_build.py
    .venv/bin/python bench/agenda_build.py --items 300 --other-cases 2000 --repeats 5
    .venv/bin/python bench/agenda_build.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/mettrack_bench

Without --database-url it uses (and creates) a disposable database `mettrack_bench_agenda`
on 127.0.0.1:5432. The database named is emptied: its schema is dropped and rebuilt by
the migrations. It makes up `--items` open high-risk cases (each with tags, a refer
event, a risk assessment, a missing episode, a specialist service, an open action with
its history from the previous meeting and a lead's update) and `--other-cases` low-risk
cases no rule puts on the agenda, then times agenda.build (the first build, then
rebuilds), and the chair's read of the draft with every card (agenda.draft_for). Each
timed call writes its audit row, as in real use. Every name is invented. Nothing is
asserted: the numbers are for reading.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import bench_app, bench_user, disposable_database_url, rebuild_schema  # noqa: E402 (after the path is set)

DEFAULT_DATABASE = "mettrack_bench_agenda"
PREVIOUS = datetime(2026, 2, 24, 10, tzinfo=UTC)
MEETING = datetime(2026, 3, 10, 10, tzinfo=UTC)
NOW = datetime(2026, 3, 9, 12, tzinfo=UTC)


def default_url() -> str:
    return disposable_database_url(DEFAULT_DATABASE)


def build(items: int, others: int) -> dict:
    from mettrack.accounts.users import get_or_create_agency
    from mettrack.cases.models import Case, CaseEvent, CaseTag
    from mettrack.children.models import Child
    from mettrack.core.choices import ActionEventKind, Role
    from mettrack.core.extensions import db
    from mettrack.meetings.models import ActionEvent, LeadUpdate, Meeting, MeetingAction
    from mettrack.missing.models import MissingEpisode
    from mettrack.reference import data as reference_data
    from mettrack.risk.models import RiskAssessment
    from tests.factories import accepted_service  # the shape an accepted service has

    reference_data.seed_defaults()
    agency = get_or_create_agency("Bench Agency")

    chair = bench_user(agency, "chair", Role.MET_CHAIR)
    leads = [bench_user(agency, f"lead{i}", Role.LEAD_PROFESSIONAL) for i in range(20)]
    db.session.flush()
    previous = Meeting(
        title="MET (February)",
        starts_at=PREVIOUS,
        chair_id=chair.id,
        created_by_id=chair.id,
        ical_uid="bench-previous@mettrack.invalid",
    )
    meeting = Meeting(
        title="MET (March)",
        starts_at=MEETING,
        chair_id=chair.id,
        created_by_id=chair.id,
        ical_uid="bench-meeting@mettrack.invalid",
    )
    db.session.add_all([previous, meeting])
    db.session.commit()
    for i in range(items + others):
        lead = leads[i % len(leads)]
        on_agenda = i < items
        child = Child(
            first_name="Benchchild",
            last_name=f"Number{i}",
            date_of_birth=date(2011, 1, 1),
            address=f"{i} Bench Road",
            school="Bench Academy",
            created_by_id=lead.id,
        )
        case = Case(
            child=child,
            state="met_review",
            risk_level="high" if on_agenda else "low",
            lead_professional_id=lead.id,
            lead_agency_id=agency.id,
            police_tier="high",
            next_review_on=date(2026, 6, 1),
            opened_at=PREVIOUS - timedelta(days=60),
        )
        case.tags = [CaseTag(kind="exploitation_type", value="cse")]
        case.events = [
            CaseEvent(
                actor_id=lead.id,
                action="refer",
                from_state="screened",
                to_state="referred",
                occurred_at=PREVIOUS - timedelta(days=59),
            )
        ]
        db.session.add(case)
        db.session.flush()
        if not on_agenda:
            continue
        db.session.add_all(
            [
                RiskAssessment(
                    case_id=case.id,
                    assessed_by_id=lead.id,
                    assessed_at=PREVIOUS + timedelta(days=2),
                    suggested_level="high",
                    chosen_level="high",
                    rationale="Bench",
                    next_review_on=date(2026, 6, 1),
                ),
                MissingEpisode(
                    case_id=case.id,
                    went_missing_at=PREVIOUS + timedelta(days=3),
                    returned_at=PREVIOUS + timedelta(days=4),
                    rhi_status="offered",
                    recorded_by_id=lead.id,
                ),
                accepted_service(case.id, lead.id, "parcs"),
                LeadUpdate(meeting_id=meeting.id, case_id=case.id, author_id=lead.id, text="Bench update"),
            ]
        )
        action = MeetingAction(
            meeting_id=previous.id,
            case_id=case.id,
            description="Bench action",
            owner_id=lead.id,
            agency_id=agency.id,
            due_on=date(2026, 3, 5),
            created_by_id=chair.id,
        )
        action.events = [
            ActionEvent(
                kind=ActionEventKind.RAISED.value,
                meeting_id=previous.id,
                actor_id=chair.id,
                occurred_at=PREVIOUS,
            )
        ]
        db.session.add(action)
        if i % 200 == 199:
            db.session.commit()
    db.session.commit()
    return {"chair": chair.id, "meeting": meeting.id}


def timed(function, repeats: int) -> tuple[list[float], object]:
    from mettrack.core.extensions import db

    timings, result = [], None
    for _ in range(repeats):
        db.session.expire_all()
        start = time.perf_counter()
        result = function()
        timings.append((time.perf_counter() - start) * 1000)
    return timings, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--other-cases", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--database-url", help=f"default: {DEFAULT_DATABASE} on 127.0.0.1:5432")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="mettrack-bench-")
    os.environ.setdefault("METTRACK_INSTANCE_DIR", folder)
    url = args.database_url or default_url()

    from mettrack.accounts.models import User
    from mettrack.core.clock import set_now
    from mettrack.core.extensions import db
    from mettrack.meetings import agenda

    app = bench_app(url)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            sys.exit("The agenda bench runs on PostgreSQL: give a postgresql+psycopg:// --database-url")
        rebuild_schema()
        set_now(NOW)
        started = time.perf_counter()
        ids = build(args.items, args.other_cases)
        print(f"{args.items + args.other_cases} cases made in {time.perf_counter() - started:.1f} s")
        chair = db.session.get(User, ids["chair"])

        first, draft = timed(lambda: agenda.build(chair, ids["meeting"], with_cards=False), 1)
        rebuilds, draft = timed(lambda: agenda.build(chair, ids["meeting"], with_cards=False), args.repeats)
        with_cards, _ = timed(lambda: agenda.build(chair, ids["meeting"]), args.repeats)
        reads, _ = timed(lambda: agenda.draft_for(chair, ids["meeting"]), args.repeats)
        print(f"{'what':<48} {'items':>6} {'median ms':>10} {'min ms':>8}")
        for label, timings in (
            ("first build (the page's button)", first),
            ("rebuild, keeping the chair's changes", rebuilds),
            ("rebuild answering every card (the API's POST)", with_cards),
            ("read the draft with every card", reads),
        ):
            print(
                f"{label:<48} {len(draft.items):>6} {statistics.median(timings):>10.1f} {min(timings):>8.1f}"
            )
        goal = statistics.median(rebuilds)
        print(
            f"Goal: a {len(draft.items)}-item agenda built in under 500 ms: "
            f"{'met' if goal < 500 else 'NOT met'} "
            f"(first build {first[0]:.0f} ms, rebuild median {goal:.0f} ms)."
        )


if __name__ == "__main__":
    main()
