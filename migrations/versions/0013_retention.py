"""retention: legal holds on cases and the review list of records due for review

Retention and subject access (docs/retention.md): a case on legal hold is never offered
for deletion; the weekly scan writes the records due for review (ids, dates and the rule
applied, no personal data). No existing row changes.

Revision ID: 0013_retention
Revises: 0012_audit_tail
Create Date: 2026-12-04 08:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_retention'
down_revision = '0012_audit_tail'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'legal_holds',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('set_by_id', sa.Integer(), nullable=True),
        sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_legal_holds_case_id_cases')),
        sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_legal_holds_set_by_id_users')),
        sa.PrimaryKeyConstraint('case_id', name=op.f('pk_legal_holds')),
    )
    op.create_table(
        'retention_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_type', sa.String(length=40), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('review_on', sa.Date(), nullable=False),
        sa.Column('rule', sa.String(length=60), nullable=False),
        sa.Column('listed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_reviews')),
        sa.UniqueConstraint('record_type', 'record_id', name='uq_retention_reviews_record'),
    )


def downgrade():
    op.drop_table('retention_reviews')
    op.drop_table('legal_holds')
