"""Made-up demonstration intelligence (docs/intelligence.md), called by demo/load.py once the
cases and meetings are there.

Five places (a hotel, a park, a takeaway, a house and an online group chat) and three
persons of concern, with aliases, a vehicle and phone numbers from Ofcom's drama range
(07700 900xxx); six Community Partnership Information submissions: two waiting for review,
three graded P with sanitised text, one graded C whose conditions name the police agency;
their links to cases, places and persons; a peer group of three children; direct links
between cases and places or persons with how reliable each is; and three disruption actions
(a Child Abduction Warning Notice protecting a child under 16, a hotel information request in
force with an expiry, an arrest planned).

The places and persons are made through their use cases (create_location, create_person),
as a reviewer would make them. The other rows are made directly, as a reviewer's finished
work would leave them, each with the audit row its use case writes: the demo shows the
feature, the use cases have their own tests. The police partner (Jordan Demoworth, a
partner of Hampshire and Isle of Wight Constabulary, sector police) reviews: they graded
the items. Every name, address, vehicle and number is invented; postcodes use the ZZ99
pseudo-area as the children's addresses do. The texts describe what adults do to children:
children are exploited, coerced, safeguarded, never blamed (the language list;
tests/intelligence/test_demo_intelligence.py checks them).
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.cases.models import Case
from mettrack.children.models import Child
from mettrack.core import audit, clock
from mettrack.core.choices import (
    CawnSection,
    DisruptionStatus,
    HandlingCode,
    IntelligenceStatus,
    LinkReliability,
    LocationType,
    PeerLinkKind,
    Role,
)
from mettrack.core.extensions import db
from mettrack.core.unit_of_work import unit_of_work
from mettrack.intelligence import create_location, create_person, seed_disruption_kinds
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
    PersonOfConcern,
)

POLICE_AGENCY = "Hampshire and Isle of Wight Constabulary"

# The children (first and last names in demo/load.py).
ISLA = ("Isla", "Fernhollow")  # 13: the CAWN protects her (section 2, under 16)
MASON = ("Mason", "Millbrook-Test")
POPPY = ("Poppy", "Juniperfield")
KAI = ("Kai", "Glenbrook-Sample")
PEER_GROUP = (ISLA, MASON, POPPY)

# key: (name, type, address, postcode, description)
LOCATIONS = {
    "hotel": (
        "Harbour View Hotel",
        LocationType.HOTEL,
        "12 Quay Street, Demotown",
        "ZZ99 1HV",
        "A budget hotel near the ferry port; rooms are booked online and paid in cash.",
    ),
    "park": (
        "Millpond Park",
        LocationType.PARK,
        "Millpond Road, Demotown",
        "ZZ99 2MP",
        "The skate area and the car park by the pavilion, in the evenings.",
    ),
    "takeaway": (
        "Golden Fryer",
        LocationType.TAKEAWAY,
        "48 Market Parade, Demotown",
        "ZZ99 3GF",
        "A takeaway open until 2am.",
    ),
    "house": (
        "7 Wren Close",
        LocationType.HOUSE,
        "7 Wren Close, Demotown",
        "ZZ99 4WC",
        "A rented house; adults not known to the landlord come and go.",
    ),
    "online": (
        "The Link Up (group chat)",
        LocationType.ONLINE,
        None,
        None,
        "A group chat on a messaging app, used to invite children to parties at short notice.",
    ),
}

# key: (name, approximate age, date of birth, description, aliases, vehicles, phones)
PERSONS = {
    "dean": (
        "Dean Marlowe-Demo",
        24,
        None,
        "White man, slim, short dark hair, often in a grey tracksuit.",
        ("DJ", "Deano"),
        (("AB12CDE", "Silver hatchback"),),
        (("07700900123", "Given to children as a number to text"),),
    ),
    "curtis": (
        "Curtis Vanebrook-Test",
        None,
        date(1998, 3, 14),
        "Tall, beard, drives a black estate car.",
        ("Vane", "CV"),
        (("CD34EFG", "Black estate car"),),
        (("07700900456", None), ("07700900789", "A second phone, seen by police")),
    ),
    "shannon": (
        "Shannon Teller-Sample",
        30,
        None,
        "Rents the house at 7 Wren Close; said to host parties there.",
        ("Shan",),
        (),
        (),
    ),
}

# (person, other person or None, location or None, relation, reliability)
ASSOCIATIONS = (
    ("dean", "curtis", None, "drives for", LinkReliability.LIKELY),
    ("dean", None, "hotel", "books rooms at", LinkReliability.CONFIRMED),
    ("curtis", None, "house", "stays at", LinkReliability.LIKELY),
    ("shannon", None, "house", "tenant of", LinkReliability.CONFIRMED),
)

SHARED_BY_LEAD, SHARED_BY_COORDINATOR, SHARED_BY_POLICE = (
    Role.LEAD_PROFESSIONAL,
    Role.COORDINATOR,
    Role.PARTNER,
)

# Each item: who shared it, days ago, what they wrote, the place, the source (name, how known,
# re-contact how or None), the grading (source, assessment, handling) or None, the conditions
# (C), the sanitised text (P), the linked cases, places and persons.
ITEMS = (
    {
        "sharer": SHARED_BY_LEAD,
        "days_ago": 3,
        "information": (
            "Isla's carer reports that a silver hatchback, registration AB12 CDE, has waited "
            "outside the home on several evenings this month. The driver calls himself DJ and "
            "has texted Isla from a number the carer has written down."
        ),
        "place": "Wren Close area, Demotown",
        "source": (
            "Terry Samplecarer",
            "Saw the car from the window and read the texts with Isla",
            "By phone",
        ),
        "grading": None,
        "cases": (ISLA,),  # suggested by the sharer
    },
    {
        "sharer": SHARED_BY_COORDINATOR,
        "days_ago": 2,
        "information": (
            "Staff at the Golden Fryer takeaway say two adult men buy food for groups of young "
            "teenagers late at night and then drive them away. Staff are worried for the children."
        ),
        "place": "Golden Fryer, 48 Market Parade",
        "source": ("Robin Fryerson", "Works the late shift and saw it happen", None),
        "grading": None,
    },
    {
        "sharer": SHARED_BY_POLICE,
        "days_ago": 40,
        "information": (
            "Officers called to the Harbour View Hotel found three children in a room booked by "
            "an adult man who gave the name Dean Marlowe. The children had been given alcohol. "
            "They were safeguarded and taken home; Isla later told her support worker she had "
            "been coerced into going by threats to share photographs."
        ),
        "place": "Harbour View Hotel, 12 Quay Street",
        "source": ("Alex Nightporter", "The night porter who called the police", "At the hotel, by phone"),
        "grading": ("1", "A", HandlingCode.LAWFUL_SHARING),
        "sanitised": (
            "Police safeguarded three children found with an adult at a hotel in Demotown. The "
            "hotel is working with the police on bookings."
        ),
        "cases": PEER_GROUP,
        "locations": ("hotel",),
        "persons": ("dean",),
    },
    {
        "sharer": SHARED_BY_LEAD,
        "days_ago": 30,
        "information": (
            "Kai told his youth worker that an adult he knows as Vane makes him carry parcels to "
            "Millpond Park and pays him in phone credit. Kai is being criminally exploited: he "
            "was coerced with threats about a debt he is told he owes."
        ),
        "place": "Millpond Park",
        "source": ("Jo Sampleworker", "Kai told them at a planned session", "Through Edge of Care"),
        "grading": ("1", "B", HandlingCode.LAWFUL_SHARING),
        "sanitised": (
            "A child is being criminally exploited by an adult who controls him through a "
            "made-up debt and sends him to a park in Demotown."
        ),
        "cases": (KAI,),
        "locations": ("park",),
        "persons": ("curtis",),
    },
    {
        "sharer": SHARED_BY_POLICE,
        "days_ago": 20,
        "information": (
            "A police source reports that Dean Marlowe-Demo and Curtis Vanebrook-Test use the house "
            "at 7 Wren Close and contact children through the group chat The Link Up."
        ),
        "place": "7 Wren Close, Demotown",
        "source": ("Source reference DEMO-17", "Told by someone who has been to the house", None),
        "grading": ("2", "C", HandlingCode.WITH_CONDITIONS),
        "conditions": (
            "Hampshire and Isle of Wight Constabulary only, and the MET chair. Do not record in "
            "partner agencies' systems or share in partnership forums: it could identify the source."
        ),
        "locations": ("house", "online"),
        "persons": ("dean", "curtis"),
    },
    {
        "sharer": SHARED_BY_COORDINATOR,
        "days_ago": 10,
        "information": (
            "Poppy showed her school's safeguarding lead invitations she had been sent in a group "
            "chat called The Link Up, to parties at a house at short notice, from adults she does "
            "not know. The school has kept screenshots."
        ),
        "place": "Online",
        "source": ("Pat Schoolington", "Poppy showed them the messages", "Through Demotown Academy"),
        "grading": ("2", "B", HandlingCode.LAWFUL_SHARING),
        "sanitised": (
            "Adults are using an online group chat to invite children to parties at short notice. "
            "Schools have been asked to tell their safeguarding leads."
        ),
        "cases": (POPPY,),
        "locations": ("online",),
    },
)

# (child, location or None, person or None, reliability, note)
CASE_SUBJECT_LINKS = (
    (ISLA, "hotel", None, LinkReliability.CONFIRMED, "Found there by officers"),
    (ISLA, None, "dean", LinkReliability.CONFIRMED, "Has texted and waited for her"),
    (MASON, "hotel", None, LinkReliability.CONFIRMED, "Found there by officers"),
    (POPPY, "online", None, LinkReliability.LIKELY, "Sent invitations in the chat"),
    (KAI, "park", None, LinkReliability.LIKELY, "Sent there to carry parcels"),
    (KAI, None, "curtis", LinkReliability.CONFIRMED, "Named by Kai as Vane"),
)

PEER_NOTE = "Found together at the Harbour View Hotel; the same adults contact them."

# (catalogue code, person, location, status, planned, starts, expires (days from today),
#  protected children, cawn section, details)
DISRUPTIONS = (
    (
        "cawn",
        "dean",
        None,
        DisruptionStatus.IN_FORCE,
        None,
        -21,
        344,
        (ISLA,),
        CawnSection.CHILD_ABDUCTION_ACT_S2,
        "Served in person by the Neighbourhood Policing Team. Isla is under 16.",
    ),
    (
        "hotel_information_request",
        None,
        "hotel",
        DisruptionStatus.IN_FORCE,
        None,
        -14,
        30,
        PEER_GROUP,
        None,
        "The hotel gives the police the guest list each week while the notice is in force.",
    ),
    (
        "arrest",
        "curtis",
        None,
        DisruptionStatus.PLANNED,
        5,
        None,
        None,
        (KAI,),
        None,
        "Planned with the Neighbourhood Policing Team (South); Kai's youth worker will be told first.",
    ),
)


def texts() -> list[str]:
    """Every text this demo writes, for the language check's test."""
    found = []
    for spec in ITEMS:
        found += [spec["information"], spec.get("sanitised"), spec.get("conditions"), spec["source"][1]]
    found += [note for *_, note in CASE_SUBJECT_LINKS] + [PEER_NOTE]
    found += [details for *_, details in DISRUPTIONS]
    found += [spec[3] for spec in PERSONS.values()] + [spec[4] for spec in LOCATIONS.values()]
    found += [relation for _, _, _, relation, _ in ASSOCIATIONS]
    return [t for t in found if t]


