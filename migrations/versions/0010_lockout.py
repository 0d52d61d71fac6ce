"""sign-in lockout: failed sign-ins per e-mail address as typed, and the lock they lead to

Brute force (docs/security.md, "Sign-in limits and lockout"): after LOGIN_LOCKOUT_FAILURES
failed sign-ins for one address within LOGIN_LOCKOUT_MINUTES, sign-in with that address is
refused for LOGIN_LOCKOUT_MINUTES, on every web node at once and whether or not Redis is up.
Rows are keyed by a keyed hash of the address (no personal data). A new table only: no
existing row changes.

Revision ID: 0010_lockout
Revises: 0009_role_grants
Create Date: 2026-12-04 08:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_lockout'
down_revision = '0009_role_grants'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_in_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_key', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('first_failed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failures')),
        sa.UniqueConstraint('account_key', name=op.f('uq_sign_in_failures_account_key')),
    )


def downgrade():
    op.drop_table('sign_in_failures')
