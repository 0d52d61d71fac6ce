"""specialist services and police tiers: the service catalogue (provider, offer, whom it
takes, capacity), requests with a life (requested, accepted, declined, withdrawn, ended)
and the police tier record with its history

Moves, losing nothing:
- every specialist service on the reference list (active or not, with its label and order)
  into the catalogue, filling in what the defaults know of it (mettrack/specialist_services/
  defaults.py) and adding the defaults that are missing; the provider is the agency of
  that name, where there is one;
- every service assignment into an accepted request (ended where it had ended), keeping its
  service code, worker, dates, note, who recorded it and when; recorded by the coordinator,
  so marked as recorded for the provider;
- every case's current police tier into its first tier record, dated by the move that set
  it where the timeline has one.

Revision ID: 0008_services_and_tiers
Revises: 0007_intelligence
Create Date: 2026-12-04 07:00:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

# Pure data only (no app, no models): later model changes cannot break this migration.
from mettrack.specialist_services.defaults import DEFAULT_SERVICES


revision = '0008_services_and_tiers'
down_revision = '0007_intelligence'
branch_labels = None
depends_on = None

SERVICE_KIND = "specialist_service"
ORDER_STEP = 10


def upgrade():
    op.create_table('specialist_services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('offers', sa.Text(), nullable=True),
    sa.Column('exploitation_types', sa.JSON(), nullable=False),
    sa.Column('min_age', sa.Integer(), nullable=True),
    sa.Column('max_age', sa.Integer(), nullable=True),
    sa.Column('contact', sa.String(length=300), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_specialist_services_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_specialist_services')),
    sa.UniqueConstraint('code', name=op.f('uq_specialist_services_code'))
    )
    with op.batch_alter_table('specialist_services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_specialist_services_agency_id'), ['agency_id'], unique=False)

    op.create_table('service_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('needs', sa.Text(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('answer_due_on', sa.Date(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_for_provider', sa.Boolean(), nullable=False),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('worker', sa.String(length=200), nullable=True),
    sa.Column('worker_user_id', sa.Integer(), nullable=True),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=40), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('withdrawn_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_service_requests_case_id_cases')),
    sa.ForeignKeyConstraint(['service_id'], ['specialist_services.id'], name=op.f('fk_service_requests_service_id_specialist_services')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_service_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_service_requests_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_service_requests_answered_by_id_users')),
    sa.ForeignKeyConstraint(['worker_user_id'], ['users.id'], name=op.f('fk_service_requests_worker_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_requests'))
    )
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_requests_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_service_requests_service_status', ['service_id', 'status'], unique=False)
        batch_op.create_index('ix_service_requests_status_due', ['status', 'answer_due_on'], unique=False)

    op.create_table('police_tier_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('tier_code', sa.String(length=40), nullable=False),
    sa.Column('team_code', sa.String(length=40), nullable=True),
    sa.Column('officer', sa.String(length=200), nullable=True),
    sa.Column('from_date', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_police_tier_records_case_id_cases')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_police_tier_records_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_police_tier_records_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_police_tier_records'))
    )
    with op.batch_alter_table('police_tier_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_police_tier_records_case_id'), ['case_id'], unique=False)

    bind = op.get_bind()
    _move_catalogue(bind)
    _move_assignments(bind)
    _record_tiers(bind)
    bind.execute(sa.text("DELETE FROM reference_items WHERE kind = :kind"), {"kind": SERVICE_KIND})

    with op.batch_alter_table('service_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_assignments_case_id'))
    op.drop_table('service_assignments')


def _services_table():
    return sa.table(
        'specialist_services',
        sa.column('code', sa.String), sa.column('name', sa.String), sa.column('agency_id', sa.Integer),
        sa.column('offers', sa.Text), sa.column('exploitation_types', sa.JSON),
        sa.column('min_age', sa.Integer), sa.column('max_age', sa.Integer),
        sa.column('contact', sa.String), sa.column('capacity', sa.Integer),
        sa.column('active', sa.Boolean), sa.column('sort_order', sa.Integer),
    )


def _move_catalogue(bind) -> None:
    agencies = {name: id_ for id_, name in bind.execute(sa.text("SELECT id, name FROM agencies"))}
    defaults = {row[0]: row for row in DEFAULT_SERVICES}
    rows, seen = [], set()
    existing = bind.execute(
        sa.text("SELECT code, label, active, sort_order FROM reference_items WHERE kind = :kind ORDER BY sort_order, id"),
        {"kind": SERVICE_KIND},
    ).all()
    for code, label, active, sort_order in existing:
        seen.add(code)
        rows.append(_service_row(defaults.get(code), agencies, code=code, name=label, active=bool(active), sort_order=sort_order))
    last = max([r["sort_order"] for r in rows], default=0)
    for code, row in defaults.items():
        if code not in seen:
            last += ORDER_STEP
            rows.append(_service_row(row, agencies, code=code, name=row[1], active=True, sort_order=last))
    if rows:
        op.bulk_insert(_services_table(), rows)


def _service_row(default, agencies, **fixed) -> dict:
    if default is None:
        extra = dict(agency_id=None, offers=None, exploitation_types=[], min_age=None, max_age=None, capacity=None)
    else:
        _code, _name, provider, offers, types, youngest, oldest, capacity = default
        extra = dict(
            agency_id=agencies.get(provider), offers=offers, exploitation_types=list(types),
            min_age=youngest, max_age=oldest, capacity=capacity,
        )
    return {**fixed, **extra, "contact": None}


def _move_assignments(bind) -> None:
    services = dict(bind.execute(sa.text("SELECT code, id FROM specialist_services")).all())
    assignments = bind.execute(sa.text(
        "SELECT id, case_id, service_code, worker, accepted_on, ended_on, note, recorded_by_id, recorded_at "
        "FROM service_assignments ORDER BY id"
    )).all()
    last = bind.execute(sa.text("SELECT COALESCE(MAX(sort_order), 0) FROM specialist_services")).scalar()
    for row in assignments:
        if row.service_code not in services:
            # A code no list holds any more: kept, as an inactive service of that name.
            last += ORDER_STEP
            op.bulk_insert(_services_table(), [_service_row(None, {}, code=row.service_code, name=row.service_code, active=False, sort_order=last)])
            services[row.service_code] = bind.execute(
                sa.text("SELECT id FROM specialist_services WHERE code = :code"), {"code": row.service_code}
            ).scalar()
    requests = sa.table(
        'service_requests',
        *(sa.column(name) for name in (
            'id', 'case_id', 'service_id', 'status', 'urgency', 'requested_by_id', 'requested_at',
            'answered_by_id', 'answered_at', 'recorded_for_provider', 'worker', 'accepted_on',
            'starts_on', 'ended_on', 'note', 'version',
        )),
    )
    rows = [
        {
            # The same ids: an API client that stored a service assignment's id still finds it.
            'id': row.id, 'case_id': row.case_id, 'service_id': services[row.service_code],
            'status': 'ended' if row.ended_on is not None else 'accepted', 'urgency': 'routine',
            'requested_by_id': row.recorded_by_id, 'requested_at': row.recorded_at,
            'answered_by_id': row.recorded_by_id, 'answered_at': row.recorded_at,
            'recorded_for_provider': True, 'worker': row.worker, 'accepted_on': row.accepted_on,
            'starts_on': row.accepted_on, 'ended_on': row.ended_on, 'note': row.note, 'version': 1,
        }
        for row in assignments
    ]
    if rows:
        op.bulk_insert(requests, rows)
        if bind.dialect.name == "postgresql":
            bind.execute(sa.text(
                "SELECT setval(pg_get_serial_sequence('service_requests', 'id'), (SELECT MAX(id) FROM service_requests))"
            ))


def _record_tiers(bind) -> None:
    cases = bind.execute(sa.text(
        "SELECT id, police_tier, police_team FROM cases WHERE police_tier IS NOT NULL ORDER BY id"
    )).all()
    if not cases:
        return
    moves = {}
    for case_id, actor_id, occurred_at in bind.execute(sa.text(
        "SELECT case_id, actor_id, occurred_at FROM case_events WHERE action = 'set_police_tier' ORDER BY occurred_at, id"
    )):
        moves[case_id] = (actor_id, occurred_at)  # the latest move that set the tier
    now = datetime.now(timezone.utc)
    rows = []
    for case_id, tier, team in cases:
        actor_id, occurred_at = moves.get(case_id, (None, None))
        when = _as_datetime(occurred_at) or now
        rows.append({
            'case_id': case_id, 'tier_code': tier, 'team_code': team, 'officer': None,
            'from_date': when.date(), 'source': 'move' if occurred_at else 'migrated',
            'set_by_id': actor_id, 'set_at': when,
        })
    tiers = sa.table(
        'police_tier_records',
        sa.column('case_id'), sa.column('tier_code'), sa.column('team_code'), sa.column('officer'),
        sa.column('from_date', sa.Date), sa.column('source'), sa.column('set_by_id'),
        sa.column('set_at', sa.DateTime(timezone=True)),
    )
    op.bulk_insert(tiers, rows)


def _as_datetime(value):
    # SQLite hands a stored timestamp back as text.
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def downgrade():
    op.create_table('service_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('service_code', sa.String(length=60), nullable=False),
    sa.Column('worker', sa.String(length=200), nullable=True),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_service_assignments_case_id_cases')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_service_assignments_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_assignments'))
    )
    with op.batch_alter_table('service_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_assignments_case_id'), ['case_id'], unique=False)
    bind = op.get_bind()
    # Requests that were never accepted have no place in the older shape.
    bind.execute(sa.text(
        "INSERT INTO service_assignments (id, case_id, service_code, worker, accepted_on, ended_on, note, recorded_by_id, recorded_at) "
        "SELECT r.id, r.case_id, s.code, r.worker, r.accepted_on, r.ended_on, r.note, r.requested_by_id, r.requested_at "
        "FROM service_requests r JOIN specialist_services s ON s.id = r.service_id WHERE r.status IN ('accepted', 'ended')"
    ))
    bind.execute(sa.text(
        "INSERT INTO reference_items (kind, code, label, parent_code, active, sort_order) "
        "SELECT :kind, code, name, NULL, active, sort_order FROM specialist_services"
    ), {"kind": SERVICE_KIND})
    op.drop_table('police_tier_records')
    op.drop_table('service_requests')
    op.drop_table('specialist_services')