def loaded() -> bool:
    return db.session.scalar(select(Location.id).where(Location.name == LOCATIONS["hotel"][0])) is not None


def _case_of(child: tuple[str, str]) -> Case | None:
    first, last = child
    return db.session.scalar(
        select(Case)
        .join(Child, Child.id == Case.child_id)
        .where(Child.first_name == first, Child.last_name == last)
        .order_by(Case.id.desc())
        .limit(1)
    )


def _kind(code: str) -> DisruptionKind:
    """The catalogue kind (migration 0007 seeds the starting list; added here for a schema
    built without it)."""
    seed_disruption_kinds()
    return db.session.scalars(select(DisruptionKind).where(DisruptionKind.code == code)).one()


def load(users: dict[Role, User]) -> bool:
    """Idempotent: adds the demo intelligence once, when the demo children's cases are there.
    Returns whether it added anything."""
    if loaded():
        return False
    cases = {child: _case_of(child) for child in (*PEER_GROUP, KAI)}
    if any(case is None for case in cases.values()):
        return False
    with unit_of_work():
        _build(users, cases)
    return True


def _at(days_ago: int, hour: int = 10) -> datetime:
    day = clock.today() - timedelta(days=days_ago)
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _build(users: dict[Role, User], cases: dict[tuple[str, str], Case]) -> None:
    reviewer, chair = users[Role.PARTNER], users[Role.MET_CHAIR]
    police = db.session.scalar(select(Agency).where(Agency.name == POLICE_AGENCY))
    places, persons = _places_and_persons(reviewer)
    for spec in ITEMS:
        _item(spec, users[spec["sharer"]], reviewer, police, cases, places, persons)
    for child, place, person, reliability, note in CASE_SUBJECT_LINKS:
        link = CaseSubjectLink(
            case_id=cases[child].id,
            location_id=places[place].id if place else None,
            person_id=persons[person].id if person else None,
            reliability=reliability.value,
            note=note,
            created_by_id=reviewer.id,
            created_at=_at(35),
        )
        db.session.add(link)
        db.session.flush()
        audit.record(
            "case_subject_link.added",
            "case",
            link.case_id,
            detail={"link_id": link.id, "reliability": link.reliability},
            actor=reviewer,
        )
    peers = sorted(cases[child].id for child in PEER_GROUP)
    for i, first in enumerate(peers):
        for second in peers[i + 1 :]:
            link = PeerLink(
                case_id=first,
                other_case_id=second,
                kind=PeerLinkKind.PEER_GROUP.value,
                reliability=LinkReliability.CONFIRMED.value,
                note=PEER_NOTE,
                created_by_id=chair.id,
                created_at=_at(35),
            )
            db.session.add(link)
            db.session.flush()
            audit.record("peer_link.added", "case", first, detail={"link_id": link.id}, actor=chair)
    for code, person, place, status, planned, starts, expires, protected, section, details in DISRUPTIONS:
        today = clock.today()
        action = DisruptionAction(
            kind_id=_kind(code).id,
            person_id=persons[person].id if person else None,
            location_id=places[place].id if place else None,
            owner_agency_id=police.id,
            owner_user_id=reviewer.id,
            status=status.value,
            planned_on=today + timedelta(days=planned) if planned is not None else None,
            starts_on=today + timedelta(days=starts) if starts is not None else None,
            expires_on=today + timedelta(days=expires) if expires is not None else None,
            details=details,
            cawn_section=section.value if section else None,
            created_by_id=reviewer.id,
            created_at=_at(25),
            protected=[DisruptionChild(case_id=cases[child].id) for child in protected],
        )
        db.session.add(action)
        db.session.flush()
        audit.record(
            "disruption.added",
            "disruption_action",
            action.id,
            detail={"kind": code, "status": action.status},
            actor=reviewer,
        )


