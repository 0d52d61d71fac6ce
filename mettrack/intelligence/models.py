"""Intelligence: Community Partnership Information as submitted and as graded (3x5x2),
locations and persons of concern, the links between them and children's cases, peer links
between children, and disruption actions (docs/intelligence.md).

Who reaches which row is decided in one place, intelligence/access.py, never here.
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.cases.models import Case
from mettrack.core.choices import DisruptionStatus, IntelligenceStatus
from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime


def exactly_one(*columns: str) -> str:
    """A CHECK that exactly one of the columns is set (written to run on SQLite and PostgreSQL)."""
    return " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in columns) + " = 1"


class IntelligenceItem(db.Model):
    """One Community Partnership Information submission. What the sharer wrote is kept
    exactly as submitted (the sharer_*, information* and source_* columns never change
    after submission); a reviewer adds the grading, the handling and the sanitised text."""

    __tablename__ = "intelligence_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, index=True)
    # Who is sharing (prefilled from the account, editable on the form).
    sharer_name: Mapped[str] = mapped_column(String(200))
    sharer_organisation: Mapped[str] = mapped_column(String(200))
    sharer_phone: Mapped[str | None] = mapped_column(String(40))
    sharer_email: Mapped[str | None] = mapped_column(String(254))
    # The information.
    information: Mapped[str] = mapped_column(Text)
    information_date: Mapped[date] = mapped_column(Date)
    information_place: Mapped[str | None] = mapped_column(String(300))
    # The source: reviewers only, ever.
    source_name: Mapped[str | None] = mapped_column(String(200))
    source_date_of_birth: Mapped[date | None] = mapped_column(Date)
    source_address: Mapped[str | None] = mapped_column(Text)
    source_recontact: Mapped[bool | None] = mapped_column(Boolean)
    source_recontact_how: Mapped[str | None] = mapped_column(String(300))
    source_how_known: Mapped[str | None] = mapped_column(Text)
    # The review.
    status: Mapped[str] = mapped_column(String(16), default=IntelligenceStatus.SUBMITTED.value, index=True)
    source_evaluation: Mapped[str | None] = mapped_column(String(1))  # SourceEvaluation
    intelligence_assessment: Mapped[str | None] = mapped_column(String(1))  # IntelligenceAssessment
    handling_code: Mapped[str | None] = mapped_column(String(1), index=True)  # HandlingCode
    handling_conditions: Mapped[str | None] = mapped_column(Text)
    sanitised_text: Mapped[str | None] = mapped_column(Text)
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    graded_by: Mapped[User | None] = relationship(foreign_keys=[graded_by_id])
    links: Mapped[list["IntelligenceLink"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="IntelligenceLink.id"
    )
    grants: Mapped[list["HandlingGrant"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="HandlingGrant.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def reference(self) -> str:
        """What the sharer's acknowledgement quotes (docs/intelligence.md)."""
        return f"CPI-{self.id:05d}"

    def __repr__(self) -> str:
        return f"<IntelligenceItem {self.id}>"


