"""reviewer grants: a police reviewer's access to intelligence waits for a MET chair

Separation of duties (docs/security.md): a user of a police agency who holds a case role
reviews intelligence only once a MET chair approves an "intelligence_reviewer" role grant
(accounts/role_grants.py); `users.intelligence_review_approved` is set by that approval
and required by core/permissions.is_intelligence_reviewer.

- `users.intelligence_review_approved`: false for everyone, then true for each user who
  reviews intelligence today (a case role in an agency whose sector is police), so that
  nobody loses access by this migration.
- `role_grants.note`: how a grant was decided when no MET chair decided it. For each of
  those users the migration records an approved intelligence_reviewer grant, asked and
  decided by nobody, whose note says it was recorded by this migration. Their approval
  was never given by a second person: a MET chair may review the list
  (`SELECT * FROM role_grants WHERE note LIKE 'Recorded as approved by migration%'`).
  No audit row is written (the migration is not a person); the grant rows are the record.

Revision ID: 0015_reviewer_grants
Revises: 0014_more_phrases
Create Date: 2026-12-04 09:30:00.000000

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

from mettrack.core.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0015_reviewer_grants'
down_revision = '0014_more_phrases'
branch_labels = None
depends_on = None

NOTE = (
    'Recorded as approved by migration 0015_reviewer_grants: this police user with a case '
    'role reviewed intelligence before a MET chair had to approve it.'
)
CASE_ROLES = ('met_chair', 'lead_professional', 'coordinator', 'partner')


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('intelligence_review_approved', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.String(length=300), nullable=True))

    bind = op.get_bind()
    users = sa.table(
        'users', sa.column('id', sa.Integer), sa.column('agency_id', sa.Integer),
        sa.column('intelligence_review_approved', sa.Boolean),
    )
    agencies = sa.table('agencies', sa.column('id', sa.Integer), sa.column('sector', sa.String))
    user_roles = sa.table('user_roles', sa.column('user_id', sa.Integer), sa.column('role', sa.String))
    grants = sa.table(
        'role_grants',
        sa.column('user_id', sa.Integer), sa.column('role', sa.String), sa.column('state', sa.String),
        sa.column('requested_by_id', sa.Integer), sa.column('requested_at', UTCDateTime()),
        sa.column('decided_by_id', sa.Integer), sa.column('decided_at', UTCDateTime()),
        sa.column('note', sa.String),
    )
    reviewers = [
        row.id
        for row in bind.execute(
            sa.select(users.c.id)
            .join(agencies, agencies.c.id == users.c.agency_id)
            .where(
                agencies.c.sector == 'police',
                sa.exists().where(user_roles.c.user_id == users.c.id, user_roles.c.role.in_(CASE_ROLES)),
            )
            .order_by(users.c.id)
        )
    ]
    if not reviewers:
        return
    moment = datetime.now(UTC)
    bind.execute(
        users.update().where(users.c.id.in_(reviewers)).values(intelligence_review_approved=True)
    )
    bind.execute(
        grants.insert(),
        [
            {
                'user_id': user_id, 'role': 'intelligence_reviewer', 'state': 'approved',
                'requested_by_id': None, 'requested_at': moment, 'decided_by_id': None,
                'decided_at': moment, 'note': NOTE,
            }
            for user_id in reviewers
        ],
    )
    print(f'{len(reviewers)} police user(s) with a case role keep reviewing intelligence: '
          'each is recorded as approved by this migration (role_grants.note says so).')


def downgrade():
    op.execute("DELETE FROM role_grants WHERE role = 'intelligence_reviewer'")
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_column('note')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('intelligence_review_approved')
