"""The demo data (`flask demo load`, mettrack.demo.load.load_demo) for the tests that read
it. Loading it walks every demo child's case through the use cases and builds the meeting
PDFs (seconds each time, a dozen tests): the first load in a test process is kept
(tests/snapshots.py) and put back for the later ones. A test of loading itself (running
it again adds nothing, say) still calls load_demo for that.
"""

from tests.snapshots import Snapshot

_SNAPSHOT = Snapshot("demo_snapshot")
_KEPT: dict = {}


def load_demo_snapshot() -> list[tuple[str, str]]:
    """load_demo() on the empty tables a test starts on; returns the logins it prints.
    Needs an app context."""
    import sqlalchemy as sa

    from mettrack.accounts.models import User
    from mettrack.core import clock
    from mettrack.core.extensions import db
    from mettrack.demo.load import load_demo

    assert db.session.scalar(sa.select(User.id).limit(1)) is None, "the demo goes into empty tables"
    if clock.frozen_at() is not None:  # the demo's dates follow the clock: a frozen one gets its own
        return load_demo()
    # Its dates are days from today: a run that passes midnight loads it again.
    if _KEPT.get("on") != clock.today():
        _KEPT.update(on=clock.today(), logins=load_demo())
        db.session.remove()
        _SNAPSHOT.take(db)
        return list(_KEPT["logins"])
    _SNAPSHOT.put_back(db)
    return list(_KEPT["logins"])
