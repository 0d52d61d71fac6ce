"""The demo data's MET meetings (mettrack/demo/meetings.py): a new user sees a series with
an issued agenda, approved minutes and open actions at once; loading again adds nothing;
and every text the demo puts in a meeting passes the language check."""

from sqlalchemy import func, select

from mettrack.cases.models import Case, CaseEvent
from mettrack.core.choices import ActionStatus, AgendaSection, CaseState, PdfStatus
from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.demo import meetings as demo_meetings
from mettrack.demo.load import load_demo
from mettrack.language import phrases as language_phrases
from mettrack.meetings.models import (
    ActionEvent,
    AgendaItem,
    AgendaPdf,
    AgendaVersion,
    Attendance,
    ClosureProposal,
    ItemMinute,
    LeadUpdate,
    Meeting,
    MeetingAction,
    MeetingSeries,
    MinutesVersion,
)
from tests.demo_data import load_demo_snapshot

COUNTED = (
    MeetingSeries,
    Meeting,
    AgendaItem,
    AgendaVersion,
    AgendaPdf,
    LeadUpdate,
    ClosureProposal,
    Attendance,
    ItemMinute,
    MinutesVersion,
    MeetingAction,
    ActionEvent,
    CaseEvent,
)


def _counts() -> list[int]:
    return [db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED]


def _meetings() -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).order_by(Meeting.starts_at)))


def test_the_demo_has_a_series_with_an_issued_agenda_approved_minutes_and_open_actions(app_ctx):
    load_demo_snapshot()
    counts = _counts()

    series = db.session.scalars(select(MeetingSeries)).one()
    assert series.title == demo_meetings.SERIES_TITLE
    meetings = _meetings()
    assert len(meetings) == 12 and all(m.series_id == series.id for m in meetings)
    past = [m for m in meetings if m.starts_at < now()]
    upcoming = [m for m in meetings if m.starts_at > now()]
    assert len(past) >= 2

    # The last past meeting: issued agenda, decisions applied, minutes approved.
    last = db.session.scalars(select(Meeting).join(MinutesVersion)).one()
    assert last.decisions_applied_at is not None
    assert [
        v.number for v in db.session.scalars(select(AgendaVersion).where(AgendaVersion.meeting_id == last.id))
    ] == [1]
    minutes = db.session.scalars(select(MinutesVersion).where(MinutesVersion.meeting_id == last.id)).one()
    assert minutes.content["attendance"]["quorum"]["quorate"] is True
    assert any(p["observer"] for p in minutes.content["attendance"]["people"])
    assert any(p["information_sent"] for p in minutes.content["attendance"]["people"])
    tiered = db.session.scalars(
        select(Case)
        .join(CaseEvent)
        .where(CaseEvent.reason.like("MET meeting on %"), CaseEvent.action == "set_police_tier")
    ).one()
    assert (tiered.state, tiered.police_tier) == (CaseState.POLICE_TIERED, demo_meetings.TIER)
    assert (
        db.session.scalar(
            select(func.count()).select_from(LeadUpdate).where(LeadUpdate.meeting_id == last.id)
        )
        == 1
    )

    # Actions: one done, the others open and due after today (so they stay open).
    actions = list(db.session.scalars(select(MeetingAction).where(MeetingAction.meeting_id == last.id)))
    assert sorted(a.status for a in actions) == ["done", "open", "open"]
    open_actions = [a for a in actions if a.status == ActionStatus.OPEN]
    assert all(a.due_on > now().date() for a in open_actions)

    # The next meeting: its agenda issued as version 1 with the open actions rolled forward.
    following = upcoming[0]
    assert [
        v.number
        for v in db.session.scalars(select(AgendaVersion).where(AgendaVersion.meeting_id == following.id))
    ] == [1]
    items = {
        i.case_id: i
        for i in db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == following.id))
    }
    for action in open_actions:
        reasons = [r["section"] for r in items[action.case_id].reasons]
        assert AgendaSection.OPEN_ACTIONS.value in reasons
    assert (
        any(i.section == AgendaSection.CLOSURE_PROPOSED for i in items.values())
        or db.session.scalar(select(func.count()).select_from(ClosureProposal)) == 1
    )
    assert (
        db.session.scalar(
            select(func.count()).select_from(LeadUpdate).where(LeadUpdate.meeting_id == following.id)
        )
        == 1
    )
    # The PDFs of both issued agendas are built at once, not left for the worker.
    pdfs = list(db.session.scalars(select(AgendaPdf)))
    assert len(pdfs) == 4 and {p.status for p in pdfs} == {PdfStatus.READY.value}

    load_demo()  # idempotent: nothing added the second time
    assert _counts() == counts


