"""Intelligence records for tests, saved directly (the use cases have their own tests).

sharer = factories.user(roles=[Role.PARTNER])
item = intel.item(sharer, handling="P", cases=[case])        # graded P, linked to case
secret = intel.item(sharer, handling="C", grants=[user])     # graded C, naming user
raw = intel.item(sharer)                                      # ungraded
officer = intel.police_user(Role.PARTNER)                     # a reviewer
"""

import itertools
from datetime import UTC, date, datetime

from mettrack.accounts.agency import Agency
from mettrack.core.choices import (
    AgencySector,
    DisruptionStatus,
    IntelligenceStatus,
    LinkReliability,
    LocationType,
    PeerLinkKind,
)
from mettrack.core.extensions import db
from mettrack.intelligence import seed_disruption_kinds
from mettrack.intelligence.models import (
    CaseSubjectLink,
    DisruptionAction,
    DisruptionChild,
    DisruptionKind,
    HandlingGrant,
    IntelligenceItem,
    IntelligenceLink,
    Location,
    PeerLink,
    PersonAlias,
    PersonOfConcern,
    PersonVehicle,
)
from tests import factories

_counter = itertools.count(1)


def police_user(*roles, agency="Test Constabulary", approved=True, **fields):
    """A user of a police agency (sector police): with a case role, a reviewer once a MET
    chair has approved it, as here by default (`approved=False`: still waiting)."""
    user = factories.user(roles=roles or [factories.Role.PARTNER], agency=agency, **fields)
    user.intelligence_review_approved = approved
    set_sector(user.agency, AgencySector.POLICE)
    return user


def set_sector(agency: Agency, sector: AgencySector) -> None:
    agency.sector = sector.value
    db.session.commit()


def item(
    sharer,
    *,
    handling=None,
    cases=(),
    persons=(),
    locations=(),
    grants=(),
    grant_agencies=(),
    information="A grey car waits outside the school gates at 3pm most days.",
    sanitised="A car has been seen waiting near a school.",
    submitted_at=None,
    linked_at=None,
    reviewer=None,
    source_name="Source Person",
) -> IntelligenceItem:
    """An item shared by `sharer`; with `handling` ("P" or "C") graded 2/B by `reviewer`
    (the sharer when None) and linked to the cases, persons and locations given."""
    when = submitted_at or datetime(2026, 2, 1, 9, tzinfo=UTC)
    row = IntelligenceItem(
        submitted_by_id=sharer.id,
        submitted_at=when,
        sharer_name=sharer.name,
        sharer_organisation=sharer.agency.name,
        sharer_email=sharer.email,
        information=information,
        information_date=date(2026, 1, 30),
        information_place="Near the school",
        source_name=source_name,
        source_date_of_birth=date(1980, 5, 1),
        source_address="1 Example Road",
        source_recontact=True,
        source_recontact_how="By phone",
        source_how_known="Saw it",
    )
    if handling:
        grader = reviewer or sharer
        row.status = IntelligenceStatus.GRADED.value
        row.source_evaluation = "2"
        row.intelligence_assessment = "B"
        row.handling_code = handling
        row.handling_conditions = "Police and social care only" if handling == "C" else None
        row.sanitised_text = sanitised if handling == "P" else None
        row.graded_by_id = grader.id
        row.graded_at = when
    db.session.add(row)
    db.session.flush()
    at = linked_at or when
    for target in cases:
        row.links.append(IntelligenceLink(case_id=target.id, created_by_id=sharer.id, created_at=at))
    for target in persons:
        row.links.append(IntelligenceLink(person_id=target.id, created_by_id=sharer.id, created_at=at))
    for target in locations:
        row.links.append(IntelligenceLink(location_id=target.id, created_by_id=sharer.id, created_at=at))
    for grantee in grants:
        row.grants.append(HandlingGrant(user_id=grantee.id))
    for agency in grant_agencies:
        row.grants.append(HandlingGrant(agency_id=agency.id))
    db.session.commit()
    return row


def location(
    creator, *, name=None, location_type=LocationType.HOTEL, postcode="PO1 2AB", cases=()
) -> Location:
    n = next(_counter)
    row = Location(
        name=name or f"Harbour View Hotel {n}",
        location_type=location_type.value,
        address=f"{n} Quay Street, Southsea",
        postcode=postcode,
        created_by_id=creator.id,
    )
    db.session.add(row)
    db.session.flush()
    for target in cases:
        db.session.add(
            CaseSubjectLink(
                case_id=target.id,
                location_id=row.id,
                reliability=LinkReliability.LIKELY.value,
                created_by_id=creator.id,
            )
        )
    db.session.commit()
    return row


def person(
    creator, *, name=None, aliases=(), vehicles=(), cases=(), review_on=date(2027, 6, 1)
) -> PersonOfConcern:
    n = next(_counter)
    row = PersonOfConcern(
        name=name or f"Dale Example {n}",
        approximate_age=24,
        description="Tall, often in a grey tracksuit.",
        review_on=review_on,
        created_by_id=creator.id,
    )
    row.aliases = [PersonAlias(alias=a) for a in aliases]
    row.vehicles = [PersonVehicle(registration=r) for r in vehicles]
    db.session.add(row)
    db.session.flush()
    for target in cases:
        db.session.add(
            CaseSubjectLink(
                case_id=target.id,
                person_id=row.id,
                reliability=LinkReliability.CONFIRMED.value,
                created_by_id=creator.id,
            )
        )
    db.session.commit()
    return row


def disruption_kind(code="cawn") -> DisruptionKind:
    """A kind of the catalogue's starting list (the migration seeds it; every test starts on
    empty tables, so it is added here when missing)."""
    seed_disruption_kinds()
    db.session.commit()
    return db.session.query(DisruptionKind).filter_by(code=code).one()


def disruption(
    creator,
    *,
    kind="sro",
    person=None,
    location=None,
    protects=(),
    status=DisruptionStatus.IN_FORCE,
    expires_on=date(2027, 3, 1),
    owner_agency=None,
) -> DisruptionAction:
    row = DisruptionAction(
        kind_id=disruption_kind(kind).id,
        person_id=person.id if person else None,
        location_id=location.id if location else None,
        owner_agency_id=(owner_agency or creator.agency).id,
        owner_user_id=creator.id,
        status=status.value,
        starts_on=date(2026, 3, 1),
        expires_on=expires_on,
        created_by_id=creator.id,
    )
    row.protected = [DisruptionChild(case_id=c.id) for c in protects]
    db.session.add(row)
    db.session.commit()
    return row


def peer_link(
    creator, one, other, *, kind=PeerLinkKind.PEER_GROUP, reliability=LinkReliability.LIKELY
) -> PeerLink:
    low, high = sorted([one.id, other.id])
    row = PeerLink(
        case_id=low,
        other_case_id=high,
        kind=kind.value,
        reliability=reliability.value,
        created_by_id=creator.id,
    )
    db.session.add(row)
    db.session.commit()
    return row
