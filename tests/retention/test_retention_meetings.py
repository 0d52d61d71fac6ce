"""Deleting a case with meeting history and intelligence links (docs/retention.md, issue 15):
the other children's agenda items, minutes and intelligence stay; this child's data goes,
frozen agenda and minutes copies keep a placeholder in its place, all in one commit; the
weekly review tells the administrators, naming no child. On PostgreSQL (the text search
of every table reads each row as text)."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, func, select, text

from mettrack.cases.models import Case
from mettrack.children.models import Child
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import AgendaSection, CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.intelligence.models import IntelligenceItem, IntelligenceLink
from mettrack.meetings import issue
from mettrack.meetings.minutes import _snapshot as approved_copy
from mettrack.meetings.models import (
    AgendaItem,
    AgendaPdf,
    AgendaVersion,
    ItemMinute,
    Meeting,
    MeetingAction,
    MinutesVersion,
)
from mettrack.reminders.models import Reminder
from mettrack.reminders.rules import ReminderKind
from mettrack.retention import review
from tests import factories
from tests.conftest import post_form
from tests.intelligence import factories as intel
from tests.meetings import factories as meeting_factories

LATER = datetime(2060, 6, 1, 9, 0, tzinfo=UTC)
GONE = "Quillfeather"  # the deleted child's surname: found nowhere afterwards
KEPT = "Brackenbury"  # the other child's


@pytest.fixture
def world(app_ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("reads every row as text: PostgreSQL")
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    admin = factories.user(roles=[Role.ADMIN])
    chair = factories.user(roles=[Role.MET_CHAIR])
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    gone = factories.case(
        lead=lead,
        state=CaseState.MET_REVIEW,
        child_obj=factories.child(first_name="Zebedee", last_name=GONE, date_of_birth=date(2011, 4, 5)),
    )
    kept = factories.case(
        lead=lead,
        state=CaseState.MET_REVIEW,
        child_obj=factories.child(first_name="Ottoline", last_name=KEPT, date_of_birth=date(2010, 1, 9)),
    )
    meeting = meeting_factories.meeting(chair=chair, starts_at=datetime(2026, 3, 10, 10, tzinfo=UTC))
    for n, case in enumerate((gone, kept)):
        db.session.add(
            AgendaItem(
                meeting_id=meeting.id,
                case_id=case.id,
                section=AgendaSection.HIGH_RISK.value,
                position=n,
                reasons=[{"section": "high_risk", "text": f"high risk ({case.child.last_name})"}],
            )
        )
    db.session.commit()
    version = issue.issue_agenda(chair, meeting.id)
    for case in (gone, kept):
        name = case.child.last_name
        db.session.add(
            ItemMinute(
                meeting_id=meeting.id,
                case_id=case.id,
                discussion=f"{name} discussed",
                recorded_by_id=chair.id,
            )
        )
        db.session.add(
            MeetingAction(
                meeting_id=meeting.id,
                case_id=case.id,
                description=f"Visit {name} at school",
                owner_id=lead.id,
                due_on=date(2026, 3, 20),
                created_by_id=chair.id,
            )
        )
    for pdf in db.session.scalars(select(AgendaPdf).where(AgendaPdf.agenda_version_id == version.id)):
        pdf.status, pdf.content = "built", GONE.encode()  # as the worker would have built it
    db.session.commit()
    minutes = approved_copy(db.session.get(Meeting, meeting.id))  # as approving freezes it
    db.session.add(
        MinutesVersion(
            meeting_id=meeting.id, number=1, approved_by_id=chair.id, approved_at=LATER, content=minutes
        )
    )
    db.session.commit()
    # The child's case closes after the meeting.
    gone.state, gone.closed_at = CaseState.CLOSED.value, datetime(2026, 4, 1, tzinfo=UTC)
    db.session.commit()
    sharer = intel.police_user(Role.PARTNER)
    only = intel.item(sharer, handling="P", cases=[gone], information=f"Zebedee {GONE} seen at the station")
    shared = intel.item(sharer, handling="P", cases=[gone, kept], information=f"{GONE} and {KEPT} together")
    place = intel.location(sharer)
    placed = intel.item(sharer, handling="P", cases=[gone], locations=[place], information="A car outside")
    other = intel.item(sharer, handling="P", cases=[kept], information=f"{KEPT} at the park")
    set_now(LATER)
    yield {
        "admin": admin,
        "chair": chair,
        "gone": gone.id,
        "child": gone.child_id,
        "kept": kept.id,
        "meeting": meeting.id,
        "version": version.id,
        "only": only.id,
        "shared": shared.id,
        "placed": placed.id,
        "other": other.id,
    }
    set_now(None)


def _hits(word: str) -> dict[str, list]:
    """Every table whose rows, read as text, contain `word`: table -> the rows' ids."""
    found = {}
    for table in db.metadata.sorted_tables:
        key = "id" if "id" in table.c else next(iter(table.primary_key.columns)).name
        rows = db.session.execute(
            text(f'SELECT t."{key}" FROM "{table.name}" AS t WHERE t::text ILIKE :p'), {"p": f"%{word}%"}
        ).scalars()
        ids = list(rows)
        if ids:
            found[table.name] = ids
    return found


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_case_with_meeting_history_and_intelligence_is_deleted_in_one_commit(world):
    assert review.meeting_history(world["gone"]) == 3  # agenda item, minute, action
    there = {
        "children",
        "agenda_items",
        "agenda_versions",
        "item_minutes",
        "meeting_actions",
        "minutes_versions",
    }
    assert there | {"intelligence_items"} == set(_hits(GONE))  # there before
    commits = []

    def count(_session):
        commits.append(1)

    session = db.session()
    event.listen(session, "after_commit", count)
    try:
        done = review.delete_case(world["admin"], world["gone"], "yes")
    finally:
        event.remove(session, "after_commit", count)
    assert len(commits) == 1
    db.session.expire_all()

    # This child's data is gone: found nowhere but in the item reported for review.
    assert done.intelligence_to_review == sorted([world["shared"], world["placed"]])
    assert _hits(GONE) == {"intelligence_items": [world["shared"]]}
    assert _hits("Zebedee") == {}
    assert db.session.get(Case, world["gone"]) is None
    assert db.session.get(Child, world["child"]) is None
    assert db.session.get(IntelligenceItem, world["only"]) is None
    for model in (AgendaItem, ItemMinute, MeetingAction):
        assert _count(model, model.case_id == world["gone"]) == 0
    assert _count(IntelligenceLink, IntelligenceLink.case_id == world["gone"]) == 0

    # The other child's records and the shared intelligence stand.
    for model in (AgendaItem, ItemMinute, MeetingAction):
        assert _count(model, model.case_id == world["kept"]) == 1
    assert db.session.get(IntelligenceItem, world["other"]) is not None
    assert db.session.get(IntelligenceItem, world["placed"]) is not None
    shared = db.session.get(IntelligenceItem, world["shared"])
    assert [link.case_id for link in shared.links] == [world["kept"]]
    assert there <= set(_hits(KEPT))

    # The frozen copies: a placeholder in the child's place, the other child's item intact.
    version = db.session.get(AgendaVersion, world["version"])
    items = [i for s in version.full["sections"] for i in s["items"]]
    assert [i["number"] for i in items] == [1, 2]
    removed = next(i for i in items if i["case_id"] == world["gone"])
    assert removed["card"]["name"] == "A record removed under the retention policy on 1 June 2060"
    assert KEPT in json.dumps(version.full) and KEPT[0] in json.dumps(version.sanitised)
    minutes = db.session.scalar(select(MinutesVersion).where(MinutesVersion.meeting_id == world["meeting"]))
    headings = [i["heading"] for i in minutes.content["items"]]
    assert headings[0].startswith("A record removed under the retention policy")
    assert KEPT in headings[1] and minutes.content["items"][1]["discussion"] == f"{KEPT} discussed"
    assert minutes.content["items"][0]["actions"] == [] and minutes.content["items"][1]["actions"]
    pdfs = db.session.scalars(select(AgendaPdf).where(AgendaPdf.agenda_version_id == world["version"]))
    assert {(p.status, p.content) for p in pdfs} == {("pending", None)}  # built again from the redacted copy

    # The audit row: ids and counts, no personal data.
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention.deleted"))
    detail = json.loads(row.detail)
    assert detail["intelligence_deleted"] == [world["only"]]
    assert detail["intelligence_to_review"] == sorted([world["shared"], world["placed"]])
    assert detail["redacted"] == {"agenda_versions": 1, "minutes_versions": 1}
    assert detail["rows"]["agenda_items"] == 1 and detail["rows"]["item_minutes"] == 1
    assert GONE not in row.detail and "Zebedee" not in row.detail


