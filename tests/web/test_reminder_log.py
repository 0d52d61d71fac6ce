"""The MET chair's reminder log through the pages: what was sent to whom, what failed and
why, sending one again (for the next scan, never through the broker from the web), and
the warning on the chair's home page."""

import html
import re
from datetime import timedelta

import pytest
from celery import Celery
from celery.app.task import Task
from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.reminders import delivery as reminders
from mettrack.reminders.models import Reminder
from mettrack.reminders.rules import Channel, ReminderKind, ReminderState
from tests import factories
from tests.conftest import post_form
from tests.smtp import smtp_server
from tests.web.test_notifications import NOW, reminder_row

REFUSED = "SMTPRecipientsRefused 550: 5.1.1 No such mailbox"


@pytest.fixture(autouse=True)
def _clock(app_ctx):
    set_now(NOW)


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """The web never hands anything to the broker: the scan does."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append((args, kwargs))
        raise AssertionError("a web request called the broker")

    monkeypatch.setattr(Task, "apply_async", refuse)
    monkeypatch.setattr(Celery, "send_task", refuse)
    return calls


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _rows_of(page: str) -> list[str]:
    body = page[page.index('<tbody class="govuk-table__body">') :]
    return re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', body, re.S)


def _audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def chair(auth):
    return db.session.get(User, auth.as_role(Role.MET_CHAIR))


@pytest.fixture
def setting():
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Lee Leadbetter")
    partner = factories.user(roles=[Role.PARTNER], name="Pat Partnerton")
    case = factories.case(lead=lead, state=CaseState.MET_REVIEW, exploitation_types=["cse"])
    return {"lead": lead, "partner": partner, "case": case}


def test_the_chair_sees_every_reminder_with_recipient_state_and_error_failed_first(client, chair, setting):
    case, lead, partner = setting["case"], setting["lead"], setting["partner"]
    sent = reminder_row(case, lead, ReminderKind.REVIEW_DUE, due_at=NOW - timedelta(hours=1))
    failed = reminder_row(
        case,
        partner,
        ReminderKind.REVIEW_OVERDUE,
        state=ReminderState.FAILED,
        due_at=NOW - timedelta(days=2),
        attempts=5,
        last_error=REFUSED,
    )
    reminder_row(case, lead, ReminderKind.RHI_TO_OFFER, channel=Channel.APP, due_at=NOW - timedelta(hours=3))

    response = client.get("/reminders/")
    assert response.status_code == 200
    page = _text(response)
    rows = _rows_of(page)
    assert len(rows) == 3
    assert "Pat Partnerton" in rows[0] and "Failed" in rows[0] and REFUSED in rows[0]
    assert "MET review overdue" in rows[0] and f"Case {case.id}" in rows[0]
    assert "Send again" in rows[0]
    assert "Lee Leadbetter" in rows[1] and "Sent" in rows[1] and "E-mail" in rows[1]
    assert "7 December 2026 08:00" in rows[1]  # sent, in London time
    assert "In METtrack only" in rows[2] and "Send again" not in rows[2]
    assert case.child.first_name not in page and case.child.last_name not in page
    assert f'action="/reminders/{failed.id}/resend"' in page
    assert f'action="/reminders/{sent.id}/resend"' in page

    (viewed,) = _audits("reminders.log_viewed")
    assert viewed.actor_user_id == chair.id and '"state": null' in viewed.detail


def test_the_log_filters_by_state_and_pages(app, client, chair, setting, monkeypatch):
    case, lead = setting["case"], setting["lead"]
    for days in (1, 2, 3):
        reminder_row(
            case, lead, state=ReminderState.FAILED, due_at=NOW - timedelta(days=days), last_error="x"
        )
    reminder_row(case, lead, due_at=NOW - timedelta(hours=1))

    only_failed = _text(client.get("/reminders/?state=failed"))
    assert "3 reminders" in only_failed
    assert all("Failed" in row for row in _rows_of(only_failed))
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    assert len(_rows_of(_text(client.get("/reminders/?state=failed")))) == 2
    assert len(_rows_of(_text(client.get("/reminders/?state=failed&page=2")))) == 1
    assert [a.detail.count('"failed"') for a in _audits("reminders.log_viewed")] == [1, 1, 1]


def test_a_bad_state_filter_is_refused_naming_the_field(client, chair):
    response = client.get("/reminders/?state=lost")
    assert response.status_code == 400
    page = _text(response)
    assert 'href="#state"' in page and "Choose a state from the list" in page
    assert _audits("reminders.log_viewed") == []


def test_resend_puts_a_failed_reminder_back_for_the_next_scan_as_a_new_round(
    app, client, chair, setting, no_broker
):
    row = reminder_row(
        setting["case"],
        setting["partner"],
        state=ReminderState.FAILED,
        attempts=5,
        last_error=REFUSED,
        retry_at=NOW,
        enqueued_at=NOW,
        claim_token="a" * 32,
        failed_at=NOW,
    )

    response = post_form(client, f"/reminders/{row.id}/resend", {"state": "failed"}, page="/reminders/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/reminders/?state=failed"
    page = _text(client.get("/reminders/"))
    assert (
        f"Reminder {row.id} will be sent again to Pat Partnerton. It will go out at the next reminder scan "
        "(within 15 minutes)." in page
    )
    db.session.expire_all()
    saved = db.session.get(Reminder, row.id)
    assert (saved.state, saved.attempts, saved.send_round) == ("pending", 0, 2)
    assert (saved.retry_at, saved.enqueued_at, saved.claim_token, saved.failed_at) == (None, None, None, None)
    (audit_row,) = _audits("reminder.resend")
    assert (audit_row.actor_user_id, audit_row.record_type, audit_row.record_id) == (
        chair.id,
        "reminder",
        str(row.id),
    )
    assert '"previous_state": "failed"' in audit_row.detail and '"send_round": 2' in audit_row.detail
    assert no_broker == []
    # The next scan hands it over.
    assert reminders.to_enqueue() == [row.id]


def test_the_scan_sends_a_resent_reminder_with_a_new_message_id(app, client, chair, setting, monkeypatch):
    case, lead = setting["case"], setting["lead"]
    case.next_review_on = NOW.date() + timedelta(days=7)
    db.session.commit()
    assert reminders.make_due() == 1
    (row,) = db.session.scalars(select(Reminder))
    row.state, row.last_error, row.attempts = "failed", REFUSED, 5
    db.session.commit()

    assert post_form(client, f"/reminders/{row.id}/resend", page="/reminders/").status_code == 302
    with smtp_server() as (sink, port):
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        (ready,) = reminders.to_enqueue()
        assert reminders.deliver(ready).status == "sent"
    (message,) = sink.messages
    assert message["To"] == lead.email
    assert message["Message-ID"] == f"<reminder.{row.id}.2@mettrack.localhost>"
    db.session.expire_all()
    assert db.session.get(Reminder, row.id).state == "sent"


def test_a_sent_digest_may_be_sent_again(client, chair, setting):
    row = reminder_row(setting["case"], setting["lead"], channel=Channel.DIGEST)
    assert post_form(client, f"/reminders/{row.id}/resend", page="/reminders/").status_code == 302
    db.session.expire_all()
    assert db.session.get(Reminder, row.id).state == "pending"


@pytest.mark.parametrize(
    ("channel", "state", "message"),
    [
        (Channel.APP, ReminderState.SENT, "shown in METtrack only"),
        (Channel.EMAIL, ReminderState.PENDING, "still waiting to be sent"),
        (Channel.EMAIL, ReminderState.SENDING, "being sent now"),
        (Channel.EMAIL, ReminderState.CANCELLED, "what it reminded of had been done"),
    ],
)
def test_a_reminder_that_cannot_be_sent_again_is_refused_and_left_as_it_was(
    client, chair, setting, channel, state, message
):
    row = reminder_row(setting["case"], setting["lead"], channel=channel, state=state, attempts=2)
    response = post_form(client, f"/reminders/{row.id}/resend", page="/reminders/")
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert message in page
    assert "will be sent again" not in page
    db.session.expire_all()
    saved = db.session.get(Reminder, row.id)
    assert (saved.state, saved.attempts, saved.send_round) == (state.value, 2, 1)
    assert _audits("reminder.resend") == []


def test_resending_a_reminder_that_does_not_exist_is_404(client, chair):
    assert post_form(client, "/reminders/999999/resend", page="/reminders/").status_code == 404


@pytest.mark.parametrize("role", [Role.LEAD_PROFESSIONAL, Role.COORDINATOR, Role.ADMIN])
def test_only_the_chair_sees_the_log_or_sends_again(client, auth, setting, role):
    row = reminder_row(setting["case"], setting["lead"], state=ReminderState.FAILED)
    auth.as_role(role)
    assert client.get("/reminders/").status_code == 403
    assert post_form(client, f"/reminders/{row.id}/resend").status_code == 403
    assert 'href="/reminders/"' not in _text(client.get("/"))
    db.session.expire_all()
    assert db.session.get(Reminder, row.id).state == "failed"


def test_resend_needs_the_csrf_token(client, chair, setting):
    row = reminder_row(setting["case"], setting["lead"], state=ReminderState.FAILED)
    assert client.post(f"/reminders/{row.id}/resend").status_code == 400
    db.session.expire_all()
    assert db.session.get(Reminder, row.id).state == "failed"


# --- the chair's home page -----------------------------------------------------------------


def test_the_chairs_home_page_warns_of_reminders_that_could_not_be_sent(client, chair, setting):
    home = _text(client.get("/"))
    assert "could not be sent" not in home
    assert 'href="/reminders/"' in home  # the log is in the chair's navigation

    for days in (1, 2):
        reminder_row(
            setting["case"], setting["lead"], state=ReminderState.FAILED, due_at=NOW - timedelta(days=days)
        )
    home = _text(client.get("/"))
    assert re.search(
        r'<a class="govuk-link" href="/reminders/\?state=failed">\s*2 reminders could not be sent</a>', home
    )


def test_other_roles_get_no_failed_reminder_warning(client, auth, setting):
    reminder_row(setting["case"], setting["lead"], state=ReminderState.FAILED)
    auth.as_role(Role.LEAD_PROFESSIONAL)
    assert "could not be sent" not in _text(client.get("/"))
