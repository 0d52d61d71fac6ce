"""The case page's timeline: every event, oldest first, in the order it was recorded."""

import html
from datetime import UTC, datetime

from mettrack.cases.models import CaseEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from tests import factories

MOMENT = datetime(2026, 5, 11, 9, 30, tzinfo=UTC)


def test_events_of_the_same_moment_show_in_the_order_of_their_ids(app, auth, client, postgres):
    auth.as_role(Role.MET_CHAIR)
    with app.app_context():
        set_now(MOMENT)
        case = factories.case(state=CaseState.MET_REVIEW)
        # Ids are given out in the order events are recorded. These rows are written to the
        # table out of that order (as a restore or a rewritten row may leave them), so the
        # database's own order of equal times differs from the ids' order.
        for event_id, reason in ((1002, "Third"), (1000, "First"), (1001, "Second")):
            db.session.add(
                CaseEvent(
                    id=event_id,
                    case_id=case.id,
                    action="send_back_to_review",
                    from_state="met_review",
                    to_state="met_review",
                    reason=f"{reason} of the same second",
                )
            )
            db.session.commit()
        case_id = case.id

    page = html.unescape(client.get(f"/cases/{case_id}").get_data(as_text=True))

    positions = [page.index(f"{reason} of the same second") for reason in ("First", "Second", "Third")]
    assert positions == sorted(positions)
