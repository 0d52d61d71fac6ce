"""The association picture's fixture (issue 13, "Done when"): three children, two persons
and two places, with a child and a person the non-reviewers may not open.

    Amy Alpha (case A)   led by `lead`; `granted` and `ungranted` on its team
    Bella Bravo (case B) `lead`, `granted` and `ungranted` on its team
    Cara Hidden (case C) no test user but the chair may open it

    Dale Example (P1)    linked directly to A (confirmed); vehicle AB12CDE; a Sexual Risk
                         Order on him protects A and C; possibly associated with P2
    Kyle Sample (P2)     linked directly to C only: out of reach of everyone but the chair
    Harbour View Hotel (L1)  linked directly to A and B (likely)
    Old Mill Park (L2)   only on a C-coded item (graded 2B) naming `granted`, linked to A,
                         P1 and L2
    A and B are friends (a possible peer link); an ungraded item links B and P2 (the
    picture ignores it, even for the chair).
"""

from mettrack.core.choices import LinkReliability, PeerLinkKind, Role
from mettrack.core.extensions import db
from mettrack.intelligence.models import PersonAssociation
from tests import factories
from tests.intelligence import factories as intel

NAMES = {
    "A": "Amy Alpha",
    "B": "Bella Bravo",
    "C": "Cara Hidden",
    "P1": "Dale Example",
    "P2": "Kyle Sample",
    "L1": "Harbour View Hotel",
    "L2": "Old Mill Park",
}


def build() -> dict:
    chair = factories.user(roles=[Role.MET_CHAIR], agency="MET chairs")
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], agency="Children's services")
    granted = factories.user(roles=[Role.PARTNER], agency="Harbour School")
    ungranted = factories.user(roles=[Role.PARTNER], agency="Harbour School")
    sharer = factories.user(roles=[Role.PARTNER], agency="Youth service")
    other_lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], agency="Children's services")

    def kid(name):
        first, last = name.split()
        return factories.child(first_name=first, last_name=last)

    case_a = factories.case(lead=lead, members=[granted, ungranted], child_obj=kid(NAMES["A"]))
    case_b = factories.case(lead=other_lead, members=[lead, granted, ungranted], child_obj=kid(NAMES["B"]))
    case_c = factories.case(lead=None, child_obj=kid(NAMES["C"]))

    p1 = intel.person(sharer, name=NAMES["P1"], vehicles=["AB12CDE"], cases=[case_a])
    p2 = intel.person(sharer, name=NAMES["P2"], cases=[case_c])
    l1 = intel.location(sharer, name=NAMES["L1"], cases=[case_a, case_b])
    l2 = intel.location(sharer, name=NAMES["L2"])
    db.session.add(
        PersonAssociation(
            person_id=p1.id,
            other_person_id=p2.id,
            relation="Cousin of Kyle",
            reliability=LinkReliability.POSSIBLE.value,
            created_by_id=sharer.id,
        )
    )
    db.session.commit()
    secret = intel.item(
        sharer, handling="C", cases=[case_a], persons=[p1], locations=[l2], grants=[granted], reviewer=chair
    )
    raw = intel.item(sharer, cases=[case_b], persons=[p2])
    order = intel.disruption(sharer, person=p1, protects=[case_a, case_c])
    intel.peer_link(sharer, case_a, case_b, kind=PeerLinkKind.FRIEND, reliability=LinkReliability.POSSIBLE)
    return dict(
        chair=chair,
        lead=lead,
        granted=granted,
        ungranted=ungranted,
        analyst=factories.user(roles=[Role.ANALYST]),
        admin=factories.user(roles=[Role.ADMIN]),
        officer=intel.police_user(Role.PARTNER),
        A=case_a.id,
        B=case_b.id,
        C=case_c.id,
        P1=p1.id,
        P2=p2.id,
        L1=l1.id,
        L2=l2.id,
        secret=secret.id,
        raw=raw.id,
        order=order.id,
    )
