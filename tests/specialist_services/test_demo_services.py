"""The demo's specialist service requests and police tier record (mettrack/demo/services.py):
an urgent request waiting past its answer date in the demo lead's inbox (they work for Edge
of Care), a declined one with the provider's reason, a waiting one on another case, and an
officer in charge on a police tier; loading again adds nothing; no text blames a child."""

from sqlalchemy import func, select

from mettrack.core.choices import ServiceRequestStatus
from mettrack.core.clock import today
from mettrack.core.extensions import db
from mettrack.demo.load import DEMO_PASSWORD, load_demo
from mettrack.language import phrases as language_phrases
from mettrack.specialist_services.models import PoliceTierRecord, ServiceRequest
from tests.demo_data import load_demo_snapshot


def _requests() -> list[ServiceRequest]:
    return list(db.session.scalars(select(ServiceRequest).where(ServiceRequest.reason.is_not(None))))


def test_the_demo_has_waiting_overdue_and_declined_requests_and_an_officer(app_ctx):
    load_demo_snapshot()
    requests = _requests()
    statuses = sorted(r.status for r in requests)
    assert statuses == ["declined", "requested", "requested"]
    overdue = [r for r in requests if r.status == "requested" and r.answer_due_on < today()]
    assert [(r.service.code, r.urgency) for r in overdue] == [("edge_of_care", "urgent")]
    [declined] = [r for r in requests if r.status == ServiceRequestStatus.DECLINED.value]
    assert declined.recorded_for_provider and "no worker is free" in declined.decline_reason
    officers = db.session.scalars(
        select(PoliceTierRecord.officer).where(PoliceTierRecord.officer.is_not(None))
    )
    assert list(officers) == ["DC 4521 Sam Officerly-Demo (MET team)"]
    count = db.session.scalar(select(func.count()).select_from(ServiceRequest))
    load_demo()
    assert db.session.scalar(select(func.count()).select_from(ServiceRequest)) == count


def test_no_demo_request_text_blames_a_child(app_ctx):
    load_demo_snapshot()
    texts = [t for r in _requests() for t in (r.reason, r.needs, r.decline_reason) if t]
    assert len(texts) >= 4
    assert {t: language_phrases.check_text(t) for t in texts if language_phrases.check_text(t)} == {}


def test_the_demo_lead_finds_the_overdue_request_in_their_inbox_and_the_coordinator_on_the_board(
    app, client, auth
):
    with app.app_context():
        load_demo_snapshot()
    auth.login("lead@demo.mettrack.test", DEMO_PASSWORD)
    inbox = client.get("/services/requests")
    assert inbox.status_code == 200
    page = inbox.get_data(as_text=True)
    assert "Ruby Hazelmere-Test" in page and "Edge of Care" in page
    auth.logout()
    auth.login("coordinator@demo.mettrack.test", DEMO_PASSWORD)
    board = client.get("/services/board")
    assert board.status_code == 200
    text = board.get_data(as_text=True)
    assert "Ruby Hazelmere-Test" in text and "Tyler Ivybridge-Demo" in text
