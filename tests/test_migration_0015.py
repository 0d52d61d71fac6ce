"""Migration 0015 (reviewer grants) on a database with users in it: every police user with a
case role keeps reviewing intelligence, recorded as approved by the migration (the grant's
note says so); nobody else is made one. Run on PostgreSQL and on SQLite."""

from datetime import UTC, datetime

import sqlalchemy as sa

from mettrack.accounts.models import User
from mettrack.core.extensions import db
from mettrack.core.permissions import is_intelligence_reviewer
from tests.test_seed_migration import _flask_db, database_url  # noqa: F401 (a fixture)
from tests.workers.support import separate_app

AT = datetime(2026, 2, 3, 9, 30, tzinfo=UTC)


def _exec(sql: str, **params):
    return db.session.execute(sa.text(sql), params)


def _before_0015() -> dict[str, int]:
    """Agencies and users as a partnership had them at 0013, written with SQL."""
    agencies = {}
    for name, sector in (("Demotown Police", "police"), ("Demotown Council", "other")):
        agencies[name] = _exec(
            "INSERT INTO agencies (name, sector, created_at) VALUES (:n, :s, :at) RETURNING id",
            n=name,
            s=sector,
            at=AT,
        ).scalar()
    made = {}
    for key, agency, roles in (
        ("officer", "Demotown Police", ["partner"]),
        ("police_analyst", "Demotown Police", ["analyst"]),
        ("council_partner", "Demotown Council", ["partner"]),
    ):
        made[key] = _exec(
            "INSERT INTO users (email, name, agency_id, password_hash, active, must_change_password, "
            "created_at, notification_choice) VALUES (:e, :n, :a, 'x', true, false, :at, 'email_and_app') "
            "RETURNING id",
            e=f"{key}@example.org",
            n=key,
            a=agencies[agency],
            at=AT,
        ).scalar()
        for role in roles:
            _exec("INSERT INTO user_roles (user_id, role) VALUES (:u, :r)", u=made[key], r=role)
    db.session.commit()
    return made


def test_0015_keeps_police_reviewers_recorded_as_approved_by_the_migration(database_url):  # noqa: F811
    with separate_app(SQLALCHEMY_DATABASE_URI=database_url, CELERY_BROKER_URL="memory://") as app:
        _flask_db(app, "upgrade", "0013_retention")
        with app.app_context():
            made = _before_0015()
            db.session.remove()
        _flask_db(app, "upgrade")
        with app.app_context():
            reviewers = {
                key: is_intelligence_reviewer(db.session.get(User, uid)) for key, uid in made.items()
            }
            assert reviewers == {"officer": True, "police_analyst": False, "council_partner": False}
            grants = _exec(
                "SELECT user_id, role, state, requested_by_id, decided_by_id, note FROM role_grants"
            ).all()
            assert [(g.user_id, g.role, g.state, g.requested_by_id, g.decided_by_id) for g in grants] == [
                (made["officer"], "intelligence_reviewer", "approved", None, None)
            ]
            assert grants[0].note.startswith("Recorded as approved by migration 0015_reviewer_grants")
        _flask_db(app, "downgrade", "0013_retention")
        with app.app_context():
            assert _exec("SELECT count(*) FROM role_grants").scalar() == 0
