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
"""

from mettrack.core.choices import Role
from tests import factories
from tests.intelligence import factories as intel

ROUTES = []  # the records only; the routes are in intelligence_*.py


def build_records(users: dict, visible, hidden) -> dict:
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
    }
    ids.update(
        {f"open_{name}": ids[f"hidden_{name}"] for name in ("item", "location", "person", "disruption")}
    )
    return ids
