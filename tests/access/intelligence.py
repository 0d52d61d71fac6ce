"""Intelligence: the records the intelligence routes run against. Each intelligence slice
keeps its routes in its own table (intelligence_*.py beside this one).

{item}        a P-graded item shared by the test partner, linked to {case}: every case role
              reaches it (the chair reviews everything, the partner shared it, the others
              are on {case}'s team)
{location} {person}  linked directly to {case}
{disruption}  a Sexual Risk Order on {person}, protecting {case}'s child
{disruption_kind}  its kind (Sexual Risk Order) in the catalogue
{hidden_item} {hidden_location} {hidden_person} {hidden_disruption}
              the same shared by someone else, linked only to {hidden_case} (a C item): only a
              reviewer (the test MET chair) reaches them; `open_*` stand for the same
{reviewer_item} an ungraded item shared by someone else, linked to nothing: the review
              routes' record (the test MET chair is the only reviewer among the test users)
{link}        {item}'s intelligence link to {case}
{peer_link}   a peer link between {case} and a case the test lead professional also leads:
              both the chair and the lead may see both cases, so both may remove it
{subject_link} {case}'s direct link to {location}
{hidden_link} {hidden_peer_link} {hidden_subject_link}
              the same on {hidden_case} ({hidden_item}'s link to it, a peer link from it to
              {open_case}, its direct link to {hidden_location}): only the chair reaches them
"""

from sqlalchemy import select

from mettrack.core.choices import CaseState, Role
from mettrack.core.extensions import db
from mettrack.intelligence.models import CaseSubjectLink, IntelligenceLink
from tests import factories
from tests.intelligence import factories as intel

ROUTES = []  # the records only; the routes are in intelligence_*.py


def build_records(users: dict, visible, hidden, open_case) -> dict:
    sharer = users[Role.PARTNER]
    stranger = factories.user(roles=[Role.PARTNER], agency="Stranger agency")
    location = intel.location(sharer, name="Harbour View Hotel", cases=[visible])
    person = intel.person(sharer, name="Dale Example", aliases=["D"], vehicles=["AB12CDE"], cases=[visible])
    item = intel.item(sharer, handling="P", cases=[visible], persons=[person], locations=[location])
    disruption = intel.disruption(sharer, person=person, protects=[visible])
    hidden_location = intel.location(stranger, name="Old Mill Park", cases=[hidden])
    hidden_person = intel.person(stranger, name="Kyle Sample", cases=[hidden])
    hidden_item = intel.item(
        stranger, handling="C", cases=[hidden], persons=[hidden_person], locations=[hidden_location]
    )
    hidden_disruption = intel.disruption(stranger, person=hidden_person, protects=[hidden])
    reviewer_item = intel.item(stranger)
    lead = users[Role.LEAD_PROFESSIONAL]
    peer_case = factories.case(lead=lead, state=CaseState.SCREENED)
    peer_link = intel.peer_link(lead, visible, peer_case)
    hidden_peer_link = intel.peer_link(stranger, hidden, open_case)
    ids = {
        "item": item.id,
        "location": location.id,
        "person": person.id,
        "disruption": disruption.id,
        "disruption_kind": disruption.kind_id,  # the admin catalogue routes (intelligence_disruptions.py)
        "hidden_item": hidden_item.id,
        "hidden_location": hidden_location.id,
        "hidden_person": hidden_person.id,
        "hidden_disruption": hidden_disruption.id,
        "reviewer_item": reviewer_item.id,
        "link": _item_link(item, visible),
        "hidden_link": _item_link(hidden_item, hidden),
        "peer_link": peer_link.id,
        "hidden_peer_link": hidden_peer_link.id,
        "subject_link": _subject_link(visible, location),
        "hidden_subject_link": _subject_link(hidden, hidden_location),
    }
    ids.update({f"open_{name}": ids[f"hidden_{name}"] for name in HIDDEN_TWINS})
    return ids


# The records above with a `hidden_<name>` twin (tests/web/test_route_access.py).
HIDDEN_TWINS = ("item", "location", "person", "disruption", "link", "peer_link", "subject_link")


def _item_link(item, case) -> int:
    return db.session.scalar(
        select(IntelligenceLink.id).where(
            IntelligenceLink.item_id == item.id, IntelligenceLink.case_id == case.id
        )
    )


def _subject_link(case, location) -> int:
    return db.session.scalar(
        select(CaseSubjectLink.id).where(
            CaseSubjectLink.case_id == case.id, CaseSubjectLink.location_id == location.id
        )
    )
