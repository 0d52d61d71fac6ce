"""0014_more_phrases: an installation made before the five phrases added to the starting
list (plugging, drug runner, sex worker, risk-taking behaviour, absconded) gets each of
them once, keeps an admin's own entry as the admin left it, and stops showing the
matcher's note as the "why" of "putting themselves at risk" (PostgreSQL and SQLite)."""

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from mettrack.core.extensions import db
from mettrack.language import phrases as language_phrases
from mettrack.language.models import LanguagePhrase
from mettrack.language.rules import load_seed_phrases
from tests.test_seed_migration import (  # noqa: F401 (fixtures)
    _flask_db,
    database_url,
    migrated_templates,
    upgraded,
)
from tests.workers.support import separate_app

FIVE = ["plugging", "drug runner", "sex worker", "risk-taking behaviour", "absconded"]
OLD_WHY = (
    "places responsibility on the child, not on the adults who exploit them "
    "(match every form: put/puts/putting, himself/herself/themselves)"
)


@pytest.fixture
def before_the_five(database_url, migrated_templates) -> Iterator[Flask]:  # noqa: F811
    """A database at 0013 as an installation made then holds it: the five phrases not in
    the list, the old "why", and an admin's own (deactivated) entry for "Drug  Runner"."""
    upgraded(database_url, "0013_retention", migrated_templates)
    with (
        separate_app(SQLALCHEMY_DATABASE_URI=database_url, CELERY_BROKER_URL="memory://") as app,
        app.app_context(),
    ):
        db.session.execute(sa.delete(LanguagePhrase).where(LanguagePhrase.phrase.in_(FIVE)))
        db.session.execute(
            sa.update(LanguagePhrase)
            .where(LanguagePhrase.phrase == "putting themselves at risk")
            .values(why=OLD_WHY)
        )
        own = LanguagePhrase(phrase="Drug  Runner", suggestion="our own words", why=None, active=False)
        db.session.add(own)
        db.session.commit()
        yield app
        db.session.rollback()


def _rows() -> dict[str, tuple[str, str | None, bool]]:
    db.session.expire_all()
    return {
        p.phrase: (p.suggestion, p.why, p.active)
        for p in db.session.scalars(sa.select(LanguagePhrase).order_by(LanguagePhrase.id))
    }


def test_the_migration_adds_the_new_phrases_once_and_keeps_an_admins_entry(before_the_five):
    count_before = len(_rows())

    _flask_db(before_the_five, "upgrade")

    rows = _rows()
    assert len(rows) == count_before + 4  # the admin's "Drug  Runner" stands for "drug runner"
    seeded = {entry.phrase: entry for entry in load_seed_phrases()}
    for phrase in ["plugging", "sex worker", "risk-taking behaviour", "absconded"]:
        assert rows[phrase] == (seeded[phrase].suggestion, seeded[phrase].why, True)
    assert "drug runner" not in rows
    assert rows["Drug  Runner"] == ("our own words", None, False)
    assert rows["putting themselves at risk"][1] == (
        "places responsibility on the child, not on the adults who exploit them"
    )
    assert language_phrases.missing_defaults() == 0


def test_running_it_again_adds_nothing_and_keeps_an_admins_own_why(before_the_five):
    _flask_db(before_the_five, "upgrade")
    db.session.execute(
        sa.update(LanguagePhrase)
        .where(LanguagePhrase.phrase == "putting themselves at risk")
        .values(why="Our partnership's words")
    )
    db.session.commit()
    before = _rows()

    _flask_db(before_the_five, "downgrade", "0013_retention")
    _flask_db(before_the_five, "upgrade")

    assert _rows() == before
    assert before["putting themselves at risk"][1] == "Our partnership's words"


def test_a_new_phrase_is_flagged_after_the_migration(before_the_five):
    assert not language_phrases.check_text("He absconded from his placement.")

    _flask_db(before_the_five, "upgrade")

    [finding] = language_phrases.check_text("He absconded from his placement.")
    assert (finding.phrase, finding.suggestion) == ("absconded", "went missing")
