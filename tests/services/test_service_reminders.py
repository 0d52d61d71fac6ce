"""The reminder for a request for a specialist service left unanswered
(reminders/service_reminders.py; docs/services-clock.md): due at 08:00 on the first working
day after the answer date, to the provider's users who answer it and to whoever asked for
it; one row each however often the scan runs; none for a request answered or withdrawn;
naming no child, no case detail and no service user."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from mettrack.core.choices import CaseState, Role, ServiceRequestStatus
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.reminders import delivery as reminders
from mettrack.reminders import notifications, rules
from mettrack.reminders.models import Reminder
from mettrack.reminders.rules import ReminderKind, ReminderRules
from mettrack.specialist_services.models import SpecialistService
from tests import factories

KIND = ReminderKind.SERVICE_ANSWER_OVERDUE
# Due by Christmas Eve 2026 (a Thursday). Christmas Day, the weekend and Boxing Day's
# substitute (Monday 28) are days off: the reminder is due at 08:00 on Tuesday 29 December
# (London is on UTC in winter).
DUE_ON = date(2026, 12, 24)
DUE_AT = datetime(2026, 12, 29, 8, 0, tzinfo=UTC)
SCAN = datetime(2026, 12, 29, 9, 0, tzinfo=UTC)
PROVIDER = "PARCS test agency"
WAITING = "A request for a specialist service is waiting for an answer"


# --- the pure rules --------------------------------------------------------------------


def test_the_reminder_falls_due_at_the_send_hour_of_the_first_day_overdue():
    first = date(2026, 12, 29)
    assert rules.service_answer_reminder(first, DUE_AT - timedelta(minutes=1)) is None
    assert rules.service_answer_reminder(first, DUE_AT) == DUE_AT
    assert rules.service_answer_reminder(first, SCAN + timedelta(days=3)) == DUE_AT
    assert rules.service_answer_reminder(first, SCAN, ReminderRules(send_hour=10)) is None
    assert KIND.record_type == "service_request"
    assert KIND.label == "Specialist service request waiting for an answer"


def test_the_recipients_are_the_providers_users_and_the_requester_once():
    assert rules.service_answer_recipients([3, 4], 1, True) == ([3, 4], [1])
    assert rules.service_answer_recipients([3, 4], 1, False) == ([3, 4], [])
    # A coordinator of the providing agency is told once, on the case's side.
    assert rules.service_answer_recipients([1, 4], 1, True) == ([4], [1])
    assert rules.service_answer_recipients([], 1, True) == ([], [1])


# --- the scan and the send -------------------------------------------------------------


@pytest.fixture
def world(app_ctx):
    set_now(datetime(2026, 12, 16, 10, 0, tzinfo=UTC))
    coordinator = factories.user(roles=[Role.COORDINATOR], email="coordinator@example.org")
    providers = [
        factories.user(roles=[Role.PARTNER], agency=PROVIDER, email="parcs1@example.org"),
        factories.user(roles=[Role.LEAD_PROFESSIONAL], agency=PROVIDER, email="parcs2@example.org"),
    ]
    # Of the provider's agency, but not one who answers: deactivated, or holding no case role.
    factories.user(roles=[Role.PARTNER], agency=PROVIDER, active=False)
    factories.user(roles=[Role.ANALYST], agency=PROVIDER)
    # Another agency's practitioner.
    factories.user(roles=[Role.PARTNER], agency="Another provider")
    case = factories.case(state=CaseState.POLICE_TIERED)
    parcs = db.session.scalar(select(SpecialistService).where(SpecialistService.code == "parcs"))
    parcs.agency_id = providers[0].agency_id
    db.session.commit()
    return {"coordinator": coordinator, "providers": providers, "case": case}


def _request(w, code="parcs", **fields):
    fields = {"answer_due_on": DUE_ON} | fields
    request = factories.service_request(w["case"].id, w["coordinator"].id, code, **fields)
    db.session.add(request)
    db.session.commit()
    return request


def _rows():
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Reminder).where(Reminder.kind == KIND.value).order_by(Reminder.recipient_id)
        )
    )


def _send_all():
    return [reminders.deliver(i).status for i in reminders.to_enqueue()]


def test_an_overdue_request_reminds_the_provider_and_the_requester_once(world, mail):
    request = _request(world)
    set_now(DUE_AT - timedelta(hours=1))  # the day after Boxing Day's substitute: not yet
    reminders.make_due()
    assert _rows() == []

    set_now(SCAN)
    reminders.make_due()
    reminders.make_due()  # a second scan adds nothing
    rows = _rows()
    told = {r.recipient_id: r for r in rows}
    providers = [p.id for p in world["providers"]]
    assert sorted(told) == sorted([world["coordinator"].id, *providers])
    assert {(r.record_id, r.due_at) for r in rows} == {(request.id, DUE_AT)}
    # The provider's rows carry no case; the requester's carry it.
    assert {p: told[p].case_id for p in providers} == dict.fromkeys(providers)
    assert told[world["coordinator"].id].case_id == world["case"].id

    assert sorted(_send_all()) == ["sent"] * 3
    assert sorted(m["To"] for m in mail.messages) == sorted(
        ["coordinator@example.org", "parcs1@example.org", "parcs2@example.org"]
    )
    child = world["case"].child
    for message in mail.messages:
        body = message.get_payload(decode=True).decode()
        assert message["Subject"] == "METtrack: a specialist service request is waiting for an answer"
        assert WAITING in body
        assert "it was due by Thursday 24 December 2026." in body
        assert "/notifications/" in body
        for detail in (
            child.first_name,
            child.last_name,
            "PARCS",
            request.reason,
            f"Case {world['case'].id}",
        ):
            assert detail not in body and detail not in message["Subject"]


def test_the_in_app_notification_opens_the_inbox_for_the_provider_and_the_case_for_the_requester(world):
    request = _request(world)
    set_now(SCAN)
    reminders.make_due()
    provider, coordinator = world["providers"][0], world["coordinator"]

    (shown,) = notifications.list_for(provider).items
    assert shown.case_id is None
    assert shown.text == f"{WAITING}: it was due by Thursday 24 December 2026."
    assert shown.kind_label == "Specialist service request waiting for an answer"
    assert notifications.open_notification(provider, shown.id).path == f"/services/requests/{request.id}"

    (mine,) = notifications.list_for(coordinator).items
    assert mine.case_id == world["case"].id
    where = notifications.open_notification(coordinator, mine.id)
    assert (where.case_id, where.anchor, where.path) == (world["case"].id, "services", None)


@pytest.mark.parametrize(
    "status",
    [
        ServiceRequestStatus.ACCEPTED,
        ServiceRequestStatus.DECLINED,
        ServiceRequestStatus.WITHDRAWN,
        ServiceRequestStatus.ENDED,
    ],
)
def test_a_request_answered_or_withdrawn_reminds_no_one(world, status):
    _request(world, status=status.value)
    set_now(SCAN)
    reminders.make_due()
    assert _rows() == []


def test_a_request_not_yet_due_or_answered_on_its_last_day_reminds_no_one(world):
    _request(world, answer_due_on=date(2026, 12, 29))
    set_now(SCAN)
    reminders.make_due()
    assert _rows() == []


def test_one_long_overdue_is_past_the_lookback(world):
    _request(world, answer_due_on=date(2026, 11, 2))
    set_now(SCAN)
    reminders.make_due()
    assert _rows() == []


def test_an_answer_given_before_the_send_cancels_it(world, mail):
    request = _request(world)
    set_now(SCAN)
    reminders.make_due()
    request.status = ServiceRequestStatus.ACCEPTED.value
    db.session.commit()
    assert _send_all() == ["cancelled"] * 3
    assert mail.messages == []
    assert {r.state for r in _rows()} == {"cancelled"}
    assert notifications.list_for(world["coordinator"]).items == []


def test_a_provider_deactivated_before_the_send_is_not_e_mailed(world, mail):
    _request(world)
    set_now(SCAN)
    reminders.make_due()
    gone = world["providers"][1]
    gone.active = False
    db.session.commit()
    assert sorted(_send_all()) == ["cancelled", "sent", "sent"]
    assert "parcs2@example.org" not in {m["To"] for m in mail.messages}


def test_a_requester_deactivated_is_not_told_and_a_provider_coordinator_is_told_once(world):
    both = factories.user(roles=[Role.COORDINATOR], agency=PROVIDER)
    request = factories.service_request(world["case"].id, both.id, "parcs", answer_due_on=DUE_ON)
    db.session.add(request)
    world["coordinator"].active = False
    _request(world, code="dass")  # DASS has no provider agency in this world: the requester only
    db.session.commit()
    set_now(SCAN)
    reminders.make_due()
    rows = _rows()
    mine = [r for r in rows if r.recipient_id == both.id]
    assert [(r.record_id, r.case_id) for r in mine] == [(request.id, world["case"].id)]
    assert world["coordinator"].id not in {r.recipient_id for r in rows}


def test_many_overdue_requests_are_found_in_a_fixed_number_of_queries(world):
    from sqlalchemy import event

    for code in ("parcs", "dass"):
        _request(world, code=code)
    set_now(SCAN)
    statements = []

    def count(*_args):
        statements.append(1)

    from mettrack.reminders import service_reminders

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        found = service_reminders.due_now(SCAN, reminders.rules_from_config())
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) <= 2
    assert {f[1] for f in found}  # both requests found
