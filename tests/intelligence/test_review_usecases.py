"""intelligence/review.py: the queue, grading P and C with whom the conditions name,
re-grading with the fields changed audited, the version check, links and their audit."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.errors import Conflict, NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.intelligence import review, sharing
from mettrack.intelligence.models import IntelligenceItem, IntelligenceLink
from tests import factories
from tests.intelligence import factories as intel

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


def audit_rows(action):
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
    )


def grading(item, **changes):
    data = {
        "source_evaluation": "1",
        "intelligence_assessment": "A",
        "handling_code": "P",
        "sanitised_text": "A car has been seen near a school.",
        "version": item.version,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def world(app_ctx):
    set_now(NOW)
    chair = factories.user(roles=[Role.MET_CHAIR])
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    sharer = factories.user(roles=[Role.PARTNER], agency="Harbour School")
    named = factories.user(roles=[Role.PARTNER], agency="Named agency")
    case = factories.case(lead=lead)
    raw = intel.item(sharer)
    graded = intel.item(sharer, handling="P", reviewer=chair, submitted_at=datetime(2026, 3, 1, tzinfo=UTC))
    return dict(chair=chair, lead=lead, sharer=sharer, named=named, case=case, raw=raw, graded=graded)


def test_queue_puts_items_waiting_for_review_first_and_filters(world):
    page = review.queue(world["chair"])
    assert [r.id for r in page.items] == [world["raw"].id, world["graded"].id]
    only_p = review.queue(world["chair"], sharing.ItemFilters(handling=("P",)))
    assert [r.id for r in only_p.items] == [world["graded"].id]
    waiting = review.queue(world["chair"], sharing.filters_from({"status": "submitted"}))
    assert [r.id for r in waiting.items] == [world["raw"].id]
    assert json.loads(audit_rows("intelligence.queue_listed")[0].detail)["ids"] == [r.id for r in page.items]
    with pytest.raises(ValidationError) as refused:
        sharing.filters_from({"handling": "X"})
    assert "handling" in refused.value.errors


def test_only_reviewers_review(world):
    for who in ("lead", "sharer"):
        with pytest.raises(NotAllowed):
            review.queue(world[who])
        with pytest.raises(NotAllowed):
            review.grade(world[who], world["raw"].id, grading(world["raw"]))


def test_a_police_partner_grades(world):
    officer = intel.police_user(Role.PARTNER)
    view = review.grade(officer, world["raw"].id, grading(world["raw"]))
    assert view.grading.handling_code == "P" and view.status == "graded"


def test_grade_p_keeps_the_sanitised_text_and_no_conditions(world):
    item = world["raw"]
    review.grade(
        world["chair"],
        item.id,
        grading(item, handling_conditions="Ignored for P", grant_user_ids=[world["named"].id]),
    )
    stored = db.session.get(IntelligenceItem, item.id)
    assert (stored.source_evaluation, stored.intelligence_assessment, stored.handling_code) == ("1", "A", "P")
    assert stored.sanitised_text == "A car has been seen near a school."
    assert stored.handling_conditions is None and stored.grants == []
    assert stored.graded_by_id == world["chair"].id and stored.status == "graded"
    assert stored.information == "A grey car waits outside the school gates at 3pm most days."  # as submitted
    [row] = audit_rows("intelligence.graded")
    detail = json.loads(row.detail)
    assert detail["regrade"] is False and detail["grading"] == "1AP"
    assert "sanitised_text" in detail["changed"] and "A car" not in row.detail


def test_grade_c_needs_conditions_names_grantees_and_never_keeps_a_sanitised_text(world):
    item = world["raw"]
    agency = world["named"].agency
    with pytest.raises(ValidationError) as refused:
        review.grade(world["chair"], item.id, grading(item, handling_code="C"))
    assert "handling_conditions" in refused.value.errors
    with pytest.raises(ValidationError) as refused:
        review.grade(
            world["chair"],
            item.id,
            grading(item, handling_code="C", handling_conditions="Police only", grant_user_ids=[999999]),
        )
    assert "999999" in refused.value.errors["grant_user_ids"]
    with pytest.raises(ValidationError) as refused:
        review.grade(
            world["chair"],
            item.id,
            grading(item, handling_code="C", handling_conditions="Police only", grant_agency_ids=[999999]),
        )
    assert "grant_agency_ids" in refused.value.errors
    assert db.session.get(IntelligenceItem, item.id).status == "submitted"  # nothing saved
    view = review.grade(
        world["chair"],
        item.id,
        grading(
            item,
            handling_code="C",
            handling_conditions="Police and the named worker only",
            grant_user_ids=str(world["named"].id),
            grant_agency_ids=[agency.id],
        ),
    )
    stored = db.session.get(IntelligenceItem, item.id)
    assert stored.sanitised_text is None and view.grading.sanitised_text is None
    assert {(g.user_id, g.agency_id) for g in stored.grants} == {(world["named"].id, None), (None, agency.id)}
    assert sharing.read(world["named"], item.id).grading.conditions == "Police and the named worker only"


def test_regrade_is_audited_with_the_fields_changed_and_a_stale_version_is_a_conflict(world):
    item = world["graded"]
    first_version = item.version
    review.grade(world["chair"], item.id, grading(item, source_evaluation="2", intelligence_assessment="B"))
    detail = json.loads(audit_rows("intelligence.graded")[-1].detail)
    assert detail["regrade"] is True and detail["changed"] == ["sanitised_text"]
    with pytest.raises(Conflict):
        review.grade(world["chair"], item.id, grading(item, version=first_version, source_evaluation="3"))
    review.grade(
        world["chair"],
        item.id,
        grading(item, version=item.version, source_evaluation="3", intelligence_assessment="B"),
    )
    detail = json.loads(audit_rows("intelligence.graded")[-1].detail)
    assert detail["changed"] == ["source_evaluation"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"source_evaluation": "4"}, "source_evaluation"),
        ({"intelligence_assessment": "F"}, "intelligence_assessment"),
        ({"handling_code": None}, "handling_code"),
        ({"version": None}, "version"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_grading_names_the_field(world, data, field):
    item = world["raw"]
    with pytest.raises(ValidationError) as refused:
        review.grade(world["chair"], item.id, grading(item, **data))
    assert field in refused.value.errors


def test_link_and_unlink_are_audited_and_checked(world):
    item = world["graded"]
    person = intel.person(world["chair"])
    place = intel.location(world["chair"])
    link = review.link(world["chair"], item.id, {"case_id": str(world["case"].id)})
    review.link(world["chair"], item.id, {"person_id": person.id})
    review.link(world["chair"], item.id, {"location_id": place.id})
    detail = json.loads(audit_rows("intelligence.linked")[0].detail)
    assert detail == {"link_id": link.id, "case_id": world["case"].id}
    for data, field in (
        ({"case_id": 999999}, "case_id"),
        ({"person_id": 999999}, "person_id"),
        ({"location_id": "abc"}, "location_id"),
        ({"case_id": world["case"].id}, "case_id"),  # already linked
        ({}, "case_id"),
        ({"case_id": world["case"].id, "person_id": person.id}, "case_id"),
    ):
        with pytest.raises(ValidationError) as refused:
            review.link(world["chair"], item.id, data)
        assert field in refused.value.errors
    # The case's team now sees the P item.
    assert sharing.read(world["lead"], item.id).grading.handling_code == "P"
    review.unlink(world["chair"], item.id, link.id)
    assert db.session.get(IntelligenceLink, link.id) is None
    assert json.loads(audit_rows("intelligence.unlinked")[0].detail) == {
        "link_id": link.id,
        "case_id": world["case"].id,
    }
    with pytest.raises(NotFound):
        review.unlink(world["chair"], item.id, link.id)
    with pytest.raises(NotFound):
        sharing.read(world["lead"], item.id)


def test_the_sharer_does_not_learn_how_their_item_was_linked(world):
    item = world["raw"]
    person = intel.person(world["chair"])
    review.link(world["chair"], item.id, {"person_id": person.id})
    review.grade(world["chair"], item.id, grading(item, handling_code="C", handling_conditions="Police only"))
    view = sharing.read(world["sharer"], item.id)
    assert view.status_label == "Reviewed" and view.grading is None and view.links == ()


def test_a_sanitised_text_that_blames_the_child_is_flagged(world):
    from mettrack.language import WordingFlagged, seed_defaults

    seed_defaults()
    db.session.commit()
    item = world["raw"]
    with pytest.raises(WordingFlagged) as flagged:
        review.grade(
            world["chair"], item.id, grading(item, sanitised_text="A child prostitute was seen there.")
        )
    assert "sanitised_text" in flagged.value.errors
    assert db.session.get(IntelligenceItem, item.id).status == "submitted"
    review.grade(
        world["chair"],
        item.id,
        grading(item, sanitised_text="A child prostitute was seen there."),
        save_anyway=True,
    )
    detail = json.loads(audit_rows("intelligence.graded")[-1].detail)
    assert detail["saved_anyway"] is True
