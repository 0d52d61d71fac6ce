"""A user's notifications through the pages: the header count, the list, opening one
(and not someone else's), marking all read, and choosing how reminders reach them."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
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
from tests.conftest import csrf_from, post_form

# A Monday in winter: London time is UTC.
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
HEADER_RE = re.compile(r'id="header-notifications"[^>]*>(.*?)</a>', re.S)


@pytest.fixture(autouse=True)
def _clock(app_ctx):
    set_now(NOW)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def reminder_row(
    case,
    recipient,
    kind=ReminderKind.REVIEW_DUE,
    *,
    channel=Channel.EMAIL,
    state=ReminderState.SENT,
    due_at=None,
    created_at=None,
    **values,
) -> Reminder:
    """A reminder row as reminders/delivery.py makes it (tests/services/test_reminders.py)."""
    due_at = due_at or NOW - timedelta(hours=1)
    row = Reminder(
        kind=ReminderKind(kind).value,
        record_id=values.pop("record_id", case.id),
        due_at=due_at,
        recipient_id=recipient.id,
        case_id=case.id,
        channel=Channel(channel).value,
        state=ReminderState(state).value,
        created_at=created_at or due_at,
        not_before=due_at,
        attempts=values.pop("attempts", 1),
        send_round=values.pop("send_round", 1),
        sent_at=due_at if state == ReminderState.SENT else None,
        **values,
    )
    db.session.add(row)
    db.session.commit()
    return row


def _tags(page: str, text: str) -> int:
    return len(re.findall(rf'<strong class="govuk-tag[^"]*">\s*{text}\s*</strong>', page))


def _header(client) -> str:
    match = HEADER_RE.search(_text(client.get("/")))
    assert match, "no notifications link in the header"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()


@pytest.fixture
def lead(auth):
    return db.session.get(User, auth.as_role(Role.LEAD_PROFESSIONAL))


@pytest.fixture
def case(lead):
    return factories.case(lead=lead, state=CaseState.MET_REVIEW, exploitation_types=["cse"])


def test_the_header_counts_unread_notifications_and_the_count_drops_after_opening_one(client, lead, case):
    review = reminder_row(case, lead, ReminderKind.REVIEW_DUE, due_at=NOW - timedelta(hours=2))
    rhi = reminder_row(
        case, lead, ReminderKind.RHI_OVERDUE, channel=Channel.DIGEST, state=ReminderState.PENDING
    )
    assert _header(client) == "Notifications (2 unread)"

    response = post_form(client, f"/notifications/{review.id}/open", page="/notifications/")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cases/{case.id}"
    assert _header(client) == "Notifications (1 unread)"
    assert client.get(response.headers["Location"]).status_code == 200

    # A Return Home Interview leads to the case's missing episodes.
    response = post_form(client, f"/notifications/{rhi.id}/open", page="/notifications/")
    assert response.headers["Location"] == f"/cases/{case.id}#missing"
    assert _header(client) == "Notifications (0 unread)"
    db.session.expire_all()
    assert db.session.get(Reminder, review.id).read_at == NOW


def test_the_list_says_what_is_due_and_when_newest_first_without_naming_the_child(client, lead, case):
    reminder_row(case, lead, ReminderKind.REVIEW_DUE, due_at=datetime(2026, 12, 7, 8, tzinfo=UTC))
    newer = reminder_row(
        case, lead, ReminderKind.RHI_OVERDUE, due_at=datetime(2026, 7, 1, 13, 30, tzinfo=UTC), created_at=NOW
    )

    page = _text(client.get("/notifications/"))
    assert "A MET review falls due on Monday 14 December 2026." in page
    assert "No Return Home Interview is recorded within 72 hours" in page
    assert "1 July 2026 14:30" in page  # due time in London (summer time)
    assert "7 December 2026 08:00" in page
    assert f"Case {case.id}" in page
    assert page.index("Return Home Interview overdue") < page.index("MET review due")
    assert _tags(page, "New") == 2
    assert f'action="/notifications/{newer.id}/open"' in page
    assert case.child.first_name not in page and case.child.last_name not in page


def test_a_cancelled_reminder_is_neither_listed_nor_counted(client, lead, case):
    cancelled = reminder_row(case, lead, state=ReminderState.CANCELLED)
    assert _header(client) == "Notifications (0 unread)"
    assert "You have no notifications." in _text(client.get("/notifications/"))
    # Opened from a list shown before it was cancelled: it still leads to the case.
    assert client.get(f"/notifications/{cancelled.id}").headers["Location"] == f"/cases/{case.id}"


def test_opening_someone_elses_notification_is_404_and_leaves_it_unread(client, lead, case):
    other = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    theirs = reminder_row(case, other)

    response = client.get(f"/notifications/{theirs.id}")
    assert response.status_code == 404
    assert client.get("/notifications/999999").status_code == 404
    db.session.expire_all()
    assert db.session.get(Reminder, theirs.id).read_at is None
    assert f"/notifications/{theirs.id}" not in _text(client.get("/notifications/"))
    assert post_form(client, f"/notifications/{theirs.id}/open", page="/notifications/").status_code == 404
    db.session.expire_all()
    assert db.session.get(Reminder, theirs.id).read_at is None
    denied = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "notification.open.denied", AuditEvent.record_id == str(theirs.id)
        )
    )
    assert denied.actor_user_id == lead.id


def test_mark_all_read_clears_the_count_and_leaves_other_peoples_rows(client, lead, case):
    other = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    mine = [reminder_row(case, lead, due_at=NOW - timedelta(days=d)) for d in (1, 2, 3)]
    theirs = reminder_row(case, other)
    assert "Mark all as read" in _text(client.get("/notifications/"))

    response = post_form(client, "/notifications/read-all", page="/notifications/")
    assert response.status_code == 302 and response.headers["Location"] == "/notifications/"
    page = _text(client.get("/notifications/"))
    assert "All your notifications are marked as read." in page
    assert "Mark all as read" not in page
    assert _tags(page, "Read") == 3
    assert _header(client) == "Notifications (0 unread)"
    db.session.expire_all()
    assert all(db.session.get(Reminder, r.id).read_at == NOW for r in mine)
    assert db.session.get(Reminder, theirs.id).read_at is None


def test_mark_all_read_needs_the_csrf_token(client, lead, case):
    row = reminder_row(case, lead)
    assert client.post("/notifications/read-all").status_code == 400
    db.session.expire_all()
    assert db.session.get(Reminder, row.id).read_at is None


def test_the_list_is_paginated(app, client, lead, case, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    rows = [reminder_row(case, lead, due_at=NOW - timedelta(days=d)) for d in (3, 2, 1)]
    first = _text(client.get("/notifications/"))
    assert (
        f'"/notifications/{rows[2].id}/open"' in first and f'"/notifications/{rows[0].id}/open"' not in first
    )
    second = _text(client.get("/notifications/?page=2"))
    assert f'"/notifications/{rows[0].id}/open"' in second
    assert client.get("/notifications/?page=x").status_code == 200


def test_a_reminder_made_by_the_scan_shows_for_an_in_app_only_user(client, lead, case):
    lead.notification_choice = "app_only"
    case.next_review_on = NOW.date() + timedelta(days=7)
    db.session.commit()

    assert reminders.make_due() == 1
    assert _header(client) == "Notifications (1 unread)"
    assert "A MET review falls due on Monday 14 December 2026." in _text(client.get("/notifications/"))


def test_the_header_has_no_notifications_link_when_signed_out(client):
    assert not HEADER_RE.search(_text(client.get("/login")))


# --- how reminders reach you ---------------------------------------------------------------


def test_choosing_in_app_only_saves_it_and_writes_an_audit_row(client, lead):
    account = _text(client.get("/account/"))
    assert "An e-mail for each reminder, and in METtrack" in account
    assert 'href="/account/notifications"' in account
    form = _text(client.get("/account/notifications"))
    assert "How should reminders reach you?" in form
    assert re.search(r'value="email_and_app"\s+checked', form)
    for label in ("Only in METtrack (no e-mail)", "One e-mail a day listing what fell due, and in METtrack"):
        assert label in form

    response = post_form(
        client, "/account/notifications", {"notification_choice": "app_only"}, page="/account/notifications"
    )
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    db.session.expire_all()
    assert db.session.get(User, lead.id).notification_choice == "app_only"
    page = _text(client.get("/account/"))
    assert "Reminders will reach you this way from now on: Only in METtrack (no e-mail)." in page
    assert re.search(r'value="app_only"\s+checked', _text(client.get("/account/notifications")))
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.notification_choice"))
    assert (row.actor_user_id, row.record_type, row.record_id) == (lead.id, "user", str(lead.id))
    assert '"choice": "app_only"' in row.detail and '"previous": "email_and_app"' in row.detail


@pytest.mark.parametrize("value", ["weekly", "", "APP_ONLY"])
def test_a_bad_choice_is_refused_naming_the_field_and_changes_nothing(client, lead, value):
    token = csrf_from(client.get("/account/notifications"))
    response = client.post("/account/notifications", data={"notification_choice": value, "csrf_token": token})
    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page
    assert 'href="#notification_choice"' in page
    assert "Choose how reminders reach you" in page
    db.session.expire_all()
    assert db.session.get(User, lead.id).notification_choice == "email_and_app"
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.notification_choice"))
        is None
    )


def test_turning_e_mail_off_stops_the_e_mails_already_waiting(app, client, auth):
    user_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    moment = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    with app.app_context():
        lead = db.session.get(User, user_id)
        lead.notification_choice = "daily_digest"
        case = factories.case(lead=lead, state="met_review", exploitation_types=["cse"])
        case.next_review_on = moment.date() + timedelta(days=7)
        db.session.commit()
        set_now(moment)
        assert reminders.make_due() == 1

    response = post_form(
        client, "/account/notifications", {"notification_choice": "app_only"}, page="/account/notifications"
    )
    assert response.status_code == 302

    with app.app_context():
        (row,) = db.session.scalars(select(Reminder)).all()
        assert (row.channel, row.state) == ("app", "sent")
        assert reminders.to_enqueue(moment + timedelta(days=1)) == []


def test_the_emails_link_leads_to_the_case_and_changes_nothing(client, lead, case):
    # Issue 15, finding 10: GET /notifications/<id> marked the notification read. A GET is
    # followed by link previews and prefetches too: it must not change anything.
    review = reminder_row(case, lead, ReminderKind.REVIEW_DUE)

    response = client.get(f"/notifications/{review.id}")

    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{case.id}"
    db.session.expire_all()
    assert db.session.get(Reminder, review.id).read_at is None
    assert _header(client) == "Notifications (1 unread)"
    assert client.post(f"/notifications/{review.id}/open").status_code == 400  # no CSRF token
