"""A request's life through the use cases (specialist_services/requests.py), the case's
side of reading it (case_requests.py), and the audit rows each step writes."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from mettrack.cases.models import Case, CaseEvent, CaseTeamMember
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, ServiceRequestStatus
from mettrack.core.clock import set_now
from mettrack.core.errors import Conflict, NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.specialist_services import case_requests, requests
from mettrack.specialist_services.models import ServiceRequest
from tests import factories
from tests.specialist_services.conftest import NOW, REASON, service


def _send(w, code="parcs", **data):
    return requests.request(w["coordinator"], w["case_id"], {"service": code, "reason": REASON} | data)


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _case(w) -> Case:
    db.session.expire_all()
    return db.session.get(Case, w["case_id"])


# --- requesting


def test_a_request_is_audited_by_id_with_no_text(world):
    sent = _send(world, urgency="urgent", needs="Meet her at school first.")
    assert sent.request.urgency == "urgent" and sent.request.needs == "Meet her at school first."
    (row,) = _audit("service_request.created")
    assert f'"service_request": {sent.request.id}' in row.detail and "school" not in row.detail
    assert REASON not in row.detail


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"service": "no-such-service"}, "service"),
        ({"reason": ""}, "reason"),
        ({"urgency": "yesterday"}, "urgency"),
        ({"reason": "x" * (requests.MAX_TEXT + 1)}, "reason"),
    ],
)
def test_bad_input_is_refused_naming_the_field(world, data, field):
    with pytest.raises(ValidationError) as refused:
        _send(world, **data)
    assert field in refused.value.errors
    assert db.session.scalar(select(ServiceRequest.id)) is None


def test_a_second_open_request_to_the_same_service_is_refused(world):
    _send(world)
    with pytest.raises(ValidationError) as refused:
        _send(world)
    assert "already has an open request" in refused.value.errors["service"]


def test_a_case_before_met_review_takes_no_request(world):
    early = factories.case(state=CaseState.REFERRED)
    with pytest.raises(ValidationError) as refused:
        requests.request(world["coordinator"], early.id, {"service": "parcs", "reason": REASON})
    assert "state" in refused.value.errors


def test_only_the_coordinator_requests(world):
    with pytest.raises(NotAllowed):
        requests.request(world["lead"], world["case_id"], {"service": "parcs", "reason": REASON})


def test_over_capacity_the_request_is_sent_with_a_warning(world):
    service("parcs").capacity = 1
    db.session.commit()
    other_case = factories.case(state=CaseState.SERVICE_ASSIGNED)  # its own service: not PARCS
    db.session.add(factories.accepted_service(other_case.id, world["coordinator"].id, "parcs"))
    db.session.commit()
    sent = _send(world)
    assert sent.request.status == ServiceRequestStatus.REQUESTED.value
    assert "working with 1 of 1" in sent.warning
    assert '"over_capacity": true' in _audit("service_request.created")[-1].detail


# --- answering


def test_the_first_acceptance_moves_the_case_a_second_service_does_not(world):
    first = _send(world).request
    second = _send(world, "dass").request
    requests.accept(world["provider"], first.id, {"starts_on": "2026-04-01"}, 1)
    case = _case(world)
    assert case.state == CaseState.SERVICE_ASSIGNED.value
    version = case.version
    requests.accept(world["other"], second.id, {}, 1)
    case = _case(world)
    assert case.state == CaseState.SERVICE_ASSIGNED.value and case.version == version
    kinds = list(db.session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == case.id)))
    assert "service.accepted" in kinds
    assert len(_audit("service_request.accepted")) == 2


def test_a_second_answer_is_refused(world):
    sent = _send(world).request
    accepted = requests.accept(world["provider"], sent.id, {}, 1)
    for change, data in (
        (requests.accept, {}),
        (requests.decline, {"decline_reason": "Changed our mind"}),
    ):
        with pytest.raises(ValidationError) as refused:
            change(world["provider"], sent.id, data, accepted.version)
        assert "status" in refused.value.errors


def test_a_changed_request_is_a_conflict(world):
    sent = _send(world).request
    with pytest.raises(Conflict):
        requests.accept(world["provider"], sent.id, {}, 7)


def test_another_providers_user_on_the_team_cannot_answer_for_this_service(world):
    sent = _send(world).request  # PARCS; "other" is DASS's, on the case team
    for change, data in ((requests.accept, {}), (requests.decline, {"decline_reason": "Not ours"})):
        with pytest.raises(NotAllowed):
            change(world["other"], sent.id, data, 1)
    assert _audit("service_request.accepted.denied") and _audit("service_request.declined.denied")
    db.session.expire_all()
    assert db.session.get(ServiceRequest, sent.id).status == ServiceRequestStatus.REQUESTED.value


def test_a_provider_off_the_case_cannot_reach_another_providers_request(world):
    stranger = factories.user(agency="Someone else's agency")
    sent = _send(world).request
    with pytest.raises(NotFound):
        requests.accept(stranger, sent.id, {}, 1)


def test_the_lead_does_not_answer_for_the_service(world):
    sent = _send(world).request
    with pytest.raises(NotAllowed):
        requests.decline(world["lead"], sent.id, {"decline_reason": "No"}, 1)


def test_the_coordinator_records_an_acceptance_given_by_phone(world):
    sent = _send(world).request
    accepted = requests.accept(
        world["coordinator"], sent.id, {"worker": "Sam Worker", "starts_on": "2026-04-02"}, 1
    )
    assert accepted.recorded_for_provider and accepted.worker == "Sam Worker"
    assert accepted.starts_on == date(2026, 4, 2) and accepted.worker_user_id is None
    case = _case(world)
    assert case.state == CaseState.SERVICE_ASSIGNED.value
    # The coordinator does not join the team by recording the service's answer.
    assert db.session.get(CaseTeamMember, (case.id, world["coordinator"].id)) is None
    assert '"as_provider": false' in _audit("service_request.accepted")[-1].detail


def test_the_provider_joins_the_team_on_accepting(world):
    sent = _send(world).request
    requests.accept(world["provider"], sent.id, {}, 1)
    assert db.session.get(CaseTeamMember, (world["case_id"], world["provider"].id)) is not None


def test_declining_needs_a_reason_and_the_coordinator_may_record_it(world):
    sent = _send(world).request
    with pytest.raises(ValidationError) as missing:
        requests.decline(world["coordinator"], sent.id, {"decline_reason": "  "}, 1)
    assert "decline_reason" in missing.value.errors
    declined = requests.decline(
        world["coordinator"], sent.id, {"decline_reason": "No worker free until May"}, 1
    )
    assert declined.status == ServiceRequestStatus.DECLINED.value and declined.recorded_for_provider
    assert _case(world).state == CaseState.POLICE_TIERED.value
    (row,) = _audit("service_request.declined")
    assert "May" not in row.detail
    # Declined, the service may be asked again.
    assert _send(world).request.status == ServiceRequestStatus.REQUESTED.value


# --- withdrawing


def test_only_a_waiting_request_is_withdrawn_with_a_reason(world):
    sent = _send(world).request
    with pytest.raises(ValidationError) as missing:
        requests.withdraw(world["coordinator"], sent.id, {}, 1)
    assert "withdrawn_reason" in missing.value.errors
    withdrawn = requests.withdraw(
        world["coordinator"], sent.id, {"withdrawn_reason": "Another service started"}, 1
    )
    assert withdrawn.status == ServiceRequestStatus.WITHDRAWN.value
    assert len(_audit("service_request.withdrawn")) == 1
    answered = _send(world).request
    requests.accept(world["provider"], answered.id, {}, 1)
    with pytest.raises(ValidationError) as refused:
        requests.withdraw(world["coordinator"], answered.id, {"withdrawn_reason": "Too late"}, 2)
    assert "status" in refused.value.errors


def test_only_the_coordinator_withdraws(world):
    sent = _send(world).request
    for user in (world["provider"], world["lead"]):
        with pytest.raises(NotAllowed):
            requests.withdraw(user, sent.id, {"withdrawn_reason": "No"}, 1)


# --- the case's side reading


def test_the_case_lists_waiting_first_with_working_days_waited_and_overdue(world):
    declined = _send(world, "dass").request
    requests.decline(world["other"], declined.id, {"decline_reason": "Full"}, 1)
    waiting = _send(world).request
    # Nine days on (Easter between): five working days were due on 7 April.
    set_now(NOW + timedelta(days=12))
    views = case_requests.views_of(_case(world))
    assert [v.request.id for v in views] == [waiting.id, declined.id]
    first = views[0]
    assert first.waited == 6 and first.overdue  # 30, 31 March, 1, 2, 7, 8 April
    assert views[1].waited is None and not views[1].overdue
    assert not case_requests.overdue(waiting, date(2026, 4, 7))


def test_the_form_shows_each_services_load_capacity_and_whom_it_takes(world):
    service("parcs").capacity = 3
    db.session.commit()
    sent = _send(world).request
    requests.accept(world["provider"], sent.id, {}, 1)
    choices = {c.code: c for c in case_requests.choices()}
    parcs = choices["parcs"]
    assert (parcs.load, parcs.capacity, parcs.provider) == (1, 3, "PARCS test agency")
    assert parcs.takes
    assert case_requests.open_codes(_case(world)) == {"parcs"}


def test_listing_a_cases_requests_is_audited_and_need_to_know(world):
    sent = _send(world).request
    _case_, items = case_requests.list_for(world["lead"], world["case_id"])
    assert [r.id for r in items] == [sent.id]
    assert f"[{sent.id}]" in _audit("service_request.listed")[-1].detail
    stranger = factories.user()
    with pytest.raises(NotFound):
        case_requests.list_for(stranger, world["case_id"])


def test_a_request_of_another_case_is_not_found_on_this_one(world):
    sent = _send(world).request
    other = factories.case(state=CaseState.MET_REVIEW)
    with pytest.raises(NotFound):
        case_requests.on_case(world["coordinator"], other.id, sent.id, "service_request.viewed")
    assert case_requests.on_case(world["coordinator"], world["case_id"], sent.id, "x").id == sent.id


def test_waiting_counts_whole_working_days(world):
    sent = _send(world).request
    assert case_requests.waited(sent) == 0
    assert case_requests.waited(sent, date(2026, 3, 30)) == 1
    assert isinstance(sent.requested_at, datetime)
