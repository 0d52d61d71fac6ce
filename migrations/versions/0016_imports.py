"""imports: an uploaded exploitation list waiting to be checked or imported

`import_jobs` keeps the uploaded file server-side (a worker task is given the row's id,
never the file), how far its check or import has gone, and the dry run's report
(docs/imports.md). The file is emptied once imported.

Revision ID: 0016_imports
Revises: 0015_reviewer_grants
Create Date: 2026-12-04 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_imports'
down_revision = '0015_reviewer_grants'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('file_kind', sa.String(length=8), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('rows_total', sa.Integer(), nullable=False),
        sa.Column('rows_done', sa.Integer(), nullable=False),
        sa.Column('error_count', sa.Integer(), nullable=False),
        sa.Column('cases_created', sa.Integer(), nullable=False),
        sa.Column('report', sa.Text(), nullable=True),
        sa.Column('failure', sa.String(length=500), nullable=True),
        sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_jobs_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_jobs')),
    )
    op.create_index(op.f('ix_import_jobs_created_by_id'), 'import_jobs', ['created_by_id'], unique=False)
    op.create_index(op.f('ix_import_jobs_status'), 'import_jobs', ['status'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_import_jobs_status'), table_name='import_jobs')
    op.drop_index(op.f('ix_import_jobs_created_by_id'), table_name='import_jobs')
    op.drop_table('import_jobs')