def test_the_issued_agenda_page_shows_the_placeholder_and_no_link(world, client, auth):
    review.delete_case(world["admin"], world["gone"], "yes")
    auth.login(world["chair"].email)
    page = client.get(f"/meetings/{world['meeting']}/agenda/versions/1")
    assert page.status_code == 200
    assert "A record removed under the retention policy on 1 June 2060" in page.text
    assert GONE not in page.text and KEPT in page.text
    assert f"/cases/{world['gone']}" not in page.text
    minutes = client.get(f"/meetings/{world['meeting']}/minutes/versions/1")
    assert minutes.status_code == 200
    assert "A record removed under the retention policy on 1 June 2060" in minutes.text
    assert GONE not in minutes.text and KEPT in minutes.text


def test_the_confirm_page_says_what_to_review(world, client, auth):
    auth.login(world["admin"].email)
    page = post_form(client, f"/admin/retention/cases/{world['gone']}/delete", {"confirm": "yes"})
    assert page.status_code == 302
    listing = client.get(page.headers["Location"])
    assert f"CPI-{world['shared']:05d}" in listing.text
    assert "removed under the retention policy" in listing.text
    assert GONE not in listing.text


def test_the_weekly_task_notifies_the_administrators_naming_no_child(world, mail, client, auth):
    from mettrack import reminders
    from workers.tasks.retention import list_retention_reviews

    quiet = factories.user(roles=[Role.ADMIN])
    quiet.notification_choice = "app_only"
    db.session.commit()
    listed = list_retention_reviews()
    assert listed >= 1
    rows = db.session.scalars(
        select(Reminder).where(Reminder.kind == ReminderKind.RETENTION_REVIEW.value).order_by(Reminder.id)
    ).all()
    assert {(r.recipient_id, r.channel) for r in rows} == {(world["admin"].id, "email"), (quiet.id, "app")}
    assert all(r.case_id is None and r.record_id == listed for r in rows)
    assert [reminders.deliver(i).status for i in reminders.to_enqueue()] == ["sent"]
    (message,) = mail.messages
    assert message["To"] == world["admin"].email
    assert message["Subject"] == "METtrack: records are due for retention review"
    body = message.get_payload(decode=True).decode()
    assert f"listed {listed} record" in body and "/admin/retention" in body
    assert GONE not in body and "Zebedee" not in body
    # In the app: the notification says the same and leads to the review list.
    auth.login(quiet.email)
    page = client.get("/notifications/")
    assert "due for retention review" in page.text and GONE not in page.text
    opened = post_form(client, f"/notifications/{rows[-1].id}/open", {})
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/admin/retention")
    # A second run on the same moment makes no second notice.
    assert reminders.notify_retention_review(listed, rows[0].due_at) == 0


