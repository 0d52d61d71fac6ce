"""Three children, two persons and two places for the case-side intelligence tests
(peer links, case links, the case page's section, the agenda provider, hotspots).

lead leads cases a and b; other_lead leads case c (lead cannot see it); the chair sees
all; officer is a police partner (a reviewer) on no case's team.
"""

from datetime import UTC, datetime

from sqlalchemy import select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import LocationType, Role
from mettrack.core.extensions import db
from tests import factories
from tests.intelligence import factories as intel

T0 = datetime(2026, 2, 1, 9, tzinfo=UTC)


def make_world() -> dict:
    chair = factories.user(roles=[Role.MET_CHAIR], name="Chris Chair")
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Lee Lead")
    other_lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Olly Other", agency="Other agency")
    partner = factories.user(roles=[Role.PARTNER], name="Pat Partner", agency="Harbour School")
    officer = intel.police_user(Role.PARTNER, name="Olive Officer")
    a = factories.case(lead=lead, child_obj=factories.child(first_name="Amberly", last_name="Testchild"))
    b = factories.case(lead=lead, child_obj=factories.child(first_name="Brinley", last_name="Testchild"))
    c = factories.case(lead=other_lead, child_obj=factories.child(first_name="Corrin", last_name="Testchild"))
    hotel = intel.location(partner, name="Harbour View Hotel", location_type=LocationType.HOTEL)
    park = intel.location(partner, name="Old Mill Park", location_type=LocationType.PARK, postcode="PO2 9ZZ")
    dale = intel.person(partner, name="Dale Example")
    kyle = intel.person(partner, name="Kyle Sample")
    return dict(
        chair=chair,
        lead=lead,
        other_lead=other_lead,
        partner=partner,
        officer=officer,
        a=a,
        b=b,
        c=c,
        hotel=hotel,
        park=park,
        dale=dale,
        kyle=kyle,
    )


def audit_rows(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
    )


def detail_of(row: AuditEvent) -> dict:
    import json

    return json.loads(row.detail or "{}")


def join_team(user, *cases) -> None:
    from mettrack.cases.models import CaseTeamMember

    for case in cases:
        db.session.add(CaseTeamMember(case_id=case.id, user_id=user.id, team_role="member"))
    db.session.commit()
