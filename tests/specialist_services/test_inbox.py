"""The provider's inbox (specialist_services/inbox.py): the requests to the user's agency's
services, as the provider sees them, and nobody else's."""

import dataclasses
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import NotAllowed, NotFound
from mettrack.core.extensions import db
from mettrack.specialist_services import inbox, requests
from mettrack.specialist_services.models import SpecialistService
from tests import factories

SENT = datetime(2026, 3, 23, 10, 0, tzinfo=UTC)  # a Monday
NOW = datetime(2026, 4, 7, 10, 0, tzinfo=UTC)  # Tuesday after Easter: Good Friday, Easter Monday off
ADDRESS = "1 Hidden Lane, Testtown"


@pytest.fixture
def world(app_ctx):
    set_now(NOW)
    coordinator = factories.user(roles=[Role.COORDINATOR])
    provider = factories.user(roles=[Role.PARTNER], agency="PARCS test agency")
    other = factories.user(roles=[Role.PARTNER], agency="DASS test agency")
    nobody = factories.user(roles=[Role.PARTNER], agency="Agency with no service")
    kid = factories.child(date_of_birth=date(2012, 4, 8), address=ADDRESS)
    case = factories.case(state=CaseState.POLICE_TIERED, child_obj=kid)
    second = factories.case(state=CaseState.POLICE_TIERED)
    for code, agency_id in (("parcs", provider.agency_id), ("dass", other.agency_id)):
        service = db.session.scalar(select(SpecialistService).where(SpecialistService.code == code))
        service.agency_id = agency_id
    rows = {
        "old_routine": factories.service_request(
            case.id, coordinator.id, "parcs", requested_at=SENT, answer_due_on=date(2026, 3, 30)
        ),
        "new_urgent": factories.service_request(
            second.id, coordinator.id, "parcs", urgency="urgent", answer_due_on=date(2026, 4, 14)
        ),
        "to_dass": factories.service_request(case.id, coordinator.id, "dass"),
        "declined": factories.service_request(
            second.id,
            coordinator.id,
            "parcs",
            status="declined",
            decline_reason="No worker free",
            answered_at=NOW,
            requested_at=SENT,
        ),
    }
    db.session.add_all(rows.values())
    db.session.commit()
    yield dict(provider=provider, other=other, nobody=nobody, coordinator=coordinator, case=case, **rows)
    set_now(None)


def test_the_provider_sees_only_their_services_requests_waiting_and_urgent_first(world):
    page = inbox.inbox(world["provider"])
    assert [i.id for i in page.items] == [world[n].id for n in ("new_urgent", "old_routine", "declined")]
    assert page.counts == {"waiting": 2, "answered": 1, "withdrawn": 0, "all": 3}
    assert world["to_dass"].id not in {i.id for i in page.items}
    waiting = inbox.inbox(world["provider"], inbox.WAITING)
    assert [i.id for i in waiting.items] == [world["new_urgent"].id, world["old_routine"].id]
    assert [i.id for i in inbox.inbox(world["other"]).items] == [world["to_dass"].id]


def test_the_view_is_what_the_service_needs_not_the_record(world):
    view = inbox.view(world["provider"], world["old_routine"].id)
    assert view.child_age == 13  # born 8 April 2012: 13 until tomorrow
    assert view.service_code == "parcs" and view.urgency == "routine"
    assert view.reason and view.requested_by == world["coordinator"].name
    # Sent Monday 23 March; by Tuesday 7 April: 9 working days (Good Friday, Easter Monday off).
    assert view.waiting_days == 9
    assert view.overdue is True
    assert view.case_id is None  # not on the team: no way into the record
    names = {f.name for f in dataclasses.fields(view)}
    assert not names & {"address", "notes", "intelligence", "child_id", "date_of_birth"}
    assert ADDRESS not in repr(view)


def test_another_providers_request_is_not_found_and_audited(world):
    with pytest.raises(NotFound):
        inbox.view(world["provider"], world["to_dass"].id)
    denied = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "service_request.viewed.denied")
    )
    assert list(denied)


def test_a_user_whose_agency_provides_nothing_is_refused(world):
    with pytest.raises(NotAllowed):
        inbox.inbox(world["nobody"])
    with pytest.raises(NotAllowed):
        inbox.view(world["nobody"], world["old_routine"].id)
    with pytest.raises(NotAllowed):
        inbox.inbox(world["coordinator"])


def test_the_list_is_audited_by_ids(world):
    page = inbox.inbox(world["provider"], inbox.WAITING)
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "service_request.inbox_listed"))
    assert str(world["old_routine"].id) in row.detail and "Testchild" not in row.detail
    assert len(page.items) == 2


def test_an_unknown_status_lists_all(world):
    assert inbox.inbox(world["provider"], "bogus").status == inbox.ALL


def test_on_the_case_another_services_request_is_still_not_in_the_inbox(world):
    # The provider joins the case's team by accepting: the case's other requests stay
    # outside their inbox (they see them, if at all, on the case page).
    requests.accept(world["provider"], world["old_routine"].id, {}, 1)
    accepted = inbox.view(world["provider"], world["old_routine"].id)
    assert accepted.case_id == world["case"].id and accepted.status == "accepted"
    assert accepted.worker == world["provider"].name
    with pytest.raises(NotFound):
        inbox.view(world["provider"], world["to_dass"].id)
    with pytest.raises(NotFound):
        inbox.require_provided(world["provider"], world["to_dass"].id, "service_request.accepted")
