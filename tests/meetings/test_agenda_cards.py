"""What each child's agenda item shows (meetings/cards.py), in both views."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from mettrack.cases import View
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.meetings import intelligence_links
from mettrack.meetings.cards import cards_for
from tests import factories
from tests.meetings import factories as meeting_factories
from tests.meetings.agenda_world import bulk_cases, lead_user

NOW = datetime(2026, 3, 9, 12, tzinfo=UTC)
PREVIOUS = datetime(2026, 2, 24, 10, tzinfo=UTC)


@pytest.fixture
def world(app_ctx):
    set_now(NOW)
    chair = factories.user(roles=[Role.MET_CHAIR])
    lead = lead_user()
    previous = meeting_factories.meeting(chair=chair, starts_at=PREVIOUS)
    meeting = meeting_factories.meeting(chair=chair)
    return chair, lead, previous, meeting


def _count_queries(function) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        function()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_whole_card_shows_what_the_meeting_needs(world):
    chair, lead, previous, meeting = world
    (case_id,) = bulk_cases(1, lead=lead, previous_meeting=previous, meeting=meeting, since=PREVIOUS)
    card = cards_for([case_id], View.WHOLE, meeting=meeting)[case_id]
    assert card["name"] == "Bulkchild Number0"
    assert card["age"] == 15 and card["date_of_birth"] == "2011-01-01"
    assert card["exploitation_types"] == ["Child sexual exploitation (CSE)"]
    assert card["flags"] == ["County lines"]
    assert card["risk_level"] == "high" and card["suggested_risk_level"] == "medium"
    assert card["latest_assessment_on"] == "2026-02-26"
    assert card["lead_professional"] == "Lena Lead" and card["lead_agency"] == "Testtown Council"
    assert card["police_tier_label"] and card["services"] and card["services"][0]
    assert card["missing_now"] is False and card["rhi_status"] == "Offered"
    assert card["nrm_status"] == "referred on 1 February"
    assert card["next_review_on"] == "2026-03-01"
    assert card["linked_children"] == [] and card["persons"] == [] and card["disruptions"] == []
    (action,) = card["open_actions"]
    assert action["description"] == "Visit the family" and action["owner"] == "Lena Lead"
    assert action["due_on"] == "2026-03-05" and action["raised_on"] == "2026-02-24"
    assert [h["kind"] for h in action["history"]] == ["raised"]
    assert card["lead_update"]["text"] == "Settled at school"
    json.dumps(card)


def test_the_sanitised_card_names_no_child_and_holds_no_free_text(world):
    chair, lead, previous, meeting = world
    (case_id,) = bulk_cases(1, lead=lead, previous_meeting=previous, meeting=meeting, since=PREVIOUS)
    card = cards_for([case_id], View.SANITISED, meeting=meeting)[case_id]
    assert card["name"] == "BN" and card["age"] == 15
    for key in ("date_of_birth", "address", "school", "nhs_number", "lead_update", "nrm_status"):
        assert card[key] is None, key
    (action,) = card["open_actions"]
    assert action["description"] is None and action["owner"] is None
    assert action["due_on"] == "2026-03-05" and action["agency"] == "Testtown Council"
    text = json.dumps(card)
    for secret in (
        "Bulkchild",
        "Number0",
        "2011-01-01",
        "Bulk Street",
        "Academy",
        "9000000000",
        "Settled",
        "Visit the family",
    ):
        assert secret not in text


def test_a_case_made_through_the_use_cases_has_its_card(world):
    chair, lead, previous, meeting = world
    case = factories.case_in_state("police_tiered", lead=factories.user(roles=[Role.LEAD_PROFESSIONAL]))
    card = cards_for([case.id], View.WHOLE)[case.id]
    assert card["state"] == "police_tiered" and card["police_tier_label"] and card["police_team_label"]
    assert card["latest_assessment_on"] and card["lead_update"] is None


def test_intelligence_providers_fill_in_the_links(world):
    chair, lead, previous, meeting = world
    (case_id,) = bulk_cases(1, lead=lead, previous_meeting=previous, meeting=meeting, since=PREVIOUS)

    class Provider:
        def links_for(self, case_ids, view):
            return {case_id: {"places": [{"label": "A park"}]}}

        def new_intelligence_since(self, case_ids, since):
            return {}

    provider = Provider()
    intelligence_links.register(provider)
    try:
        card = cards_for([case_id], View.WHOLE)[case_id]
    finally:
        intelligence_links.unregister(provider)
    assert card["places"] == [{"label": "A park"}] and card["persons"] == []


def test_the_number_of_queries_does_not_grow_with_the_cases(world):
    chair, lead, previous, meeting = world
    few = bulk_cases(10, lead=lead, previous_meeting=previous, meeting=meeting, since=PREVIOUS)
    many = few + bulk_cases(190, lead=lead, previous_meeting=previous, meeting=meeting, since=PREVIOUS)
    for view in (View.WHOLE, View.SANITISED):
        db.session.expire_all()
        small = _count_queries(lambda v=view: cards_for(few, v, meeting=meeting))
        db.session.expire_all()
        large = _count_queries(lambda v=view: cards_for(many, v, meeting=meeting))
        assert small == large, view
