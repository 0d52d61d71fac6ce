"""Issuing a meeting's agenda: frozen, numbered versions, what changed, carried-forward
actions, and the refusals (meetings/issue.py)."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from mettrack.core.choices import ActionEventKind, AgendaSection, AgendaView, MeetingStatus, PdfStatus, Role
from mettrack.core.clock import now, set_now
from mettrack.core.errors import NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.meetings import issue
from mettrack.meetings.models import ActionEvent, AgendaPdf, AgendaVersion, MeetingAction
from tests import factories
from tests.meetings import factories as meeting_factories
from tests.meetings.issue_support import audit_rows, meeting_with_agenda, on_agenda, open_case

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(app_ctx):
    set_now(NOW)
    yield
    set_now(None)


def _names(version, copy="full") -> list[str]:
    agenda = getattr(version, copy)
    return [item["card"]["name"] for s in agenda["sections"] for item in s["items"]]


def test_issuing_stores_a_frozen_version_that_later_changes_to_cases_do_not_touch():
    meeting, cases = meeting_with_agenda(2)
    chair = meeting.chair
    version = issue.issue_agenda(chair, meeting.id, note="First issue")
    assert version.number == 1 and version.changes == [] and version.note == "First issue"
    assert version.full["meeting"]["title"] == meeting.title
    assert version.full["meeting"]["chair"] == chair.name
    first_names = _names(version)
    assert first_names == [c.child.display_name for c in cases]
    assert version.full["sections"][0]["section"] == AgendaSection.HIGH_RISK.value
    assert version.full["sections"][0]["items"][0]["reasons"] == [
        {"section": "high_risk", "text": "high risk"}
    ]
    # Two pending PDFs, one per copy.
    pdfs = db.session.scalars(select(AgendaPdf).where(AgendaPdf.agenda_version_id == version.id)).all()
    assert sorted(p.view for p in pdfs) == ["full", "sanitised"]
    assert {p.status for p in pdfs} == {PdfStatus.PENDING.value}
    issued_full = version.full

    # The cases change after issuing: the child is renamed, moves address.
    child = cases[0].child
    child.first_name, child.address = "Renamed", "99 Other Road, Elsewhere"
    db.session.commit()
    db.session.expire_all()

    read = issue.read_version(chair, meeting.id, 1)
    assert read.agenda == issued_full
    assert _names(read.version) == first_names
    assert "Renamed" not in str(read.agenda) and "99 Other Road" not in str(read.agenda)
    rows = audit_rows("agenda.issued")
    assert rows[-1]["record_id"] == meeting.id and rows[-1]["detail"]["version"] == 1
    assert rows[-1]["detail"]["case_ids"] == [c.id for c in cases]


def test_reissuing_makes_version_2_with_what_changed():
    meeting, cases = meeting_with_agenda(3)
    chair = meeting.chair
    issue.issue_agenda(chair, meeting.id)
    # After version 1: one child's address changes, one item is removed, one case added,
    # one moved to another section.
    cases[0].child.address = "2 New Street, Testtown"
    from mettrack.meetings.models import AgendaItem

    items = {
        i.case_id: i
        for i in db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
    }
    items[cases[1].id].removed_at = now()
    items[cases[1].id].removed_reason = "Discussed last week"
    items[cases[2].id].section = AgendaSection.REVIEW_DUE.value
    db.session.commit()
    added = open_case()
    on_agenda(
        meeting,
        added,
        section=AgendaSection.NEW_REFERRALS,
        reasons=[{"section": "new_referrals", "text": "referred on 1 March"}],
    )

    version = issue.issue_agenda(chair, meeting.id, note="Corrected")
    assert version.number == 2
    by_kind = {c["kind"]: c for c in version.changes}
    assert set(by_kind) == {"added", "removed", "moved", "changed"}
    assert by_kind["added"]["case_id"] == added.id
    assert by_kind["removed"]["case_id"] == cases[1].id
    assert by_kind["moved"]["case_id"] == cases[2].id
    assert by_kind["moved"]["to_section"] == AgendaSection.REVIEW_DUE.label
    assert by_kind["changed"]["case_id"] == cases[0].id
    assert [f["field"] for f in by_kind["changed"]["fields"]] == ["address"]
    assert by_kind["changed"]["fields"][0]["after"] == "2 New Street, Testtown"
    # Sections in agenda order; version 1 is as it was.
    assert [s["section"] for s in version.full["sections"]] == ["new_referrals", "high_risk", "review_due"]
    one = issue.read_version(chair, meeting.id, 1)
    assert [s["section"] for s in one.agenda["sections"]] == ["high_risk"]
    assert len(one.agenda["sections"][0]["items"]) == 3
    # The sanitised copy's changes are worked out over sanitised copies: no address.
    two = issue.read_version(chair, meeting.id, 2, AgendaView.SANITISED)
    assert {c["kind"] for c in two.changes} == {"added", "removed", "moved"}
    assert "2 New Street" not in str(two.changes)
    listed = issue.list_versions(chair, meeting.id)
    assert [v.number for v in listed.versions] == [2, 1]


def test_an_empty_agenda_or_a_cancelled_meeting_is_refused():
    chair = factories.user(roles=[Role.MET_CHAIR])
    meeting = meeting_factories.meeting(chair=chair)
    with pytest.raises(ValidationError) as refused:
        issue.issue_agenda(chair, meeting.id)
    assert "no items" in refused.value.errors["agenda"]
    item = on_agenda(meeting, open_case())
    item.removed_at = now()
    db.session.commit()
    with pytest.raises(ValidationError):  # only removed items: still empty
        issue.issue_agenda(chair, meeting.id)
    item.removed_at = None
    meeting.status = MeetingStatus.CANCELLED.value
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        issue.issue_agenda(chair, meeting.id)
    assert "cancelled" in refused.value.errors["agenda"]
    with pytest.raises(ValidationError) as refused:
        issue.issue_agenda(chair, meeting.id, note="x" * 1001)
    assert db.session.scalar(select(func.count()).select_from(AgendaVersion)) == 0


def test_only_a_met_chair_issues_and_only_members_read():
    member = factories.user(roles=[Role.PARTNER])
    outsider = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    analyst = factories.user(roles=[Role.ANALYST])
    meeting, _cases = meeting_with_agenda(1, members=[member])
    with pytest.raises(NotAllowed):
        issue.issue_agenda(member, meeting.id)
    other_chair = factories.user(roles=[Role.MET_CHAIR])
    issue.issue_agenda(other_chair, meeting.id)  # chairs deputise for each other
    assert issue.read_version(member, meeting.id).version.number == 1
    with pytest.raises(NotFound):
        issue.read_version(outsider, meeting.id)
    with pytest.raises(NotFound):
        issue.list_versions(outsider, meeting.id)
    with pytest.raises(NotAllowed):
        issue.read_version(analyst, meeting.id)
    with pytest.raises(NotFound):
        issue.read_version(member, meeting.id, 7)


def test_every_read_writes_an_audit_row_naming_the_meeting():
    member = factories.user(roles=[Role.COORDINATOR])
    meeting, _cases = meeting_with_agenda(1, members=[member])
    issue.issue_agenda(meeting.chair, meeting.id)
    issue.read_version(member, meeting.id, 1)
    issue.read_version(member, meeting.id, 1, AgendaView.SANITISED)
    issue.list_versions(member, meeting.id)
    issue.read_pdf(member, meeting.id, 1, AgendaView.SANITISED)
    rows = audit_rows("agenda.viewed")
    assert len(rows) == 4
    assert all(r["record_type"] == "meeting" and r["record_id"] == meeting.id for r in rows)
    assert all(r["actor_user_id"] == member.id and r["detail"]["reason"] == "meeting" for r in rows)
    assert [r["detail"].get("copy") for r in rows] == ["full", "sanitised", None, "sanitised"]
    assert rows[3]["detail"]["format"] == "pdf"


def test_open_actions_from_earlier_meetings_are_carried_forward_once():
    chair = factories.user(roles=[Role.MET_CHAIR])
    earlier = meeting_factories.meeting(chair=chair, starts_at=datetime(2026, 2, 10, 10, tzinfo=UTC))
    meeting = meeting_factories.meeting(chair=chair)
    case, other = open_case(), open_case()
    on_agenda(meeting, case)

    def action(on_case, status="open"):
        a = MeetingAction(
            meeting_id=earlier.id,
            case_id=on_case.id,
            description="Arrange a strategy meeting",
            owner_id=chair.id,
            due_on=date(2026, 3, 1),
            status=status,
            created_by_id=chair.id,
        )
        db.session.add(a)
        db.session.commit()
        return a

    open_one, done_one, off_agenda = action(case), action(case, "done"), action(other)
    issue.issue_agenda(chair, meeting.id)
    issue.issue_agenda(chair, meeting.id)  # version 2: no second event
    events = db.session.scalars(
        select(ActionEvent).where(ActionEvent.kind == ActionEventKind.CARRIED_FORWARD.value)
    ).all()
    assert [(e.action_id, e.meeting_id) for e in events] == [(open_one.id, meeting.id)]
    assert done_one.id not in {e.action_id for e in events} and off_agenda.id not in {
        e.action_id for e in events
    }
