"""intelligence/access.py: who reaches which item, place, person and disruption action."""

import pytest

from mettrack.core.choices import Role
from mettrack.core.errors import NotAllowed, NotFound
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm
from mettrack.intelligence import access
from mettrack.intelligence.models import IntelligenceItem, Location, PersonOfConcern
from tests import factories
from tests.intelligence import factories as intel


def _visible_items(user):
    return set(db.session.scalars(db.select(IntelligenceItem.id).where(access.item_scope(user))))


@pytest.fixture
def world(app_ctx):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    sharer = factories.user(roles=[Role.PARTNER], agency="Harbour School")
    other = factories.user(roles=[Role.PARTNER], agency="Harbour School")
    named = factories.user(roles=[Role.PARTNER], agency="Named agency")
    case = factories.case(lead=lead)
    p_item = intel.item(sharer, handling="P", cases=[case])
    c_item = intel.item(sharer, handling="C", cases=[case], grants=[named])
    raw = intel.item(sharer, cases=[case])
    return dict(lead=lead, sharer=sharer, other=other, named=named, case=case, p=p_item, c=c_item, raw=raw)


def test_handling_decides_who_sees_an_item(world):
    chair = factories.user(roles=[Role.MET_CHAIR])
    officer = intel.police_user(Role.PARTNER)
    everything = {world["p"].id, world["c"].id, world["raw"].id}
    assert _visible_items(chair) == everything
    assert _visible_items(officer) == everything
    assert _visible_items(world["sharer"]) == everything  # their own submissions
    assert _visible_items(world["lead"]) == {world["p"].id}  # P on a case they lead
    assert _visible_items(world["named"]) == {world["c"].id}  # the C item's conditions name them
    assert _visible_items(world["other"]) == set()
    analyst = factories.user(roles=[Role.ANALYST])
    assert _visible_items(analyst) == set()


def test_police_users_without_a_case_role_do_not_review(world):
    analyst = intel.police_user(Role.ANALYST)
    assert not access.is_reviewer(analyst)
    assert access.is_reviewer(intel.police_user(Role.COORDINATOR))


def test_item_for_refuses_out_of_reach_with_404_and_wrong_role_with_403(world):
    with pytest.raises(NotFound):
        access.item_for(world["other"], world["p"].id, Perm.INTEL_VIEW, "intelligence.viewed")
    with pytest.raises(NotAllowed):
        access.item_for(world["lead"], world["raw"].id, Perm.INTEL_REVIEW, "intelligence.graded")
    with pytest.raises(NotFound):
        access.item_for(world["lead"], "not-a-number", Perm.INTEL_VIEW, "intelligence.viewed")
    assert access.item_for(world["lead"], world["p"].id, Perm.INTEL_VIEW, "intelligence.viewed") == world["p"]


def test_places_and_persons_follow_their_links(world):
    place = intel.location(world["sharer"], cases=[world["case"]])
    lonely = intel.location(world["sharer"])
    person = intel.person(world["sharer"])
    intel.item(world["sharer"], handling="C", persons=[person], cases=[world["case"]])
    guarded = intel.person(world["sharer"])
    intel.disruption(world["sharer"], person=guarded, protects=[world["case"]])

    def places(user):
        return set(db.session.scalars(db.select(Location.id).where(access.location_scope(user))))

    def persons(user):
        return set(db.session.scalars(db.select(PersonOfConcern.id).where(access.person_scope(user))))

    assert places(world["lead"]) == {place.id}
    assert lonely.id not in places(world["lead"])
    # A person linked only through a C item stays out of reach; one a disruption
    # protecting the lead's child names is within it.
    assert persons(world["lead"]) == {guarded.id}
    assert persons(world["other"]) == set()


def test_an_action_on_a_person_reached_through_another_action_is_within_reach(world):
    from mettrack.intelligence.models import DisruptionAction

    person = intel.person(world["sharer"])
    elsewhere = factories.case(lead=None)
    reaching = intel.disruption(world["sharer"], person=person, protects=[world["case"]])
    other = intel.disruption(world["sharer"], person=person, protects=[elsewhere], kind="arrest")
    seen = set(
        db.session.scalars(db.select(DisruptionAction.id).where(access.disruption_scope(world["lead"])))
    )
    assert seen == {reaching.id, other.id}
    locked = access.disruption_for(world["lead"], other.id, Perm.INTEL_VIEW, "disruption.viewed", lock=True)
    assert locked.id == other.id
