"""The attendance and minutes pages: the chair records, applies and approves; members read
the approved minutes; a non-member gets 404 and a role without meetings 403."""

import re

from sqlalchemy import select

from mettrack.cases.models import Case
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.extensions import db
from mettrack.meetings import minutes
from mettrack.meetings.models import Attendance, ItemMinute, MinutesVersion
from tests import factories
from tests.conftest import post_form
from tests.dates import date_fields
from tests.meetings import factories as meeting_factories
from tests.meetings.minutes_setup import MEETING_AT, on_agenda, start


def _world(app, auth, *, chair_signed_in=True):
    with app.app_context():
        start()
        chair = factories.user(roles=[Role.MET_CHAIR])
        member = factories.user(roles=[Role.PARTNER])
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        meeting = meeting_factories.meeting(chair=chair, members=[member, lead], starts_at=MEETING_AT)
        ok = factories.case(lead=lead, state=CaseState.MET_REVIEW)
        late = factories.case(lead=lead, state=CaseState.MET_REVIEW)
        on_agenda(meeting, ok, late)
        ids = {
            "chair": chair.id,
            "member": member.id,
            "lead": lead.id,
            "meeting": meeting.id,
            "ok": ok.id,
            "late": late.id,
            "emails": {"chair": chair.email, "member": member.email, "lead": lead.email},
        }
    if chair_signed_in:
        auth.login(ids["emails"]["chair"])
    return ids


def test_chair_records_an_item_applies_and_approves(app, client, auth):
    w = _world(app, auth)
    page = f"/meetings/{w['meeting']}/minutes"
    r = client.get(page)
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert f'id="item-{w["ok"]}"' in text and "Apply decisions" in text and "Not quorate" in text

    r = post_form(
        client,
        f"{page}/items/{w['ok']}",
        {
            "discussion": "The lead described the safety plan.",
            "police_tier": "high",
            "police_team": "hants_met_team",
            "actions-0-description": "Share the plan with the school",
            "actions-0-owner_id": str(w["lead"]),
            **date_fields("actions-0-due_on", "2026-03-24"),
        },
        page=page,
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    text = client.get(page).get_data(as_text=True)
    assert "Share the plan with the school" in text and "The lead described the safety plan." in text

    assert post_form(client, f"{page}/apply", page=page).status_code == 302
    with app.app_context():
        assert db.session.get(Case, w["ok"]).state == CaseState.POLICE_TIERED
    timeline = client.get(f"/cases/{w['ok']}").get_data(as_text=True)
    assert f"MET meeting on 10 March 2026 (meeting {w['meeting']})" in timeline

    # after applying, the form takes the discussion (and new actions) only
    r = post_form(
        client, f"{page}/items/{w['ok']}", {"discussion": "Plan agreed with the family."}, page=page
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    r = post_form(client, f"{page}/approve", page=page)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"{page}/versions/1")
    r = client.get(f"{page}/versions/1")
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "Share the plan with the school" in text
    assert "Plan agreed with the family." in text and "Hants MET Team" in text


def test_refused_decision_is_shown_beside_its_item_and_nothing_applied(app, client, auth):
    w = _world(app, auth)
    page = f"/meetings/{w['meeting']}/minutes"
    for case_id in (w["ok"], w["late"]):
        data = {"police_tier": "high", "police_team": "hants_met_team"}
        assert post_form(client, f"{page}/items/{case_id}", data, page=page).status_code == 302
    with app.app_context():  # closed since the agenda was issued
        from mettrack.cases import apply

        chair = db.session.get(type(factories.user(roles=[Role.MET_CHAIR])), w["chair"])
        apply(
            chair, w["late"], "close", {"exit_reason": "turned_18"}, db.session.get(Case, w["late"]).version
        )

    r = post_form(client, f"{page}/apply", page=page)
    assert r.status_code == 400
    text = r.get_data(as_text=True)
    assert "Nothing was applied" in text
    item = text[text.index(f'id="item-{w["late"]}"') :]
    assert f'id="refused-{w["late"]}"' in item[:3000] and "Police tier" in item[:3000]
    assert f'id="refused-{w["ok"]}"' not in text
    with app.app_context():
        assert db.session.get(Case, w["ok"]).state == CaseState.MET_REVIEW
        assert all(m.applied_at is None for m in db.session.scalars(select(ItemMinute)))


def test_wording_flagged_in_the_discussion_is_not_saved_until_confirmed(app, client, auth):
    w = _world(app, auth)
    page = f"/meetings/{w['meeting']}/minutes"
    data = {"discussion": "She is putting herself at risk by going out."}
    r = post_form(client, f"{page}/items/{w['ok']}", data, page=page)
    assert r.status_code == 400 and "Check the wording" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ItemMinute)) is None
    r = post_form(client, f"{page}/items/{w['ok']}", {**data, "save_anyway": "yes"}, page=page)
    assert r.status_code == 302