def _places_and_persons(reviewer: User) -> tuple[dict[str, Location], dict[str, PersonOfConcern]]:
    """The places and persons, made by the reviewer through their use cases (which join the
    demo's unit of work) with the clock set back to when they were recorded. A person comes
    after the persons and places their associations name."""
    review_on = clock.today() + timedelta(days=365)
    frozen = clock.frozen_at()
    clock.set_now(_at(45))
    try:
        places = {
            key: create_location(
                reviewer,
                {
                    "name": name,
                    "location_type": kind.value,
                    "address": address,
                    "postcode": postcode,
                    "description": description,
                },
            )
            for key, (name, kind, address, postcode, description) in LOCATIONS.items()
        }
        persons: dict[str, PersonOfConcern] = {}
        waiting = list(PERSONS)
        while waiting:
            key = next(k for k in waiting if all(o in persons for p, o, *_ in ASSOCIATIONS if p == k and o))
            waiting.remove(key)
            persons[key] = create_person(reviewer, _person_data(key, review_on, places, persons))
    finally:
        clock.set_now(frozen)
    return places, persons


def _person_data(key: str, review_on: date, places: dict, persons: dict) -> dict:
    name, age, born, description, aliases, vehicles, phones = PERSONS[key]
    return {
        "name": name,
        "approximate_age": age,
        "date_of_birth": born,
        "description": description,
        "aliases": list(aliases),
        "vehicles": [{"registration": r, "description": d} for r, d in vehicles],
        "phones": [{"number": n, "note": note} for n, note in phones],
        "associations": [
            {
                "person_id": persons[other].id if other else None,
                "location_id": places[place].id if place else None,
                "relation": relation,
                "reliability": reliability.value,
            }
            for person, other, place, relation, reliability in ASSOCIATIONS
            if person == key
        ],
        "review_on": review_on,
    }


