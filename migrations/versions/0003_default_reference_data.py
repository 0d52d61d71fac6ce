"""default reference data: reference lists, risk indicators, language list

A production install is `flask db upgrade` then `flask users create`: without this the
language check on case notes checked nothing and the pick lists (police tier, holding
team, services, exit reasons) were empty until someone ran the demo loader.

Adds each default row whose natural key is missing (reference item: kind and code; risk
indicator: code; phrase: the phrase ignoring letter case and spacing), so running it on
a database that already holds the defaults, or an admin's changes to them, adds only
what is missing and overwrites nothing.

Revision ID: 0003_default_reference_data
Revises: 0002_case_lifecycle
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import context, op
import sqlalchemy as sa

# Pure data modules only (no app, no session, no models): the tables are described below
# as they stand at this revision, so later model changes cannot break this migration.
from mettrack.reference import defaults as reference_defaults
from mettrack.language.rules import phrase_key


# revision identifiers, used by Alembic.
revision = '0003_default_reference_data'
down_revision = '0002_case_lifecycle'
branch_labels = None
depends_on = None


reference_items = sa.table(
    'reference_items',
    sa.column('kind', sa.String(32)),
    sa.column('code', sa.String(60)),
    sa.column('label', sa.String(200)),
    sa.column('parent_code', sa.String(60)),
    sa.column('active', sa.Boolean()),
    sa.column('sort_order', sa.Integer()),
)
risk_indicators = sa.table(
    'risk_indicators',
    sa.column('code', sa.String(60)),
    sa.column('group', sa.String(32)),
    sa.column('label', sa.String(200)),
    sa.column('active', sa.Boolean()),
    sa.column('sort_order', sa.Integer()),
)
language_phrases = sa.table(
    'language_phrases',
    sa.column('phrase', sa.String(200)),
    sa.column('suggestion', sa.String(300)),
    sa.column('why', sa.Text()),
    sa.column('active', sa.Boolean()),
)


def _insert_missing(table, rows, key, existing_keys):
    missing = reference_defaults.missing_rows(rows, key, existing_keys)
    if missing:
        # Only this revision's columns: a default row may gain keys for later columns.
        op.bulk_insert(table, [{c.name: row[c.name] for c in table.columns} for row in missing])


def _existing(query, key=lambda value: value):
    # `db upgrade --sql` writes the SQL for a new, empty database: nothing to read there.
    if context.is_offline_mode():
        return set()
    return {key(value) for value in op.get_bind().execute(query)}


def upgrade():
    _insert_missing(
        reference_items,
        reference_defaults.reference_item_rows(),
        reference_defaults.reference_item_key,
        _existing(sa.select(reference_items.c.kind, reference_items.c.code), tuple),
    )
    _insert_missing(
        risk_indicators,
        reference_defaults.risk_indicator_rows(),
        reference_defaults.risk_indicator_key,
        _existing(sa.select(risk_indicators.c.code), lambda row: row.code),
    )
    _insert_missing(
        language_phrases,
        reference_defaults.language_phrase_rows(),
        reference_defaults.language_phrase_key,
        _existing(sa.select(language_phrases.c.phrase), lambda row: phrase_key(row.phrase)),
    )


def downgrade():
    # Nothing is removed: by now admins may have renamed, reordered or deactivated these
    # rows and cases refer to their codes, so deleting "the defaults" would delete their
    # work. The rows are valid data under revision 0002 as well.
    pass
