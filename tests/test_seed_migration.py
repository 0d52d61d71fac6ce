"""A production install (`flask db upgrade`, then `flask users create`) starts with the
default reference data: the pick lists, the risk indicators and the language list.

Each test builds a database of its own with the real `db upgrade` command: the session's
test database is emptied after its upgrade (tests/conftest.py), so it cannot show this.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

from mettrack.core.choices import ReferenceKind
from mettrack.core.extensions import db
from mettrack.language import phrases as language_phrases
from mettrack.language.models import LanguagePhrase
from mettrack.language.rules import load_seed_phrases
from mettrack.reference import data as reference_data
from mettrack.reference import defaults as reference_defaults
from mettrack.reference.models import ReferenceItem
from mettrack.risk import catalogue as risk_catalogue
from mettrack.risk.models import RiskIndicator
from mettrack.risk.rules import DEFAULT_INDICATORS
from mettrack.specialist_services import seed_services, service_options
from mettrack.specialist_services.defaults import DEFAULT_SERVICES
from tests.conftest import DATABASE_URL
from tests.workers.support import separate_app


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    test_url = make_url(request.getfixturevalue("postgres"))
    # Ends in this process's id, like the session's database, so a killed run's
    # left-over is recognisable as such.
    name = f"mettrack_test_seed_{os.getpid()}"
    admin = sa.create_engine(test_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield test_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _flask_db(app: Flask, *args: str) -> None:
    result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, result.output
    assert result.exception is None, repr(result.exception)


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory) -> Iterator[dict]:
    """Databases brought to a revision by `flask db upgrade` once per test process, copied
    for each test that starts from that revision (`upgraded`): the upgrade from nothing
    was most of these tests' time. Dropped at the end of the session."""
    made: dict[tuple[str, str], str] = {}
    made["dir"] = str(tmp_path_factory.mktemp("migrated"))
    yield made
    names = [name for (backend, _revision), name in _templates(made) if backend == "postgresql"]
    if names:
        admin = sa.create_engine(made["admin"], isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in names:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _templates(made: dict) -> list:
    return [(key, name) for key, name in made.items() if isinstance(key, tuple)]


def upgraded(database_url: str, revision: str, templates: dict) -> None:
    """The new, empty database at `database_url` as `flask db upgrade <revision>` leaves it:
    a copy of a database that this process upgraded so (the same command, run once)."""
    url = make_url(database_url)
    key = (url.get_backend_name(), revision)
    if key not in templates:
        _make_template(url, key, templates)
    if key[0] == "sqlite":
        shutil.copyfile(templates[key], url.database)
        return
    admin = sa.create_engine(templates["admin"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{url.database}" TEMPLATE "{templates[key]}"'))
    admin.dispose()


def _make_template(url, key: tuple[str, str], templates: dict) -> None:
    n = len(_templates(templates)) + 1
    if key[0] == "sqlite":
        name = str(Path(templates["dir"]) / f"template-{n}.sqlite")
        template_url = f"sqlite:///{name}"
    else:
        # Ends in this process's id, like the session's database: a killed run's left-over
        # is dropped by the next run.
        name = f"mettrack_test_template{n}_{os.getpid()}"
        templates["admin"] = DATABASE_URL  # the session's database: never the one dropped
        admin = sa.create_engine(DATABASE_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        template_url = url.set(database=name).render_as_string(hide_password=False)
    templates[key] = name  # dropped at the end of the session, even if the upgrade fails
    # Every connection to it closed on the way out: PostgreSQL copies a template no one is on.
    with separate_app(SQLALCHEMY_DATABASE_URI=template_url, CELERY_BROKER_URL="memory://") as app:
        _flask_db(app, "upgrade", key[1])


@pytest.fixture
def installed(database_url, migrated_templates) -> Iterator[Flask]:
    """The app on a new database after the documented production step `flask db upgrade`."""
    upgraded(database_url, "head", migrated_templates)
    with (
        separate_app(SQLALCHEMY_DATABASE_URI=database_url, CELERY_BROKER_URL="memory://") as app,
        app.app_context(),
    ):
        yield app
        db.session.rollback()


def _reference_items() -> set[tuple[str, str, str, str | None, bool]]:
    return set(
        db.session.execute(
            sa.select(
                ReferenceItem.kind,
                ReferenceItem.code,
                ReferenceItem.label,
                ReferenceItem.parent_code,
                ReferenceItem.active,
            )
        ).tuples()
    )


def _indicator_codes() -> list[str]:
    return list(db.session.scalars(sa.select(RiskIndicator.code).order_by(RiskIndicator.sort_order)))


def _phrases() -> set[str]:
    return set(db.session.scalars(sa.select(LanguagePhrase.phrase).where(LanguagePhrase.active)))


def test_a_new_database_holds_the_default_reference_lists(installed):
    assert _reference_items() == {
        (kind.value, code, label, parent, True)
        for kind, code, label, parent in reference_defaults.DEFAULT_REFERENCE_ITEMS
    }
    assert [i.code for i in reference_data.list_active(ReferenceKind.POLICE_TIER)] == ["high", "medium"]
    assert [i.code for i in reference_data.list_active(ReferenceKind.POLICE_TEAM, parent_code="high")] == [
        "hants_met_team",
        "high_harm_team",
    ]
    services = {name for _code, name in service_options()}
    assert {"Barnardo's ICTG", "PARCS", "Drug and Alcohol Support Service (DASS)"} <= services
    assert [code for code, _name in service_options()] == [row[0] for row in DEFAULT_SERVICES]
    assert reference_data.active_item(ReferenceKind.EXIT_REASON, reference_data.NO_FURTHER_ACTION)


def test_a_new_database_holds_the_risk_indicators_and_the_language_list(installed):
    assert _indicator_codes() == [i.code for i in DEFAULT_INDICATORS]
    assert [(i.code, i.group) for i in risk_catalogue.list_active()] == [
        (i.code, i.group.value) for i in DEFAULT_INDICATORS
    ]
    assert _phrases() == {entry.phrase for entry in load_seed_phrases()}
    assert len(_phrases()) == len(load_seed_phrases())


def test_a_new_install_flags_victim_blaming_language_in_a_note(installed):
    findings = language_phrases.check_text("Reports say he keeps putting himself at risk at night.")
    assert [(f.text, f.phrase) for f in findings] == [
        ("putting himself at risk", "putting themselves at risk")
    ]
    assert findings[0].suggestion


def test_seeding_after_the_upgrade_adds_nothing(installed):
    assert reference_data.seed_defaults() == 0
    assert risk_catalogue.seed_defaults() == 0
    assert language_phrases.seed_defaults() == 0
    assert seed_services() == 0
    assert reference_data.missing_defaults() == 0
    assert language_phrases.missing_defaults() == 0


def test_running_the_seed_migration_again_keeps_an_admins_changes_and_adds_no_duplicates(installed):
    phrase = db.session.scalar(
        sa.select(LanguagePhrase).where(LanguagePhrase.phrase == "putting themselves at risk")
    )
    phrase.phrase, phrase.active = "Putting  THEMSELVES at risk", False
    tier = db.session.scalar(sa.select(ReferenceItem).where(ReferenceItem.code == "medium"))
    tier.label = "Medium: Local Policing"
    indicator = db.session.scalar(sa.select(RiskIndicator).where(RiskIndicator.code == "self_harm"))
    indicator.active = False
    before = (len(_reference_items()), len(_indicator_codes()), len(_phrases()))
    db.session.commit()

    # The downgrade removes nothing, so this runs the seed on a database holding the defaults.
    _flask_db(installed, "downgrade", "0002_case_lifecycle")
    _flask_db(installed, "upgrade")

    db.session.expire_all()
    assert (len(_reference_items()), len(_indicator_codes()), len(_phrases())) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LanguagePhrase)) == len(
        load_seed_phrases()
    )
    assert not language_phrases.check_text("putting themselves at risk")
    assert reference_data.label_for(ReferenceKind.POLICE_TIER, "medium") == "Medium: Local Policing"
    assert "self_harm" not in {i.code for i in risk_catalogue.list_active()}
