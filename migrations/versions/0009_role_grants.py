"""role grants: a role an administrator gives that waits for a second person (a MET chair)

Separation of duties (docs/security.md): the MET chair role opens every child's record, so
an administrator's grant of it is kept here, pending, until an active MET chair approves or
refuses it. No existing row changes.

Revision ID: 0009_role_grants
Revises: 0008_services_and_tiers
Create Date: 2026-12-04 07:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_role_grants'
down_revision = '0008_services_and_tiers'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'role_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=32), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_role_grants_user_id_users')),
        sa.ForeignKeyConstraint(
            ['requested_by_id'], ['users.id'], name=op.f('fk_role_grants_requested_by_id_users')
        ),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_role_grants_decided_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_role_grants')),
    )
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_grants_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_role_grants_state', ['state'], unique=False)


def downgrade():
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_index('ix_role_grants_state')
        batch_op.drop_index(batch_op.f('ix_role_grants_user_id'))
    op.drop_table('role_grants')
