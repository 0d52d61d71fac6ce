"""audit chains: the audit log becomes several hash chains, appended side by side

docs/performance.md, "The audit chain's throughput". Every audited commit used to queue on
one advisory lock held until the commit reached the disk; now each takes the first free of
AUDIT_CHAINS chains (core/audit.py).

- `audit_events.chain` (SMALLINT, default 0) and `audit_events.position` (BIGINT, NULL):
  the row's chain and its place in it. The rows already in the table keep their hashes
  (versions 1 and 2) and are chain 0, their position their seq: they are not rewritten
  (no UPDATE, which the append-only trigger refuses anyway, and none over millions of
  rows). PostgreSQL adds a column with a constant default without rewriting the table.
- A unique index on (chain, position) over the rows that have a position: the tail read
  of each append, the walk of `audit verify`, and no fork. Building it reads the table
  once (a few seconds at 3 million rows) and holds a lock on it meanwhile: run the upgrade
  with the app stopped, as every upgrade.
- PostgreSQL: a CHECK that a row's chain is not negative, its position (when it has one)
  and its seq at least 1: `audit verify` walks chains 0, 1, ... from position 1, and a row
  placed below that would be shown in the audit log without being walked. (`audit verify`
  also counts the table and reports any row its walks did not reach, on every database.)
- PostgreSQL: a sequence `audit_events_seq_seq`, owned by `seq`, starting after the last
  row: seq stays the order the audit log shows, without a lock common to every chain.
  The app's role needs USAGE on it (docs/deployment.md grants it on every sequence).

Revision ID: 0018_audit_chains
Revises: 0017_performance
Create Date: 2026-12-04 17:30:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0018_audit_chains"
down_revision = "0017_performance"
branch_labels = None
depends_on = None

SEQUENCE = "audit_events_seq_seq"
POSITIONED = "position IS NOT NULL"
IN_A_CHAIN = "ck_audit_events_in_a_chain"


def upgrade():
    op.add_column("audit_events", sa.Column("chain", sa.SmallInteger(), server_default="0", nullable=False))
    op.add_column("audit_events", sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite")))
    op.create_index(
        "ux_audit_events_chain_position",
        "audit_events",
        ["chain", "position"],
        unique=True,
        postgresql_where=sa.text(POSITIONED),
        sqlite_where=sa.text(POSITIONED),
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            f"ALTER TABLE audit_events ADD CONSTRAINT {IN_A_CHAIN} "
            "CHECK (chain >= 0 AND (position IS NULL OR position >= 1) AND seq >= 1)"
        )
        op.execute(f"CREATE SEQUENCE {SEQUENCE} OWNED BY audit_events.seq")
        op.execute(
            f"SELECT setval('{SEQUENCE}', COALESCE((SELECT max(seq) FROM audit_events), 0) + 1, false)"
        )


def downgrade():
    # The rows written since carry hash version 3 and are verified by their chain and
    # position: dropping those columns would leave them unverifiable for good, even after
    # upgrading again. Refused while there is one.
    chained = op.get_bind().execute(sa.text(f"SELECT 1 FROM audit_events WHERE {POSITIONED} LIMIT 1")).first()
    if chained:
        raise RuntimeError(
            "audit_events holds rows written in the audit chains (migration 0018): downgrading would "
            "drop their chain and position and leave them unverifiable. Restore a backup taken "
            "before the upgrade instead."
        )
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE audit_events DROP CONSTRAINT IF EXISTS {IN_A_CHAIN}")
        op.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")
    op.drop_index("ux_audit_events_chain_position", table_name="audit_events")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("position")
        batch_op.drop_column("chain")