def test_attendance_page_records_and_refuses_an_unsigned_observer(app, client, auth):
    w = _world(app, auth)
    page = f"/meetings/{w['meeting']}/attendance"
    r = client.get(page)
    assert r.status_code == 200 and "Confidentiality statement" in r.get_data(as_text=True)
    r = post_form(client, page, {"name": "A. Visitor", "observer": "yes", "status": "present"}, page=page)
    assert r.status_code == 400 and "signs the confidentiality statement" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Attendance)) is None
    r = post_form(
        client,
        page,
        {"name": "A. Visitor", "observer": "yes", "status": "present", "confidentiality_signed": "yes"},
        page=page,
    )
    assert r.status_code == 302
    assert (
        post_form(client, page, {"user_id": str(w["member"]), "status": "present"}, page=page).status_code
        == 302
    )
    text = client.get(page).get_data(as_text=True)
    assert "A. Visitor" in text and "confidentiality statement signed" in text


def test_member_reads_approved_minutes_and_non_member_gets_404(app, client, auth):
    w = _world(app, auth, chair_signed_in=False)
    with app.app_context():
        chair = db.session.get(type(factories.user(roles=[Role.MET_CHAIR])), w["chair"])
        minutes.record_item(chair, w["meeting"], w["ok"], {"discussion": "Discussed at length."})
        minutes.approve(chair, w["meeting"])
    auth.login(w["emails"]["member"])
    page = f"/meetings/{w['meeting']}/minutes"
    r = client.get(page)
    assert r.status_code == 200 and "Discussed at length." in r.get_data(as_text=True)
    assert "Apply decisions" not in r.get_data(as_text=True)
    assert client.get(f"{page}/versions/1").status_code == 200
    assert client.get(f"{page}/versions/2").status_code == 404
    assert client.get(f"/meetings/{w['meeting']}/attendance").status_code == 200
    assert post_form(client, f"{page}/approve", page=page).status_code == 403
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "minutes.viewed").order_by(AuditEvent.seq)
        ).all()
        # the page, version 1, the page again (for the form's token)
        assert [r.actor_user_id for r in rows] == [w["member"]] * 3
        assert all(r.record_id == str(w["meeting"]) and '"reason": "meeting"' in r.detail for r in rows)

    auth.logout()
    auth.as_role(Role.PARTNER)  # not invited
    assert client.get(page).status_code == 404
    assert client.get(f"{page}/versions/1").status_code == 404
    auth.logout()
    auth.as_role(Role.ANALYST)
    assert client.get(page).status_code == 403


def test_member_sees_that_minutes_are_not_approved_yet(app, client, auth):
    w = _world(app, auth, chair_signed_in=False)
    auth.login(w["emails"]["lead"])
    r = client.get(f"/meetings/{w['meeting']}/minutes")
    assert r.status_code == 200 and "have not been approved yet" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(MinutesVersion)) is None


def test_a_bad_item_form_is_shown_again_with_its_messages(app, client, auth):
    w = _world(app, auth)
    page = f"/meetings/{w['meeting']}/minutes"
    data = {"discussion": "Kept as typed.", "close": "yes", "actions-0-description": "Something"}
    r = post_form(client, f"{page}/items/{w['ok']}", data, page=page)
    assert r.status_code == 400
    text = r.get_data(as_text=True)
    assert "Choose the exit reason for closing the case" in text
    assert f'href="#c{w["ok"]}-exit_reason"' in text and f'href="#c{w["ok"]}-actions-0-owner_id"' in text
    assert "Kept as typed." in text
    with app.app_context():
        assert db.session.scalar(select(ItemMinute)) is None


def test_an_observer_recorded_without_a_signature_is_flagged(app, client, auth):
    w = _world(app, auth)
    with app.app_context():  # as an import or an older record might hold one
        db.session.add(
            Attendance(
                meeting_id=w["meeting"],
                name="Unsigned visitor",
                status="present",
                observer=True,
                recorded_by_id=w["chair"],
            )
        )
        db.session.commit()
    text = " ".join(client.get(f"/meetings/{w['meeting']}/attendance").get_data(as_text=True).split())
    assert "must not see anything: Unsigned visitor" in text


def test_the_meetings_working_pages_lead_back_to_the_meeting(app, client, auth):
    w = _world(app, auth)
    for tab in ("minutes", "attendance", "agenda"):
        r = client.get(f"/meetings/{w['meeting']}/{tab}")
        assert r.status_code == 200, tab
        back = re.search(
            r'<nav class="mettrack-back" aria-label="Back">(.*?)</nav>', r.get_data(as_text=True), re.S
        )
        assert back and f'href="/meetings/{w["meeting"]}"' in back.group(1), tab
        assert "Back to the meeting" in back.group(1), tab