class HandlingGrant(db.Model):
    """Who a C-coded item's conditions name: a user, or every user of an agency."""

    __tablename__ = "intelligence_handling_grants"
    __table_args__ = (CheckConstraint(exactly_one("user_id", "agency_id"), name="one_grantee"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("intelligence_items.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)

    item: Mapped[IntelligenceItem] = relationship(back_populates="grants")
    user: Mapped[User | None] = relationship()
    agency: Mapped[Agency | None] = relationship()


class Location(db.Model):
    """A place of concern (a hotspot): hotels, parks, houses, takeaways, online spaces ..."""

    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    location_type: Mapped[str] = mapped_column(String(20))  # LocationType
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10), index=True)  # normalised: "PO1 2AB"
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    description: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Location {self.id}>"


class PersonOfConcern(db.Model):
    """A person of concern (a perpetrator or subject). Kept until its review date, when a
    reviewer decides whether it is still needed."""

    __tablename__ = "persons_of_concern"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    approximate_age: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    review_on: Mapped[date] = mapped_column(Date, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    aliases: Mapped[list["PersonAlias"]] = relationship(
        cascade="all, delete-orphan", order_by="PersonAlias.id", lazy="selectin"
    )
    vehicles: Mapped[list["PersonVehicle"]] = relationship(
        cascade="all, delete-orphan", order_by="PersonVehicle.id", lazy="selectin"
    )
    phones: Mapped[list["PersonPhone"]] = relationship(
        cascade="all, delete-orphan", order_by="PersonPhone.id", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<PersonOfConcern {self.id}>"


class PersonAlias(db.Model):
    __tablename__ = "person_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons_of_concern.id"), index=True)
    alias: Mapped[str] = mapped_column(String(200))


class PersonVehicle(db.Model):
    __tablename__ = "person_vehicles"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons_of_concern.id"), index=True)
    registration: Mapped[str] = mapped_column(String(10), index=True)  # normalised: "AB12CDE"
    description: Mapped[str | None] = mapped_column(String(200))  # make, model, colour


class PersonPhone(db.Model):
    __tablename__ = "person_phones"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons_of_concern.id"), index=True)
    number: Mapped[str] = mapped_column(String(20), index=True)  # normalised: digits, "07700900123"
    note: Mapped[str | None] = mapped_column(String(200))


class IntelligenceLink(db.Model):
    """An item linked to a case, a location or a person (exactly one). A link the sharer
    suggested (a child they can see) is marked so; a reviewer's links are the rest."""

    __tablename__ = "intelligence_links"
    __table_args__ = (CheckConstraint(exactly_one("case_id", "location_id", "person_id"), name="one_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("intelligence_items.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons_of_concern.id"), index=True)
    suggested_by_sharer: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, index=True)

    item: Mapped[IntelligenceItem] = relationship(back_populates="links")
    case: Mapped[Case | None] = relationship()
    location: Mapped[Location | None] = relationship()
    person: Mapped[PersonOfConcern | None] = relationship()


class CaseSubjectLink(db.Model):
    """A child's case linked to a location or a person of concern (exactly one), directly,
    with how reliable the link is."""

    __tablename__ = "case_subject_links"
    __table_args__ = (CheckConstraint(exactly_one("location_id", "person_id"), name="one_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons_of_concern.id"), index=True)
    reliability: Mapped[str] = mapped_column(String(16))  # LinkReliability
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, index=True)

    case: Mapped[Case] = relationship()
    location: Mapped[Location | None] = relationship()
    person: Mapped[PersonOfConcern | None] = relationship()


class PersonAssociation(db.Model):
    """A person of concern linked to another person or to a location (exactly one)."""

    __tablename__ = "person_associations"
    __table_args__ = (CheckConstraint(exactly_one("other_person_id", "location_id"), name="one_other"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons_of_concern.id"), index=True)
    other_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons_of_concern.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    relation: Mapped[str | None] = mapped_column(String(200))  # "brother", "drives for", "stays at"
    reliability: Mapped[str] = mapped_column(String(16))  # LinkReliability
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    person: Mapped[PersonOfConcern] = relationship(foreign_keys=[person_id])
    other_person: Mapped[PersonOfConcern | None] = relationship(foreign_keys=[other_person_id])
    location: Mapped[Location | None] = relationship()


class PeerLink(db.Model):
    """Two children's cases linked (sibling, friend, peer group, placement). Stored once,
    with case_id < other_case_id; shown on both to those who may see both."""

    __tablename__ = "peer_links"
    __table_args__ = (
        UniqueConstraint("case_id", "other_case_id", "kind", name="uq_peer_links_pair_kind"),
        CheckConstraint("case_id < other_case_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    other_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # PeerLinkKind
    reliability: Mapped[str] = mapped_column(String(16))  # LinkReliability
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    case: Mapped[Case] = relationship(foreign_keys=[case_id])
    other_case: Mapped[Case] = relationship(foreign_keys=[other_case_id])


class DisruptionKind(db.Model):
    """The catalogue of disruption tools an admin keeps (reference/lists.py): CAWN, SRO,
    SHPO, hotel notices, ... A kind may carry an expiry (orders and notices) and may need
    the CAWN check of the protected child's age and looked-after status."""

    __tablename__ = "disruption_kinds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    has_expiry: Mapped[bool] = mapped_column(Boolean, default=False)
    checks_cawn: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class DisruptionAction(db.Model):
    """A disruption action against a person of concern or a location (either or both)."""

    __tablename__ = "disruption_actions"
    __table_args__ = (CheckConstraint("person_id IS NOT NULL OR location_id IS NOT NULL", name="has_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("disruption_kinds.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons_of_concern.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=DisruptionStatus.PLANNED.value, index=True)
    planned_on: Mapped[date | None] = mapped_column(Date)
    starts_on: Mapped[date | None] = mapped_column(Date)  # in force from
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    ended_on: Mapped[date | None] = mapped_column(Date)
    details: Mapped[str | None] = mapped_column(Text)
    cawn_section: Mapped[str | None] = mapped_column(String(20))  # CawnSection, for a CAWN
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    kind: Mapped[DisruptionKind] = relationship(lazy="joined")
    person: Mapped[PersonOfConcern | None] = relationship()
    location: Mapped[Location | None] = relationship()
    owner_agency: Mapped[Agency] = relationship()
    owner_user: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])
    protected: Mapped[list["DisruptionChild"]] = relationship(
        cascade="all, delete-orphan", order_by="DisruptionChild.case_id"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<DisruptionAction {self.id}>"


class DisruptionChild(db.Model):
    """A child (their case) a disruption action protects."""

    __tablename__ = "disruption_children"

    action_id: Mapped[int] = mapped_column(ForeignKey("disruption_actions.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True, index=True)

    case: Mapped[Case] = relationship()
