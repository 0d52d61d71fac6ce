"""The lead professional's update for a meeting and closure proposals (meetings/contributions.py)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mettrack.cases import View
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.errors import NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.language import WordingFlagged
from mettrack.language import seed_defaults as seed_phrases
from mettrack.meetings import agenda, contributions
from mettrack.meetings.cards import cards_for
from mettrack.meetings.models import ClosureProposal, LeadUpdate, Meeting
from tests import factories
from tests.meetings import factories as meeting_factories
from tests.meetings.agenda_world import lead_user

NOW = datetime(2026, 3, 9, 12, tzinfo=UTC)
BLAMING = "She keeps putting herself at risk"


@pytest.fixture
def world(app_ctx):
    set_now(NOW)
    seed_phrases()
    db.session.commit()
    chair = factories.user(roles=[Role.MET_CHAIR])
    lead = lead_user()
    case = factories.case_in_state("met_review", lead=lead)
    case.risk_level = "high"
    db.session.commit()
    meeting = meeting_factories.meeting(chair=chair)
    draft = agenda.build(chair, meeting.id)
    (item,) = draft.items
    return chair, lead, case.id, meeting.id, item.id


def _actions(name):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == name)).all()


def test_the_lead_saves_an_update_shown_on_the_card(world):
    chair, lead, case_id, meeting_id, item_id = world
    form = contributions.update_form(lead, meeting_id, item_id)
    assert form.update is None and form.case.id == case_id
    contributions.save_update(lead, meeting_id, item_id, {"text": "  Back at school full time.  "})
    contributions.save_update(lead, meeting_id, item_id, {"text": "Back at school full time; calmer."})
    assert db.session.scalars(select(LeadUpdate.text)).all() == ["Back at school full time; calmer."]
    meeting = Meeting
    card = cards_for([case_id], View.WHOLE, meeting=db.session.get(meeting, meeting_id))[case_id]
    assert card["lead_update"]["text"] == "Back at school full time; calmer."
    assert (
        cards_for([case_id], View.SANITISED, meeting=db.session.get(meeting, meeting_id))[case_id][
            "lead_update"
        ]
        is None
    )
    rows = _actions("lead_update.saved")
    assert len(rows) == 2 and "calmer" not in rows[-1].detail
    assert _actions("lead_update.viewed")


def test_the_language_check_warns_and_saves_anyway_when_confirmed(world):
    chair, lead, case_id, meeting_id, item_id = world
    with pytest.raises(WordingFlagged):
        contributions.save_update(lead, meeting_id, item_id, {"text": BLAMING})
    assert db.session.scalar(select(LeadUpdate.id)) is None
    contributions.save_update(lead, meeting_id, item_id, {"text": BLAMING}, save_anyway=True)
    (row,) = _actions("lead_update.saved")
    assert "flagged" in row.detail and "herself" not in row.detail


def test_only_the_lead_or_a_chair_writes_the_update_for_an_item_on_the_agenda(world):
    chair, lead, case_id, meeting_id, item_id = world
    with pytest.raises(ValidationError):
        contributions.save_update(lead, meeting_id, item_id, {"text": "  "})
    other_lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    with pytest.raises(NotFound):
        contributions.save_update(other_lead, meeting_id, item_id, {"text": "Hello"})
    with pytest.raises(NotAllowed):
        contributions.save_update(
            factories.user(roles=[Role.PARTNER]), meeting_id, item_id, {"text": "Hello"}
        )
    with pytest.raises(NotFound):
        contributions.save_update(lead, meeting_id + 1000, item_id, {"text": "Hello"})
    contributions.save_update(chair, meeting_id, item_id, {"text": "From the chair"})
    agenda.remove_item(chair, meeting_id, item_id, "Discussed elsewhere")
    with pytest.raises(NotFound):
        contributions.save_update(lead, meeting_id, item_id, {"text": "Hello"})


def test_a_closure_proposal_puts_the_case_under_proposed_for_closure(world):
    chair, lead, case_id, meeting_id, item_id = world
    with pytest.raises(ValidationError):
        contributions.propose_closure(lead, case_id, {"reason": ""})
    with pytest.raises(WordingFlagged):
        contributions.propose_closure(lead, case_id, {"reason": BLAMING})
    assert db.session.scalar(select(ClosureProposal.id)) is None
    contributions.propose_closure(lead, case_id, {"reason": "Safe and settled for three months"})
    with pytest.raises(ValidationError):
        contributions.propose_closure(lead, case_id, {"reason": "Again"})
    draft = agenda.build(chair, meeting_id)
    (item,) = draft.items
    closure = "closure proposed by the lead professional (Testtown Council) on 9 March"
    assert closure in [r["text"] for r in item.reasons]
    assert contributions.closure_form(lead, case_id).proposal is not None
    contributions.withdraw_closure(lead, case_id)
    (item,) = agenda.build(chair, meeting_id).items
    assert closure not in [r["text"] for r in item.reasons]
    assert _actions("closure.proposed") and _actions("closure.withdrawn")


def test_only_the_lead_or_a_chair_proposes_a_closure(world):
    chair, lead, case_id, meeting_id, item_id = world
    member = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    with pytest.raises(NotFound):
        contributions.propose_closure(member, case_id, {"reason": "Safe"})
    with pytest.raises(NotAllowed):
        contributions.propose_closure(factories.user(roles=[Role.ANALYST]), case_id, {"reason": "Safe"})
    proposal = contributions.propose_closure(chair, case_id, {"reason": "Safe"})
    assert proposal.proposed_by_id == chair.id
    with pytest.raises(NotFound):
        contributions.withdraw_closure(chair, 999_999)
