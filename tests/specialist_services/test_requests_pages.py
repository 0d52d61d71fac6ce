"""The coordinator's side of requests through the pages: the case page's section, the
request form (choices with load and capacity, the capacity warning, the language
check), withdrawing, recording an answer given by phone, and the end form's outcome."""

import html
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mettrack.cases.models import Case
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, ServiceRequestStatus
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.language import seed_defaults as seed_phrases
from mettrack.specialist_services import requests
from mettrack.specialist_services.models import ServiceRequest
from tests import factories
from tests.conftest import post_form
from tests.dates import date_fields
from tests.specialist_services.conftest import NOW, REASON, service
from tests.wording_scenarios import FLAGGED


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _signed_in(auth, user) -> None:
    assert auth.login(user.email).status_code == 302


def _request(world, code="parcs") -> ServiceRequest:
    return requests.request(
        world["coordinator"], world["case_id"], {"service": code, "reason": REASON}
    ).request


def _stored(request_id: int) -> ServiceRequest:
    db.session.expire_all()
    return db.session.get(ServiceRequest, request_id)


@pytest.fixture
def coordinator(world, auth):
    _signed_in(auth, world["coordinator"])
    return world


def test_the_request_form_shows_each_services_load_and_sends_with_the_capacity_warning(client, coordinator):
    service("parcs").capacity = 0
    db.session.commit()
    form = f"/cases/{coordinator['case_id']}/service-requests/new"
    page = _text(client.get(form))
    assert "Request a specialist service" in page
    assert "Working with 0 of 0 children it has room for (full: you can still ask)" in page
    assert "PARCS test agency" in page and "Takes" in page
    response = post_form(
        client, form, {"service": "parcs", "urgency": "urgent", "reason": REASON, "needs": ""}, page=form
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{coordinator['case_id']}#services")
    case_page = _text(client.get(response.headers["Location"]))
    assert "The request has been sent to" in case_page and "over its capacity" in case_page
    sent = db.session.scalar(select(ServiceRequest))
    assert sent.urgency == "urgent" and sent.status == ServiceRequestStatus.REQUESTED.value


def test_the_request_form_names_the_bad_field_and_keeps_what_was_typed(client, coordinator):
    form = f"/cases/{coordinator['case_id']}/service-requests/new"
    response = post_form(client, form, {"service": "", "reason": "", "needs": "Kept text"}, page=form)
    assert response.status_code == 400
    page = _text(response)
    assert "Choose the specialist service from the list" in page and "Kept text" in page
    assert db.session.scalar(select(ServiceRequest.id)) is None


def test_the_language_check_asks_before_saving_and_save_anyway_saves(client, coordinator):
    seed_phrases()
    db.session.commit()
    form = f"/cases/{coordinator['case_id']}/service-requests/new"
    data = {"service": "parcs", "urgency": "routine", "reason": FLAGGED}
    flagged = post_form(client, form, data, page=form)
    assert flagged.status_code == 200 and "Save anyway" in _text(flagged)
    assert db.session.scalar(select(ServiceRequest.id)) is None
    saved = post_form(client, form, data | {"save_anyway": "yes"}, page=form)
    assert saved.status_code == 302
    assert db.session.scalar(select(ServiceRequest.reason)) == FLAGGED


def test_a_case_before_met_review_says_when_a_service_can_be_requested(client, coordinator):
    early = factories.case(state=CaseState.REFERRED)
    form = f"/cases/{early.id}/service-requests/new"
    assert "can be requested once the MET group has" in _text(client.get(form))
    refused = post_form(client, form, {"service": "parcs", "reason": REASON}, page=form)
    assert refused.status_code == 400


def test_the_case_page_shows_a_waiting_request_with_working_days_and_overdue(client, auth, coordinator):
    sent = _request(coordinator)
    set_now(NOW + timedelta(days=12))
    _signed_in(auth, coordinator["coordinator"])  # the session of 12 days ago has expired
    page = _text(client.get(f"/cases/{coordinator['case_id']}"))
    section = page[page.index('id="services"') :]
    assert "Waiting for an answer" in section and "Answer overdue" in section
    assert "Waiting 6 working days; the answer was due on 7 April 2026" in section
    assert REASON in section
    base = f"/cases/{coordinator['case_id']}/service-requests/{sent.id}"
    for action in ("accept", "decline", "withdraw"):
        assert f'href="{base}/{action}"' in section
    assert f'href="/cases/{coordinator["case_id"]}/service-requests/new"' in section


def test_withdrawing_from_the_page(client, coordinator):
    sent = _request(coordinator)
    form = f"/cases/{coordinator['case_id']}/service-requests/{sent.id}/withdraw"
    assert "Withdraw the request to" in _text(client.get(form))
    missing = post_form(client, form, {"version": "1", "withdrawn_reason": ""}, page=form)
    assert missing.status_code == 400 and "Enter" in _text(missing)
    done = post_form(client, form, {"version": "1", "withdrawn_reason": "Another service started"}, page=form)
    assert done.status_code == 302
    assert _stored(sent.id).status == ServiceRequestStatus.WITHDRAWN.value
    section = _text(client.get(f"/cases/{coordinator['case_id']}"))
    assert "Withdrawn" in section and "Another service started" in section
    again = post_form(
        client, form, {"version": "2", "withdrawn_reason": "Again"}, page=f"/cases/{coordinator['case_id']}"
    )
    assert again.status_code == 400 and "already been answered" in _text(again)


def test_a_stale_version_is_a_conflict_and_saves_nothing(client, coordinator):
    sent = _request(coordinator)
    form = f"/cases/{coordinator['case_id']}/service-requests/{sent.id}/decline"
    response = post_form(client, form, {"version": "5", "decline_reason": "Full"}, page=form)
    assert response.status_code == 409 and "Someone else changed this request" in _text(response)
    assert _stored(sent.id).status == ServiceRequestStatus.REQUESTED.value


def test_recording_a_decline_given_by_phone_then_asking_another_service(client, coordinator):
    sent = _request(coordinator)
    form = f"/cases/{coordinator['case_id']}/service-requests/{sent.id}/decline"
    assert post_form(client, form, {"version": "1", "decline_reason": ""}, page=form).status_code == 400
    done = post_form(client, form, {"version": "1", "decline_reason": "No worker free until May"}, page=form)
    assert done.status_code == 302
    stored = _stored(sent.id)
    assert stored.status == ServiceRequestStatus.DECLINED.value and stored.recorded_for_provider
    page = _text(client.get(f"/cases/{coordinator['case_id']}"))
    assert "No worker free until May" in page and "Request another service" in page
    assert "Recorded by the coordinator for the service" in page


def test_recording_an_acceptance_given_by_phone_moves_the_case(client, coordinator):
    sent = _request(coordinator)
    form = f"/cases/{coordinator['case_id']}/service-requests/{sent.id}/accept"
    page = _text(client.get(form))
    assert 'id="accepted_on-day"' in page and 'value="27"' in page  # today, offered
    data = {
        "version": "1",
        "worker": "Sam Worker",
        "starts_on-day": "1",
        "starts_on-month": "4",
        "starts_on-year": "2026",
        "accepted_on-day": "27",
        "accepted_on-month": "3",
        "accepted_on-year": "2026",
    }
    future = post_form(client, form, data | {"accepted_on-day": "30"}, page=form)
    assert future.status_code == 400 and "today or in the past" in _text(future)
    done = post_form(client, form, data, page=form)
    assert done.status_code == 302
    assert "The case moved to Specialist service assigned." in _text(client.get(done.headers["Location"]))
    stored = _stored(sent.id)
    assert (stored.status, stored.worker, stored.starts_on) == ("accepted", "Sam Worker", date(2026, 4, 1))
    assert db.session.get(Case, coordinator["case_id"]).state == CaseState.SERVICE_ASSIGNED.value
    page = _text(client.get(f"/cases/{coordinator['case_id']}"))
    assert "Sam Worker" in page and "1 April 2026" in page and "Record the end" in page


def test_the_end_form_asks_how_the_work_ended(client, auth, coordinator):
    sent = _request(coordinator)
    requests.accept(coordinator["provider"], sent.id, {}, 1)
    form = f"/cases/{coordinator['case_id']}/services/{sent.id}/end"
    page = _text(client.get(form))
    assert "How did the service's work end?" in page
    assert "The service could not build a working relationship with the child" in page
    done = post_form(
        client, form, {**date_fields("ended_on", "2026-03-27"), "outcome": "completed"}, page=form
    )
    assert done.status_code == 302
    stored = _stored(sent.id)
    assert (stored.status, stored.outcome) == ("ended", "completed")
    page = _text(client.get(f"/cases/{coordinator['case_id']}"))
    assert "Work completed: the plan's goals were met" in page
    # The team reads the timeline's lines (a coordinator off the team, the moves only).
    auth.logout()
    _signed_in(auth, coordinator["lead"])
    page = _text(client.get(f"/cases/{coordinator['case_id']}"))
    timeline = page[page.index("Timeline") :]
    assert "work with the child ended: work completed" in timeline
    assert "was asked to work with the child" in timeline


def test_a_request_of_another_case_is_404_on_this_cases_path(client, coordinator):
    sent = _request(coordinator)
    other = factories.case(state=CaseState.MET_REVIEW)
    path = f"/cases/{other.id}/service-requests/{sent.id}/withdraw"
    assert client.get(path).status_code == 404
    assert post_form(client, path, {"version": "1", "withdrawn_reason": "x"}).status_code == 404
    assert _stored(sent.id).status == ServiceRequestStatus.REQUESTED.value
    denied = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("%.denied")))
    assert "service_request.withdrawn.denied" in list(denied)


def test_the_team_sees_the_requests_but_not_the_buttons(client, auth, world):
    _request(world)
    _signed_in(auth, world["lead"])
    page = _text(client.get(f"/cases/{world['case_id']}"))
    section = page[page.index('id="services"') :]
    assert "Waiting for an answer" in section
    assert "service-requests/" not in section and "Request a service" not in section
    assert client.get(f"/cases/{world['case_id']}/service-requests/new").status_code == 403