def _item(spec, sharer, reviewer, police, cases, places, persons) -> None:
    submitted = _at(spec["days_ago"], hour=9)
    source_name, how_known, recontact_how = spec["source"]
    row = IntelligenceItem(
        submitted_by_id=sharer.id,
        submitted_at=submitted,
        sharer_name=sharer.name,
        sharer_organisation=sharer.agency.name,
        sharer_email=sharer.email,
        information=spec["information"],
        information_date=submitted.date() - timedelta(days=1),
        information_place=spec["place"],
        source_name=source_name,
        source_recontact=recontact_how is not None,
        source_recontact_how=recontact_how,
        source_how_known=how_known,
    )
    db.session.add(row)
    db.session.flush()
    audit.record("intelligence.submitted", "intelligence_item", row.id, actor=sharer)
    grading = spec["grading"]
    linker = sharer
    if grading:
        evaluation, assessment, handling = grading
        graded = submitted + timedelta(days=1)
        row.status = IntelligenceStatus.GRADED.value
        row.source_evaluation, row.intelligence_assessment = evaluation, assessment
        row.handling_code = handling.value
        row.handling_conditions = spec.get("conditions")
        row.sanitised_text = spec.get("sanitised") if handling == HandlingCode.LAWFUL_SHARING else None
        row.graded_by_id, row.graded_at = reviewer.id, graded
        if handling == HandlingCode.WITH_CONDITIONS:
            row.grants.append(HandlingGrant(agency_id=police.id))
        linker = reviewer
        audit.record(
            "intelligence.graded",
            "intelligence_item",
            row.id,
            detail={"grading": f"{evaluation}{assessment}{handling.value}"},
            actor=reviewer,
        )
    linked = submitted + timedelta(days=1) if grading else submitted
    suggested = not grading
    for child in spec.get("cases", ()):
        row.links.append(
            IntelligenceLink(
                case_id=cases[child].id,
                suggested_by_sharer=suggested,
                created_by_id=linker.id,
                created_at=linked,
            )
        )
    for key in spec.get("locations", ()):
        row.links.append(
            IntelligenceLink(location_id=places[key].id, created_by_id=linker.id, created_at=linked)
        )
    for key in spec.get("persons", ()):
        row.links.append(
            IntelligenceLink(person_id=persons[key].id, created_by_id=linker.id, created_at=linked)
        )
    db.session.flush()
    for link in row.links:
        audit.record(
            "intelligence.linked", "intelligence_item", row.id, detail={"link_id": link.id}, actor=linker
        )
