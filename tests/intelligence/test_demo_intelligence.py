"""The demo's intelligence (mettrack/demo/intelligence.py): after the demo loads there are
places, persons of concern, graded and ungraded items, a peer group, direct links and
disruption actions; the police partner reviews; loading again adds nothing; and no demo
text blames a child (the language list)."""

from sqlalchemy import func, select

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import (
    AgencySector,
    CawnSection,
    DisruptionStatus,
    HandlingCode,
    IntelligenceStatus,
    LocationType,
    PeerLinkKind,
)
from mettrack.core.clock import today
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, can
from mettrack.demo import intelligence as demo_intelligence
from mettrack.demo.load import AGENCIES, SECTORS, load_demo
from mettrack.intelligence.access import is_reviewer
from mettrack.intelligence.models import (
    CaseSubjectLink,
    DisruptionAction,
    HandlingGrant,
    IntelligenceItem,
    IntelligenceLink,
    Location,
    PeerLink,
    PersonOfConcern,
    PersonPhone,
    PersonVehicle,
)
from mettrack.language import phrases as language_phrases
from tests.demo_data import load_demo_snapshot

COUNTED = (
    Location,
    PersonOfConcern,
    IntelligenceItem,
    IntelligenceLink,
    HandlingGrant,
    CaseSubjectLink,
    PeerLink,
    DisruptionAction,
)


def _counts() -> list[int]:
    return [db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED]


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_the_demo_has_places_persons_items_a_peer_group_and_disruptions(app_ctx):
    load_demo_snapshot()
    counts = _counts()

    assert {loc.location_type for loc in db.session.scalars(select(Location))} >= {
        LocationType.HOTEL.value,
        LocationType.PARK.value,
        LocationType.TAKEAWAY.value,
        LocationType.HOUSE.value,
        LocationType.ONLINE.value,
    }
    persons = db.session.scalars(select(PersonOfConcern)).all()
    assert 2 <= len(persons) <= 3 and all(p.aliases for p in persons[:2])
    assert "AB12CDE" in db.session.scalars(select(PersonVehicle.registration)).all()
    assert all(n.startswith("07700900") for n in db.session.scalars(select(PersonPhone.number)))

    items = db.session.scalars(select(IntelligenceItem)).all()
    ungraded = [i for i in items if i.status == IntelligenceStatus.SUBMITTED.value]
    graded_p = [i for i in items if i.handling_code == HandlingCode.LAWFUL_SHARING.value]
    (graded_c,) = [i for i in items if i.handling_code == HandlingCode.WITH_CONDITIONS.value]
    assert len(ungraded) >= 2 and all(i.graded_at is None for i in ungraded)
    assert len(graded_p) >= 2 and all(i.sanitised_text for i in graded_p)
    assert graded_c.sanitised_text is None and demo_intelligence.POLICE_AGENCY in graded_c.handling_conditions
    police = db.session.scalar(select(Agency).where(Agency.name == demo_intelligence.POLICE_AGENCY))
    assert [g.agency_id for g in graded_c.grants] == [police.id]
    assert any(link.case_id for i in graded_p for link in i.links)

    peers = db.session.scalars(select(PeerLink)).all()
    assert len(peers) == 3 and {p.kind for p in peers} == {PeerLinkKind.PEER_GROUP.value}
    assert len({p.case_id for p in peers} | {p.other_case_id for p in peers}) == 3
    assert db.session.scalar(select(func.count()).select_from(CaseSubjectLink)) >= 4

    actions = {a.kind.code: a for a in db.session.scalars(select(DisruptionAction))}
    cawn = actions["cawn"]
    assert cawn.cawn_section == CawnSection.CHILD_ABDUCTION_ACT_S2.value and cawn.person_id
    (protected,) = cawn.protected
    born = protected.case.child.date_of_birth
    assert (today() - born).days < 16 * 365
    hotel = actions["hotel_information_request"]
    assert hotel.status == DisruptionStatus.IN_FORCE.value and hotel.expires_on > today()
    assert hotel.location.location_type == LocationType.HOTEL.value
    assert actions["arrest"].status == DisruptionStatus.PLANNED.value

    submitted = db.session.scalars(
        select(AuditEvent.record_id).where(AuditEvent.action == "intelligence.submitted")
    ).all()
    assert sorted(submitted) == sorted(str(i.id) for i in items)
    assert db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "disruption.added")
    ) == len(actions)
    for detail in db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action.like("%.added"))):
        assert "Isla" not in detail and "Harbour" not in detail  # ids and codes, never names

    load_demo()  # idempotent: nothing added the second time
    assert _counts() == counts


def test_the_police_agency_is_police_and_its_partner_reviews(app_ctx):
    load_demo_snapshot()
    for name in AGENCIES:
        agency = db.session.scalar(select(Agency).where(Agency.name == name))
        assert agency.sector == SECTORS[name].value
    assert SECTORS[demo_intelligence.POLICE_AGENCY] == AgencySector.POLICE
    officer = _user("partner@demo.mettrack.test")
    assert officer.agency.sector == AgencySector.POLICE.value
    assert can(officer, Perm.INTEL_REVIEW) and is_reviewer(officer)
    assert not can(_user("lead@demo.mettrack.test"), Perm.INTEL_REVIEW)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(IntelligenceItem)
            .where(IntelligenceItem.graded_by_id == officer.id)
        )
        >= 3
    )


def test_no_demo_intelligence_text_blames_a_child(app_ctx):
    load_demo_snapshot()
    texts = [
        *demo_intelligence.texts(),
        *db.session.scalars(select(IntelligenceItem.information)),
        *db.session.scalars(select(IntelligenceItem.sanitised_text)),
        *db.session.scalars(select(IntelligenceItem.handling_conditions)),
        *db.session.scalars(select(DisruptionAction.details)),
        *db.session.scalars(select(CaseSubjectLink.note)),
        *db.session.scalars(select(PeerLink.note)),
        *db.session.scalars(select(PersonOfConcern.description)),
        *db.session.scalars(select(Location.description)),
    ]
    assert len([t for t in texts if t]) > 20
    assert {
        text: language_phrases.check_text(text) for text in texts if language_phrases.check_text(text)
    } == {}
    for banned in ("involved in", "chose", "putting themselves at risk"):
        assert not [t for t in texts if t and banned in t.lower()], banned
