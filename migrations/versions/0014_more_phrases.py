"""more phrases: five entries of the language list, and a practitioner's "why"

The starting language list (mettrack/language/data/phrases.csv) gains five phrases from
the published guidance on appropriate language: plugging, drug runner, sex worker,
risk-taking behaviour and absconded. An installation made before them gets them here;
a new one already has them from 0003_default_reference_data, which seeds the list as it
is now.

Each is added only while its phrase (ignoring letter case, spacing and hyphens) is not in
the list, so an admin's own entry for it, changed or deactivated, is neither duplicated
nor overwritten. The "why" of "putting themselves at risk" carried the matcher's note
("match every form: ...") and showed it to practitioners: it is replaced by the
practitioner's words only where it still reads exactly as seeded.

Revision ID: 0014_more_phrases
Revises: 0013_retention
Create Date: 2026-12-04 11:40:00.000000

"""
from alembic import context, op
import sqlalchemy as sa

# A pure rule only: the rows themselves are written here, as they were on the day, so that
# a later edit of phrases.csv never changes what this migration does.
from mettrack.language.rules import phrase_key


# revision identifiers, used by Alembic.
revision = '0014_more_phrases'
down_revision = '0013_retention'
branch_labels = None
depends_on = None

NEW_ROWS = (
    {'phrase': 'plugging', 'suggestion': 'forced or coerced to carry drugs inside their body',
     'why': 'describes abuse as a task the child does', 'active': True},
    {'phrase': 'drug runner', 'suggestion': 'a child criminally exploited to move drugs',
     'why': 'names the child as an offender, not a victim of criminal exploitation', 'active': True},
    {'phrase': 'sex worker', 'suggestion': 'child who is being sexually exploited',
     'why': 'a child cannot sell or consent to sex: this is abuse', 'active': True},
    {'phrase': 'risk-taking behaviour',
     'suggestion': 'the child is being exploited or is vulnerable to exploitation',
     'why': "places the cause of harm on the child's behaviour", 'active': True},
    {'phrase': 'absconded', 'suggestion': 'went missing',
     'why': 'criminalising word for a child missing from care', 'active': True},
)
# phrase -> (the "why" as 0003 seeded it, the practitioner's words that replace it)
SEEDED_WHY = {
    "putting themselves at risk": (
        "places responsibility on the child, not on the adults who exploit them "
        "(match every form: put/puts/putting, himself/herself/themselves)",
        "places responsibility on the child, not on the adults who exploit them",
    ),
}

language_phrases = sa.table(
    'language_phrases',
    sa.column('id', sa.Integer()),
    sa.column('phrase', sa.String(200)),
    sa.column('suggestion', sa.String(300)),
    sa.column('why', sa.Text()),
    sa.column('active', sa.Boolean()),
)
COLUMNS = ('phrase', 'suggestion', 'why', 'active')


def upgrade():
    # `db upgrade --sql` writes for an empty database, which 0003 seeded with today's list,
    # these five included: nothing to add.
    if not context.is_offline_mode():
        existing = {phrase_key(row.phrase) for row in op.get_bind().execute(sa.select(language_phrases.c.phrase))}
        missing = [row for row in NEW_ROWS if phrase_key(row['phrase']) not in existing]
        if missing:
            op.bulk_insert(language_phrases, [{name: row[name] for name in COLUMNS} for row in missing])

    for phrase, (old_why, new_why) in SEEDED_WHY.items():
        op.execute(
            language_phrases.update()
            .where(language_phrases.c.phrase == phrase, language_phrases.c.why == old_why)
            .values(why=new_why)
        )


def downgrade():
    # Nothing is removed or restored: by now admins may have changed these entries and
    # notes record what was flagged; the rows are valid data under 0013 as well.
    pass
