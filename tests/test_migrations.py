"""One linear migration history that builds exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate

from mettrack.core.extensions import db


def _script(app) -> ScriptDirectory:
    migrate: Migrate = app.extensions["migrate"]
    return ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))


def test_the_history_has_a_single_head(app):
    with app.app_context():
        assert len(_script(app).get_heads()) == 1


def test_models_and_migrations_agree(app_ctx, postgres):
    """The test database was built by `flask db upgrade` (tests/conftest.py), so any
    difference here is a model change without its migration, or the reverse."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_the_database_is_at_the_head(app_ctx):
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    assert set(current) == set(_script(app_ctx).get_heads())
