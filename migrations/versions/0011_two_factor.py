"""two-factor sign-in: each user's encrypted authenticator secret and hashed recovery codes

No existing row changes: every user starts without two-factor sign-in (enrolled at next
sign-in when TWO_FACTOR_REQUIRED is on).

Revision ID: 0011_two_factor
Revises: 0010_lockout
Create Date: 2026-12-04 08:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_two_factor'
down_revision = '0010_lockout'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'two_factor_credentials',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret_encrypted', sa.Text(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_used_step', sa.BigInteger(), nullable=True),
        sa.Column('must_enrol', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_two_factor_credentials_user_id_users')
        ),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_two_factor_credentials')),
    )
    op.create_table(
        'two_factor_recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('salt', sa.String(length=64), nullable=False),
        sa.Column('code_hash', sa.String(length=128), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_two_factor_recovery_codes_user_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_two_factor_recovery_codes')),
    )
    with op.batch_alter_table('two_factor_recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_two_factor_recovery_codes_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('two_factor_recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_two_factor_recovery_codes_user_id'))
    op.drop_table('two_factor_recovery_codes')
    op.drop_table('two_factor_credentials')
