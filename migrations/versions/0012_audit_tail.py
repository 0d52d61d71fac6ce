"""audit tail: keyed row hashes, a checkpoint at the switch, and an append-only audit table

Issue 15, finding 3 (docs/security.md, "A tamper-evident audit tail").

- `audit_events.hash_version`: every row already in the table gets 1, its hash stays the
  unkeyed SHA-256 it was written with and still verifies. Every row the app writes from
  now on is 2, an HMAC-SHA256 with AUDIT_HMAC_KEY (a key the database does not hold).
- When the table already holds rows, a signed checkpoint is written (to
  AUDIT_CHECKPOINT_PATH and/or AUDIT_CHECKPOINT_SYSLOG, as the beat task does) naming the
  row count, the last row's hash and the first row to be keyed, so that `audit verify`
  refuses unkeyed rows after the switch: the older rows cannot be silently extended
  or rewritten with unkeyed hashes. If it cannot be written, the line is printed so it can
  be kept by hand; the next beat checkpoint names the switch in any case.
- PostgreSQL: a trigger refuses UPDATE and DELETE of any row, and TRUNCATE of the table,
  whoever asks (the table's owner can still drop the trigger: the deployment guide keeps
  ownership with a migration role the app does not use). SQLite has no such trigger: it is
  for development and tests only, and the chain and checkpoints still detect tampering.

Revision ID: 0012_audit_tail
Revises: 0011_two_factor
Create Date: 2026-12-04 08:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
from flask import current_app


# revision identifiers, used by Alembic.
revision = '0012_audit_tail'
down_revision = '0011_two_factor'
branch_labels = None
depends_on = None


APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hash_version', sa.SmallInteger(), server_default='1', nullable=False))

    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
        )
    _checkpoint_the_switch(bind)


def _checkpoint_the_switch(bind) -> None:
    from mettrack.core import audit, audit_checkpoint
    from mettrack.core.clock import now

    # The chain's figures read here, not by audit.take_checkpoint, which reads the columns
    # of later migrations (0018's chains): the table as it is at this revision. Every row
    # is unkeyed, and they are the one chain of the time, chain 0.
    tail = bind.execute(sa.text('SELECT seq, row_hash FROM audit_events ORDER BY seq DESC LIMIT 1')).first()
    if not tail:
        return  # nothing older to mark: every row will be keyed from the first
    checkpoint = audit_checkpoint.make({0: (tail.seq, tail.row_hash)}, tail.seq + 1, now())
    line = checkpoint.line(audit.hmac_key(current_app.config))
    try:
        for target in audit_checkpoint.write(current_app.config, line):
            print(f'Audit checkpoint at the switch to keyed hashes written to {target}.')
    except (OSError, ValueError) as e:
        print(
            f'Could not write the audit checkpoint ({e}). Keep this line with your checkpoints:\n{line}'
        )


def downgrade():
    # The rows written since are hashed with the key; the older code, which knows only
    # the unkeyed hash, would report the first of them as changed. Verify before a
    # downgrade, and keep that result with the checkpoints.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events')
        op.execute('DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events')
        op.execute('DROP FUNCTION IF EXISTS audit_events_append_only()')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('hash_version')
