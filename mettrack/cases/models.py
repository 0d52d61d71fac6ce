from datetime import date, datetime

from sqlalchemy import Computed, Date, ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.children.models import Child
from mettrack.core.choices import RISK_RANK, UNRATED_RANK, CaseState
from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime, trigram_index

# The risk sort's rank (core/choices.RISK_RANK: highest first, unrated last) as the database
# works it out: a generated column is in step with risk_level whoever writes it (a use
# case, a meeting's decisions, a bulk load), and an index can serve the sort.
RISK_RANK_SQL = (
    "CASE risk_level "
    + " ".join(f"WHEN '{level}' THEN {rank}" for level, rank in RISK_RANK.items())
    + f" ELSE {UNRATED_RANK} END"
)


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        # One index for each sort of the case list (cases/queries.py _order), so that a
        # page of 25 reads 25 index entries, not every case (docs/performance-fixes.md).
        Index("ix_cases_opened_at_id", "opened_at", "id"),
        Index("ix_cases_next_review_on_id", "next_review_on", "id"),
        Index("ix_cases_risk_rank_review", "risk_rank", "next_review_on", "id"),
        # A child never has two open cases (DESIGN.md, case lifecycle).
        Index(
            "uq_cases_one_open_per_child",
            "child_id",
            unique=True,
            postgresql_where=text("state <> 'closed'"),
            sqlite_where=text("state <> 'closed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    risk_level: Mapped[str | None] = mapped_column(String(16))
    risk_rank: Mapped[int] = mapped_column(SmallInteger, Computed(RISK_RANK_SQL, persisted=True))
    lead_professional_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    lead_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)
    # Referral to Children's Services (MASH).
    referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mash_reference: Mapped[str | None] = mapped_column(String(60))
    referral_outcome: Mapped[str | None] = mapped_column(Text)
    # Who recorded the outcome and when: at referral, or later (cases/referral.py).
    referral_outcome_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    referral_outcome_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    referral_override_reason: Mapped[str | None] = mapped_column(Text)
    # Set by the MET chair: tier and holding team are reference data (they differ by force).
    police_tier: Mapped[str | None] = mapped_column(String(40))
    police_team: Mapped[str | None] = mapped_column(String(80))
    next_review_on: Mapped[date | None] = mapped_column(Date, index=True)
    closure_reason: Mapped[str | None] = mapped_column(String(80))
    closure_note: Mapped[str | None] = mapped_column(Text)
    # National Referral Mechanism, for a child who may have been trafficked.
    nrm_referred_on: Mapped[date | None] = mapped_column(Date)
    nrm_reasonable_grounds: Mapped[str | None] = mapped_column(String(16))
    nrm_reasonable_grounds_on: Mapped[date | None] = mapped_column(Date)
    nrm_conclusive_grounds: Mapped[str | None] = mapped_column(String(16))
    nrm_conclusive_grounds_on: Mapped[date | None] = mapped_column(Date)
    # Optimistic locking: a save based on a stale read fails instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1)

    child: Mapped[Child] = relationship(lazy="joined")
    lead_professional: Mapped[User | None] = relationship(foreign_keys=[lead_professional_id])
    referral_outcome_recorded_by: Mapped[User | None] = relationship(
        foreign_keys=[referral_outcome_recorded_by_id]
    )
    lead_agency: Mapped[Agency | None] = relationship()
    team: Mapped[list["CaseTeamMember"]] = relationship(cascade="all, delete-orphan", back_populates="case")
    # The id breaks ties: events recorded in the same moment (one request, or one second
    # of a clock that keeps only seconds) still show in the order they were written.
    events: Mapped[list["CaseEvent"]] = relationship(
        cascade="all, delete-orphan", order_by="(CaseEvent.occurred_at, CaseEvent.id)"
    )
    tags: Mapped[list["CaseTag"]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED

    def note_event(self, actor, kind: str, reason: str) -> None:
        """A line on the timeline for something that moves nothing (a team change, a
        referral's outcome, a meeting's decision, a service answered, a police tier):
        `kind` a CaseEventKind; the state before and after is the case's own."""
        self.events.append(
            CaseEvent(
                occurred_at=now(),
                actor_id=actor.id,
                action=str(kind),
                from_state=self.state,
                to_state=self.state,
                reason=reason,
            )
        )

    def __repr__(self) -> str:
        return f"<Case {self.id}>"


trigram_index("ix_cases_mash_reference_trgm", Case.mash_reference)


class CaseTeamMember(db.Model):
    __tablename__ = "case_team_members"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    team_role: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    case: Mapped[Case] = relationship(back_populates="team")
    user: Mapped[User] = relationship()


class CaseEvent(db.Model):
    """One move of a case: who, when, from, to, why."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship()


class CaseTag(db.Model):
    """An exploitation type, flag or place of harm on a case (domain.choices.CaseTagKind);
    rows, not columns, so lists filter on any of them with one EXISTS."""

    __tablename__ = "case_tags"
    __table_args__ = (Index("ix_case_tags_kind_value", "kind", "value"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(32), primary_key=True)
