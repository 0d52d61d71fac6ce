"""A small world for the places, persons and search tests (made-up names).

lead      leads `case` (Casey Testchild), not `other_case`
sharer    a school partner who shared `p_item` (P, linked to case, person and place)
          and `c_item` (C, naming nobody, linked to case and `hidden_person`)
officer   a police partner: a reviewer
person    Dale Example, alias Smokey, AB12CDE, 07700900123, linked to both cases,
          a Sexual Risk Order on him protects case's child
hidden_person  Kyle Sample: linked only through c_item, which the lead is not granted
place     Harbour View Hotel, PO1 2AB, linked to case
"""

from datetime import UTC, datetime

from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.intelligence.models import PersonPhone
from tests import factories
from tests.intelligence import factories as intel

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


def make_world() -> dict:
    set_now(NOW)
    chair = factories.user(roles=[Role.MET_CHAIR])
    officer = intel.police_user(Role.PARTNER)
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    other_lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    sharer = factories.user(roles=[Role.PARTNER], agency="Harbour School")
    case = factories.case(lead=lead, child_obj=factories.child(first_name="Casey", last_name="Testchild"))
    other_case = factories.case(
        lead=other_lead, child_obj=factories.child(first_name="Robin", last_name="Hidden")
    )
    person = intel.person(
        officer, name="Dale Example", aliases=["Smokey"], vehicles=["AB12CDE"], cases=[case, other_case]
    )
    person.phones = [PersonPhone(number="07700900123", note="usual mobile")]
    db.session.commit()
    hidden_person = intel.person(officer, name="Kyle Sample")
    place = intel.location(officer, name="Harbour View Hotel", postcode="PO1 2AB", cases=[case])
    p_item = intel.item(
        sharer,
        handling="P",
        reviewer=officer,
        cases=[case],
        persons=[person],
        locations=[place],
        information="Dale Example was seen at the hotel in a grey car AB12 CDE.",
        sanitised="A man has been seen at a hotel with a car.",
    )
    c_item = intel.item(
        sharer,
        handling="C",
        reviewer=officer,
        cases=[case],
        persons=[hidden_person],
        information="Kyle Sample drives children to parties.",
    )
    disruption = intel.disruption(officer, person=person, protects=[case])
    return dict(
        chair=chair,
        officer=officer,
        lead=lead,
        other_lead=other_lead,
        sharer=sharer,
        case=case,
        other_case=other_case,
        person=person,
        hidden_person=hidden_person,
        place=place,
        p_item=p_item,
        c_item=c_item,
        disruption=disruption,
    )