def test_the_demo_meeting_texts_pass_the_language_check(app_ctx):
    load_demo_snapshot()
    texts = [
        demo_meetings.LEAD_UPDATE_PAST,
        demo_meetings.LEAD_UPDATE_NEXT,
        demo_meetings.CLOSURE_REASON,
        demo_meetings.DISCUSSION_HIGH,
        demo_meetings.DISCUSSION_TIERED,
        demo_meetings.DISCUSSION_OTHER,
        demo_meetings.ACTION_DONE,
        demo_meetings.ACTION_DONE_NOTE,
        demo_meetings.ACTION_SERVICE,
        demo_meetings.ACTION_POLICE,
        *db.session.scalars(select(LeadUpdate.text)),
        *db.session.scalars(select(ClosureProposal.reason)),
        *db.session.scalars(select(ItemMinute.discussion)),
        *db.session.scalars(select(MeetingAction.description)),
        *db.session.scalars(select(MeetingAction.outcome_note)),
    ]
    assert len(texts) > 10
    assert {
        text: language_phrases.check_text(text) for text in texts if language_phrases.check_text(text)
    } == {}


def test_the_demo_meetings_pages_show_for_the_chair_and_a_member(app, client, auth):
    from mettrack.demo.load import DEMO_PASSWORD

    with app.app_context():
        load_demo_snapshot()
        last = db.session.scalars(select(Meeting).join(MinutesVersion)).one().id
        following = db.session.scalars(
            select(Meeting).where(Meeting.starts_at > now()).order_by(Meeting.starts_at).limit(1)
        ).one()
        following_id = following.id
        action = db.session.scalars(select(MeetingAction).where(MeetingAction.status == "open")).first().id

    pages = [
        "/meetings",
        "/meetings/mine",
        f"/meetings/{last}",
        f"/meetings/{last}/agenda/versions",
        f"/meetings/{last}/agenda/versions/1",
        f"/meetings/{last}/agenda/versions/1/sanitised",
        f"/meetings/{last}/agenda/versions/1.pdf",
        f"/meetings/{last}/attendance",
        f"/meetings/{last}/minutes",
        f"/meetings/{last}/actions",
        f"/meetings/{following_id}/agenda/versions/1",
        "/actions/",
        f"/actions/{action}",
    ]
    for email in ("chair@demo.mettrack.test", "partner@demo.mettrack.test"):
        auth.login(email, DEMO_PASSWORD)
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, (email, page, response.status_code)
        assert client.get(f"/meetings/{last}/agenda/versions/1.pdf").data.startswith(b"%PDF")
        auth.logout()
    auth.login("chair@demo.mettrack.test", DEMO_PASSWORD)
    assert demo_meetings.SERIES_TITLE in client.get("/meetings").get_data(as_text=True)
    assert client.get(f"/meetings/{following_id}/agenda").status_code == 200


def test_a_demo_loaded_before_meetings_existed_gets_them_on_the_next_load(app_ctx):
    from unittest import mock

    with mock.patch.object(demo_meetings, "steps", return_value=[]):
        load_demo()  # the cases only, as a demo database made before meetings were added
    assert not demo_meetings.loaded()

    load_demo()  # the meeting steps run alone, after the cases

    assert demo_meetings.loaded()
    assert db.session.scalar(select(func.count()).select_from(MinutesVersion)) == 1
    assert db.session.scalar(select(func.count()).select_from(AgendaVersion)) == 2
    statuses = sorted(db.session.scalars(select(MeetingAction.status)))
    assert statuses == ["done", "open", "open"]
