"""The unit of work: one commit for a use case, nested blocks join it, an error anywhere
rolls everything back, and a commit from inside is refused."""

import pytest
from sqlalchemy import event, func, select

from mettrack.accounts.agency import Agency
from mettrack.core.extensions import db
from mettrack.core.unit_of_work import CommitInsideUnitOfWork, transaction, unit_of_work


@pytest.fixture
def commits(app_ctx):
    counted = []

    def count(session):
        counted.append(session)

    event.listen(db.session(), "after_commit", count)
    yield counted
    event.remove(db.session(), "after_commit", count)


def _agencies() -> int:
    return db.session.scalar(select(func.count()).select_from(Agency))


def test_outer_block_commits_once_and_inner_blocks_join_it(commits):
    with unit_of_work():
        db.session.add(Agency(name="First made-up agency"))
        with unit_of_work():
            db.session.add(Agency(name="Second made-up agency"))
        assert commits == []
    assert len(commits) == 1
    assert _agencies() == 2


def test_error_in_an_inner_block_rolls_back_the_whole_unit(commits):
    with pytest.raises(ValueError), unit_of_work():
        db.session.add(Agency(name="First made-up agency"))
        with unit_of_work():
            db.session.add(Agency(name="Second made-up agency"))
            raise ValueError("refused")
    assert commits == []
    assert _agencies() == 0


def test_commit_from_inside_a_unit_of_work_is_refused(commits):
    with pytest.raises(CommitInsideUnitOfWork), unit_of_work():
        db.session.add(Agency(name="Made-up agency"))
        db.session.commit()
    assert _agencies() == 0


def test_transaction_decorator_is_one_unit(commits):
    @transaction
    def add_two():
        db.session.add(Agency(name="First made-up agency"))
        db.session.add(Agency(name="Second made-up agency"))
        return "done"

    assert add_two() == "done"
    assert len(commits) == 1
    assert _agencies() == 2
