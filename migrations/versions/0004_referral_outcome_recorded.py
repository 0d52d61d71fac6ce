"""referral outcome: who recorded the outcome of the referral to Children's Services, and when

The outcome of a referral usually comes back from the MASH days after the referral, so it
is recorded on its own (cases/referral.py), not only at the moment of referring.

Revision ID: 0004_referral_outcome_recorded
Revises: 0003_default_reference_data
Create Date: 2026-11-25 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_referral_outcome_recorded'
down_revision = '0003_default_reference_data'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referral_outcome_recorded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('referral_outcome_recorded_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_cases_referral_outcome_recorded_by_id_users'),
            'users',
            ['referral_outcome_recorded_by_id'],
            ['id'],
        )


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_referral_outcome_recorded_by_id_users'), type_='foreignkey')
        batch_op.drop_column('referral_outcome_recorded_by_id')
        batch_op.drop_column('referral_outcome_recorded_at')