def test_no_notice_when_nothing_is_due(app_ctx):
    from mettrack.retention import scan

    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    try:
        factories.user(roles=[Role.ADMIN])
        assert scan() == 0
        assert _count(Reminder) == 0
    finally:
        set_now(None)


@pytest.fixture
def peers(app_ctx):
    """Two children peer-linked: the one to be deleted appears, by name and case number,
    on the other's card in issued agendas (a shared meeting, and one where only the other
    child is on the agenda) and in a version's list of changes."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("reads every row as text: PostgreSQL")
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    admin = factories.user(roles=[Role.ADMIN])
    chair = factories.user(roles=[Role.MET_CHAIR])
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    gone, kept = (
        factories.case(
            lead=lead,
            state=CaseState.MET_REVIEW,
            child_obj=factories.child(first_name=first, last_name=last, date_of_birth=date(2011, 4, 5)),
        )
        for first, last in (("Zebedee", GONE), ("Ottoline", KEPT))
    )
    both = meeting_factories.meeting(chair=chair, starts_at=datetime(2026, 3, 10, 10, tzinfo=UTC))
    alone = meeting_factories.meeting(chair=chair, starts_at=datetime(2026, 3, 17, 10, tzinfo=UTC))
    for meeting, cases in ((both, (gone, kept)), (alone, (kept,))):
        for n, case in enumerate(cases):
            db.session.add(
                AgendaItem(
                    meeting_id=meeting.id,
                    case_id=case.id,
                    section=AgendaSection.HIGH_RISK.value,
                    position=n,
                    reasons=[{"section": "high_risk", "text": "high risk"}],
                )
            )
    db.session.commit()
    first = issue.issue_agenda(chair, both.id)  # before the link
    intel.peer_link(lead, gone, kept)
    second = issue.issue_agenda(chair, both.id)  # the link is a change on both cards
    only = issue.issue_agenda(chair, alone.id)  # the deleted child is only a linked child here
    for pdf in db.session.scalars(select(AgendaPdf)):
        pdf.status, pdf.content = "built", GONE.encode()
    gone.state, gone.closed_at = CaseState.CLOSED.value, datetime(2026, 4, 1, tzinfo=UTC)
    db.session.commit()
    set_now(LATER)
    yield {
        "admin": admin,
        "gone": gone.id,
        "kept": kept.id,
        "versions": [first.id, second.id, only.id],
        "second": second.id,
        "only": only.id,
    }
    set_now(None)


def _kept_item(version: AgendaVersion, copy: str, case_id: int) -> dict:
    return next(i for s in getattr(version, copy)["sections"] for i in s["items"] if i["case_id"] == case_id)


def test_the_deleted_child_leaves_the_other_childrens_linked_children(peers):
    gone, kept = peers["gone"], peers["kept"]
    mention = f"(case #{gone})"
    # Before: the other child's card names the deleted child, and so do the changes.
    only = db.session.get(AgendaVersion, peers["only"])
    before = {copy: _kept_item(only, copy, kept) for copy in ("full", "sanitised")}
    assert f"Zebedee {GONE} {mention}" in json.dumps(before["full"]["card"]["linked_children"])
    assert before["sanitised"]["card"]["linked_children"] == [{"label": "Another child: same peer group"}]
    second = db.session.get(AgendaVersion, peers["second"])
    assert any(c["case_id"] == kept and GONE in json.dumps(c) for c in second.changes)

    done = review.delete_case(peers["admin"], gone, "yes")
    db.session.expire_all()

    assert done.redacted["agenda_versions"] == 3
    assert _hits(GONE) == {} and _hits("Zebedee") == {} and _hits(mention) == {}
    for version_id in peers["versions"]:
        version = db.session.get(AgendaVersion, version_id)
        for stored in (version.full, version.sanitised, version.changes):
            text_ = json.dumps(stored)
            assert GONE not in text_ and "Zebedee" not in text_ and mention not in text_
        # The other child's own item is intact, less the link.
        for copy in ("full", "sanitised"):
            item = _kept_item(version, copy, kept)
            assert item["card"]["name"] in (f"Ottoline {KEPT}", "OB")
            assert item["reasons"] == [{"section": "high_risk", "text": "high risk"}]
            assert item["card"]["linked_children"] == [] or copy == "sanitised"
    only = db.session.get(AgendaVersion, peers["only"])
    assert _kept_item(only, "full", kept) == {
        **before["full"],
        "card": {**before["full"]["card"], "linked_children": []},
    }
    assert _kept_item(only, "sanitised", kept) == before["sanitised"]  # names no child: kept
    # The change that was only the link is gone; the deleted child's change is a placeholder.
    second = db.session.get(AgendaVersion, peers["second"])
    assert [c["case_id"] for c in second.changes] == [gone]
    assert second.changes[0]["retention_removed"] is True
    # Every changed version's PDFs are built again from the redacted copy.
    pdfs = db.session.scalars(select(AgendaPdf).where(AgendaPdf.agenda_version_id.in_(peers["versions"])))
    assert {(p.status, p.content) for p in pdfs} == {("pending", None)}
