"""Each role's home takes the same number of queries with ten cases of each kind as with one."""

import pytest
from sqlalchemy import event

from mettrack.core.extensions import db
from mettrack.home import queues
from tests.home import world as fixture

ROLES = ("chair", "lead", "coordinator", "partner", "analyst", "admin")


def _queries(user) -> int:
    count = 0

    def counted(*_args, **_kwargs):
        nonlocal count
        count += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        db.session.expire_all()
        queues.home_for(user)
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count


@pytest.mark.parametrize("n", [10])
def test_the_number_of_queries_does_not_grow_with_the_cases(app_ctx, n):
    one = fixture.build(1)
    with_one = {role: _queries(getattr(one, role)) for role in ROLES}
    many = fixture.build(n)  # ten more of each kind beside the first
    with_many = {role: _queries(getattr(many, role)) for role in ROLES}
    assert with_many == with_one
    assert all(count > 0 for count in with_one.values())
