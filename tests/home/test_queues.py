"""Each role's work queues against a world with one case of each kind (tests/home/world.py)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mettrack.cases import queries as case_list
from mettrack.cases.models import CaseEvent
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.home import queues, rules
from tests.home import world as fixture


@pytest.fixture
def world(app_ctx):
    return fixture.build()


def _role(home, role):
    return next(r for r in home.roles if r.role is role)


def _queue(home, role, key):
    return next(q for q in _role(home, role).queues if q.key == key)


def _ids(queue):
    return [line.case_id for line in queue.lines]


def test_the_chairs_queues_count_one_case_of_each_kind(world):
    home = queues.home_for(world.chair)
    assert [r.role for r in home.roles] == [Role.MET_CHAIR]
    c = world.cases
    for key, kind in (
        ("missing-now", "missing_now"),
        ("rhi-overdue", "rhi_overdue"),
        ("reviews-overdue", "review_overdue"),
        ("reviews-this-week", "review_this_week"),
        ("met-review", "met_review"),
        ("needs-lead", "needs_lead"),
    ):
        queue = _queue(home, Role.MET_CHAIR, key)
        assert (queue.count, _ids(queue)) == (1, c[kind]), key
    assert _queue(home, Role.MET_CHAIR, "failed-reminders").count == 0
    assert _queue(home, Role.MET_CHAIR, "actions-overdue").count == 0
    missing = _queue(home, Role.MET_CHAIR, "missing-now").lines[0]
    assert missing.link.endpoint == "cases.detail" and missing.link.args["_anchor"] == "missing"
    assert missing.title == f"Queuechild Missing-Now0, case {c['missing_now'][0]}"
    assert _queue(home, Role.MET_CHAIR, "needs-lead").lines[0].link.endpoint == "case_team.change_lead"


def test_the_queues_count_what_the_case_list_alerts_count(world):
    """One definition each: the chair's numbers are the case list's filtered totals."""
    for key, param in (
        ("missing-now", "open_missing_episode"),
        ("rhi-overdue", "rhi_overdue"),
        ("reviews-overdue", "review_overdue"),
    ):
        listed = case_list.list_for(world.chair, case_list.CaseFilters(**{param: True}))
        home = queues.home_for(world.chair)
        queue = _queue(home, Role.MET_CHAIR, key)
        assert queue.count == listed.total and _ids(queue) == [c.id for c in listed.items], key


def test_the_leads_queue_lists_their_cases_needing_something(world):
    home = queues.home_for(world.lead)
    mine = _queue(home, Role.LEAD_PROFESSIONAL, "my-cases")
    figures = {f.key: f.count for f in _role(home, Role.LEAD_PROFESSIONAL).figures}
    assert figures == {
        "my-missing-now": 1,
        "my-rhi-overdue": 1,
        "my-rhi-to-offer": 1,
        "my-review-overdue": 1,
        "my-review-due": 1,
        "my-risk-out-of-date": 2,  # MET review and police tiered, with no risk assessment
        "my-screening-open": 1,
    }
    # Needing something: all but the case with no lead (not theirs); five shown, highest risk first.
    assert mine.count == len(fixture.KINDS) - 1
    assert len(mine.lines) == 5
    assert world.cases["needs_lead"][0] not in _ids(mine)
    by_case = {line.case_id: line.details for line in mine.lines}
    if world.cases["missing_now"][0] in by_case:
        assert "Missing now" in by_case[world.cases["missing_now"][0]]
    assert _queue(home, Role.LEAD_PROFESSIONAL, "my-notifications").count == 0
    assert _queue(home, Role.LEAD_PROFESSIONAL, "my-actions").count == 0


def test_the_coordinators_queues_and_what_they_may_not_see(world):
    home = queues.home_for(world.coordinator)
    waiting = _queue(home, Role.COORDINATOR, "waiting-for-service")
    assert (waiting.count, _ids(waiting)) == (1, world.cases["waiting_for_service"])
    requests = _queue(home, Role.COORDINATOR, "requests-waiting")
    assert requests.count == 1
    # Requested on Friday 27 November, today Friday 4 December: five working days.
    assert "waiting 5 working days" in requests.lines[0].details[0]
    assert _queue(home, Role.COORDINATOR, "capacity").count == 0
    # A child is missing now, on a case whose team the coordinator is not on: not counted, and said.
    missing = _queue(home, Role.COORDINATOR, "coordinator-missing-now")
    assert missing.count == 0
    assert "count only the cases whose whole record you may see" in _role(home, Role.COORDINATOR).note


def test_a_partner_sees_only_their_teams_cases_and_what_changed(world):
    home = queues.home_for(world.partner)
    mine = _queue(home, Role.PARTNER, "partner-cases")
    assert (mine.count, _ids(mine)) == (1, [world.partner_case])
    assert world.other_case not in _ids(mine)
    assert mine.lines[0].details == ("You have not opened this case yet",)

    set_now(fixture.NOW + timedelta(hours=1))
    case_list.get_for(world.partner, world.partner_case)  # the partner looks (audited)
    set_now(fixture.NOW + timedelta(hours=2))
    mine = _queue(queues.home_for(world.partner), Role.PARTNER, "partner-cases")
    assert mine.lines[0].details[0] == "No change since you last looked"

    set_now(fixture.NOW + timedelta(hours=3))
    case = db.session.get(case_list.Case, world.partner_case)
    case.note_event(world.chair, "team_changed", "A new member joined")
    db.session.commit()
    mine = _queue(queues.home_for(world.partner), Role.PARTNER, "partner-cases")
    assert mine.lines[0].details[0].startswith("Changed since you last looked")
    assert db.session.scalar(select(CaseEvent.id).where(CaseEvent.case_id == world.partner_case)) is not None


def test_the_analyst_sees_counts_naming_no_child(world):
    home = queues.home_for(world.analyst)
    by_state = _queue(home, Role.ANALYST, "open-by-state")
    assert by_state.count == len(fixture.KINDS)
    assert all(line.case_id is None and "Queuechild" not in line.title for line in by_state.lines)
    lines = {line.title: line.details for line in by_state.lines}
    assert lines["For MET review"] == ("1 open",)
    by_type = _queue(home, Role.ANALYST, "open-by-type")
    assert by_type.count == len(fixture.KINDS)
    assert home.case_ids == ()


def test_the_admins_queues(world):
    home = queues.home_for(world.admin)
    assert _queue(home, Role.ADMIN, "grants-waiting").count == 1
    assert _queue(home, Role.ADMIN, "locked-accounts").count == 1
    assert _queue(home, Role.ADMIN, "agencies").count >= 1
    checks = _queue(home, Role.ADMIN, "audit-checks")
    assert checks.lines[0].title.endswith("rows in the audit log")
    assert home.case_ids == ()


def test_a_user_with_several_roles_sees_each_roles_queues(world):
    both = fixture.factories.user(roles=[Role.LEAD_PROFESSIONAL, Role.COORDINATOR])
    home = queues.home_for(both)
    assert [r.role for r in home.roles] == [Role.LEAD_PROFESSIONAL, Role.COORDINATOR]


def test_the_home_page_is_audited_naming_the_cases_shown_never_a_name(world):
    home = queues.home_for(world.chair)
    row = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "home.viewed")).one()
    detail = json.loads(row.detail)
    assert sorted(detail["ids"]) == sorted(home.case_ids)
    assert "Queuechild" not in row.detail


def test_changed_since_you_last_looked_names_the_day_in_uk_time(world):
    """Looked at 00:30 on 1 July in the UK (23:30 on 30 June in UTC): the line says 1 July."""
    looked = datetime(2027, 6, 30, 23, 30, tzinfo=UTC)
    set_now(looked)
    case_list.get_for(world.partner, world.partner_case)
    set_now(looked + timedelta(hours=1))
    case = db.session.get(case_list.Case, world.partner_case)
    case.note_event(world.chair, "team_changed", "A new member joined")
    db.session.commit()
    mine = _queue(queues.home_for(world.partner), Role.PARTNER, "partner-cases")
    assert mine.lines[0].details[0] == "Changed since you last looked (1 July 2027)"


def test_the_chairs_home_lists_cases_needing_a_lead_without_a_reassign_list_row(app_ctx):
    """The home counts every case needing a lead and shows a few, highest risk first: its
    one home.viewed row names those shown; it writes no case.reassign_listed row (the
    reassign page's, naming every case)."""
    many = fixture.build(rules.SHOWN_PER_QUEUE + 2)
    home = queues.home_for(many.chair)
    needs_lead = _queue(home, Role.MET_CHAIR, "needs-lead")
    assert needs_lead.count == len(many.cases["needs_lead"]) == rules.SHOWN_PER_QUEUE + 2
    assert len(needs_lead.lines) == rules.SHOWN_PER_QUEUE
    assert [line.risk_level for line in needs_lead.lines][0] == "high"
    assert needs_lead.lines[0].details == ("No lead professional",)
    assert "case.reassign_listed" not in db.session.scalars(select(AuditEvent.action)).all()
    row = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "home.viewed")).one()
    assert set(_ids(needs_lead)) <= set(json.loads(row.detail)["ids"])
