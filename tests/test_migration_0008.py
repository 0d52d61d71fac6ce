"""Migration 0008 (services and tiers) on a database with rows in it: the reference-list
services move to the catalogue (an admin's renamed label and a deactivated service kept),
every service assignment becomes an accepted request with the same id and nothing lost
(the ended one ended, a code no list holds kept as an inactive service), and a tiered
case's tier becomes its first tier record, dated by the move that set it. Run on
PostgreSQL and on SQLite, each a database of its own."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import sqlalchemy as sa

from mettrack.core.extensions import db
from tests.test_seed_migration import _flask_db, database_url  # noqa: F401 (a fixture)
from tests.workers.support import separate_app

MOVED_AT = datetime(2026, 2, 3, 9, 30, tzinfo=UTC)


def _rows(sql: str, **params) -> list:
    return db.session.execute(sa.text(sql), params).all()


def _before_0008() -> dict:
    """Rows as a partnership had them at 0007, written with SQL (the models are at head)."""
    exec_ = db.session.execute
    agency = exec_(
        sa.text("INSERT INTO agencies (name, created_at) VALUES ('Barnardo''s', :now) RETURNING id"),
        {"now": MOVED_AT},
    ).scalar()
    chair_id = exec_(
        sa.text(
            "INSERT INTO users (email, name, agency_id, password_hash, active, must_change_password, "
            "created_at, notification_choice) VALUES ('chair@example.org', 'A Chair', :agency, 'x', "
            "true, false, :now, 'email_and_app') RETURNING id"
        ),
        {"agency": agency, "now": MOVED_AT},
    ).scalar()
    exec_(sa.text("INSERT INTO user_roles (user_id, role) VALUES (:u, 'met_chair')"), {"u": chair_id})
    chair = SimpleNamespace(id=chair_id)
    exec_(sa.text("DELETE FROM reference_items WHERE kind = 'specialist_service'"))
    for code, label, active, order in (
        ("parcs", "PARCS (CSE specialists)", True, 20),
        ("barnardos_ictg", "Barnardo's ICTG", True, 10),
        ("retired_service", "A service no longer offered", False, 30),
    ):
        exec_(
            sa.text(
                "INSERT INTO reference_items (kind, code, label, parent_code, active, sort_order) "
                "VALUES ('specialist_service', :code, :label, NULL, :active, :order)"
            ),
            {"code": code, "label": label, "active": active, "order": order},
        )
    child = exec_(
        sa.text(
            "INSERT INTO children (first_name, last_name, looked_after, created_at, updated_at, version) "
            "VALUES ('Testa', 'Migrationchild', false, :now, :now, 1) RETURNING id"
        ),
        {"now": MOVED_AT},
    ).scalar()
    case = exec_(
        sa.text(
            "INSERT INTO cases (child_id, state, opened_at, updated_at, version, police_tier, police_team) "
            "VALUES (:child, 'service_assigned', :now, :now, 3, 'high', 'hants_met_team') RETURNING id"
        ),
        {"child": child, "now": MOVED_AT},
    ).scalar()
    exec_(
        sa.text(
            "INSERT INTO case_events (case_id, occurred_at, actor_id, action, from_state, to_state, reason) "
            "VALUES (:case, :at, :actor, 'set_police_tier', 'met_review', 'police_tiered', 'Tier high')"
        ),
        {"case": case, "at": MOVED_AT, "actor": chair.id},
    )
    assignments = [
        (41, "parcs", "A. Worker", date(2026, 2, 10), None, None),
        (42, "barnardos_ictg", None, date(2026, 1, 5), date(2026, 2, 1), "Work finished well."),
        (43, "gone_code", "B. Worker", date(2026, 2, 12), None, None),
    ]
    for id_, code, worker, accepted, ended, note in assignments:
        exec_(
            sa.text(
                "INSERT INTO service_assignments (id, case_id, service_code, worker, accepted_on, ended_on, "
                "note, recorded_by_id, recorded_at) "
                "VALUES (:id, :case, :code, :worker, :accepted, :ended, :note, :by, :at)"
            ),
            dict(
                id=id_,
                case=case,
                code=code,
                worker=worker,
                accepted=accepted,
                ended=ended,
                note=note,
                by=chair.id,
                at=MOVED_AT,
            ),
        )
    db.session.commit()
    return {"case": case, "chair": chair.id}


def test_0008_moves_services_assignments_and_tiers_losing_nothing(database_url):  # noqa: F811
    with separate_app(SQLALCHEMY_DATABASE_URI=database_url, CELERY_BROKER_URL="memory://") as app:
        _flask_db(app, "upgrade", "0007_intelligence")
        with app.app_context():
            made = _before_0008()
            db.session.remove()
        _flask_db(app, "upgrade")
        with app.app_context():
            services = {
                code: (name, active)
                for code, name, active in _rows("SELECT code, name, active FROM specialist_services")
            }
            assert services["parcs"][0] == "PARCS (CSE specialists)" and bool(services["parcs"][1])
            assert (
                services["retired_service"][0] == "A service no longer offered"
                and not services["retired_service"][1]
            )
            assert services["gone_code"][0] == "gone_code" and not services["gone_code"][1]  # kept
            assert bool(services["dass"][1])  # a default that was missing, added
            assert _rows("SELECT id FROM reference_items WHERE kind = 'specialist_service'") == []

            requests = {
                row.id: row
                for row in _rows(
                    "SELECT r.id, r.case_id, s.code, r.status, r.worker, r.accepted_on, r.ended_on, r.note, "
                    "r.requested_by_id, r.recorded_for_provider FROM service_requests r "
                    "JOIN specialist_services s ON s.id = r.service_id"
                )
            }
            assert sorted(requests) == [41, 42, 43]  # the same ids
            current, ended, unknown = requests[41], requests[42], requests[43]
            assert (current.code, current.status, current.worker) == ("parcs", "accepted", "A. Worker")
            assert str(current.accepted_on) == "2026-02-10" and current.ended_on is None
            assert (ended.status, str(ended.ended_on), ended.note) == (
                "ended",
                "2026-02-01",
                "Work finished well.",
            )
            assert (unknown.code, unknown.status) == ("gone_code", "accepted")
            assert all(
                r.case_id == made["case"] and r.requested_by_id == made["chair"] for r in requests.values()
            )
            assert all(r.recorded_for_provider for r in requests.values())

            [tier] = _rows(
                "SELECT case_id, tier_code, team_code, from_date, source, set_by_id FROM police_tier_records"
            )
            assert (tier.case_id, tier.tier_code, tier.team_code, tier.source, tier.set_by_id) == (
                made["case"],
                "high",
                "hants_met_team",
                "move",
                made["chair"],
            )
            assert str(tier.from_date) == "2026-02-03"

            # A new request after the move takes an id after the migrated ones.
            new_id = db.session.execute(
                sa.text(
                    "INSERT INTO service_requests (case_id, service_id, status, urgency, requested_by_id, "
                    "requested_at, recorded_for_provider, version) "
                    "SELECT :case, id, 'requested', 'routine', :by, :at, false, 1 FROM specialist_services "
                    "WHERE code = 'dass' RETURNING id"
                ),
                {"case": made["case"], "by": made["chair"], "at": MOVED_AT},
            ).scalar()
            assert new_id > 43
            db.session.rollback()
