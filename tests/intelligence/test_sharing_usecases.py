"""intelligence/sharing.py: submitting Community Partnership Information, one's own list,
reading an item as each viewer may see it, and the audit rows."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.errors import NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.intelligence import sharing
from mettrack.intelligence.models import IntelligenceItem, IntelligenceLink
from tests import factories
from tests.intelligence import factories as intel

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


def form(**changes) -> dict:
    data = {
        "sharer_name": "Sam Teacher",
        "sharer_organisation": "Harbour School",
        "sharer_phone": "023 9200 0000",
        "sharer_email": "sam@example.org",
        "information": "A grey car waits outside the school gates at 3pm most days.",
        "information_date": "2026-03-18",
        "information_place": "Harbour School gates",
        "source_name": "Pat Parent",
        "source_date_of_birth": "1985-06-01",
        "source_address": "2 Example Road",
        "source_recontact": True,
        "source_recontact_how": "By phone after 6pm",
        "source_how_known": "Saw it on the school run",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def audit_rows(action):
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
    )


@pytest.fixture
def world(app_ctx):
    set_now(NOW)
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    sharer = factories.user(roles=[Role.PARTNER], agency="Harbour School")
    other = factories.user(roles=[Role.PARTNER], agency="Harbour School")
    case = factories.case(lead=lead, members=[sharer])
    elsewhere = factories.case(lead=lead)
    return dict(lead=lead, sharer=sharer, other=other, case=case, elsewhere=elsewhere)


def test_submit_stores_exactly_what_was_given_and_links_the_childs_case(world):
    item = sharing.submit(world["sharer"], form(case_ids=[world["case"].id]))
    stored = db.session.get(IntelligenceItem, item.id)
    assert stored.information == form()["information"]
    assert stored.information_date == date(2026, 3, 18)
    assert stored.source_date_of_birth == date(1985, 6, 1)
    assert stored.source_recontact is True and stored.status == "submitted"
    assert item.reference == f"CPI-{item.id:05d}"
    [link] = stored.links
    assert link.case_id == world["case"].id and link.suggested_by_sharer is True
    [row] = audit_rows("intelligence.submitted")
    detail = json.loads(row.detail)
    assert row.record_id == str(item.id)
    assert detail["case_ids"] == [world["case"].id]
    assert "Pat Parent" not in row.detail and "grey car" not in row.detail


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"information": " "}, "information"),
        ({"information_date": "2026-03-21"}, "information_date"),
        ({"information_date": None}, "information_date"),
        ({"source_date_of_birth": ["31", "2", "2010"]}, "source_date_of_birth"),
        ({"source_date_of_birth": "2030-01-01"}, "source_date_of_birth"),
        ({"source_recontact": True, "source_recontact_how": ""}, "source_recontact_how"),
        ({"source_recontact": None}, "source_recontact"),
        ({"sharer_name": ""}, "sharer_name"),
        ({"sharer_email": "not-an-address"}, "sharer_email"),
        ({"case_ids": "twelve"}, "case_ids"),
        ({"case_ids": [999999]}, "case_ids"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(world, changes, field):
    with pytest.raises(ValidationError) as refused:
        sharing.submit(world["sharer"], form(**changes))
    assert field in refused.value.errors
    assert db.session.scalar(select(db.func.count(IntelligenceItem.id))) == 0


def test_a_case_the_sharer_cannot_see_is_refused_like_an_unknown_one(world):
    with pytest.raises(ValidationError) as refused:
        sharing.submit(world["sharer"], form(case_ids=f"{world['case'].id}, {world['elsewhere'].id}"))
    assert str(world["elsewhere"].id) in refused.value.errors["case_ids"]
    assert db.session.scalar(select(db.func.count(IntelligenceLink.id))) == 0


def test_recontact_no_needs_no_how(world):
    item = sharing.submit(world["sharer"], form(source_recontact="no", source_recontact_how="ignored"))
    assert item.source.recontact is False and item.source.recontact_how is None


def test_analyst_and_admin_may_not_share(world):
    for role in (Role.ANALYST, Role.ADMIN):
        with pytest.raises(NotAllowed):
            sharing.submit(factories.user(roles=[role]), form())


def test_my_submissions_lists_only_my_own_and_is_audited(world):
    mine = sharing.submit(world["sharer"], form())
    sharing.submit(world["other"], form())
    page = sharing.my_submissions(world["sharer"])
    assert [r.id for r in page.items] == [mine.id]
    assert page.items[0].status_label == "Waiting for review"
    detail = json.loads(audit_rows("intelligence.listed")[-1].detail)
    assert detail["ids"] == [mine.id] and detail["query"]["mine"] is True


def test_nobody_else_reads_a_submission(world):
    item = sharing.submit(world["sharer"], form(case_ids=[world["case"].id]))
    with pytest.raises(NotFound):
        sharing.read(world["other"], item.id)
    with pytest.raises(NotFound):
        sharing.read(world["lead"], item.id)  # ungraded: reviewers and the sharer only
    assert len(audit_rows("intelligence.viewed.denied")) == 2


def test_the_sharer_sees_their_submission_and_its_status_not_its_grading(world):
    chair = factories.user(roles=[Role.MET_CHAIR])
    item = intel.item(world["sharer"], handling="C", reviewer=chair, grants=[world["other"]])
    view = sharing.read(world["sharer"], item.id)
    assert view.status_label == "Reviewed"
    assert view.source is not None and view.source.name == "Source Person"  # their own words
    assert view.grading is None and view.links == ()
    row = audit_rows("intelligence.viewed")[-1]
    assert json.loads(row.detail) == {"source_shown": True, "grading_shown": False, "link_ids": []}


def test_a_p_item_reaches_the_case_team_without_its_source(world):
    chair = factories.user(roles=[Role.MET_CHAIR])
    item = intel.item(world["other"], handling="P", reviewer=chair, cases=[world["case"]])
    view = sharing.read(world["lead"], item.id)
    assert view.source is None
    assert view.grading.handling_code == "P" and view.grading.sanitised_text
    assert [link.target_id for link in view.links] == [world["case"].id]


def test_a_c_item_shows_its_conditions_to_those_named_and_never_a_sanitised_text(world):
    chair = factories.user(roles=[Role.MET_CHAIR])
    item = intel.item(
        world["sharer"], handling="C", reviewer=chair, grants=[world["other"]], cases=[world["case"]]
    )
    view = sharing.read(world["other"], item.id)
    assert view.grading.conditions and view.grading.sanitised_text is None
    assert view.source is None
    with pytest.raises(NotFound):
        sharing.read(world["lead"], item.id)  # linked to their case, but C and not named


def test_a_reviewer_sees_the_source_and_everything(world):
    officer = intel.police_user(Role.PARTNER)
    item = sharing.submit(world["sharer"], form(case_ids=[world["case"].id]))
    view = sharing.read(officer, item.id)
    assert view.source.name == "Pat Parent" and view.may_review
    assert [link.label for link in view.links] == [f"Case {world['case'].id}"]  # not on the team
