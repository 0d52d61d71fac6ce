from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mettrack.accounts.agency import Agency
from mettrack.core.choices import RequestUrgency, ServiceRequestStatus
from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.types import UTCDateTime


class SpecialistService(db.Model):
    """One service in the catalogue (PARCS, Barnardo's ICTG, DASS ...): who provides it,
    what it offers, whom it takes and how many children it can work with at once. Kept on
    the generic reference-list admin (specialist_services/catalogue.py). A code never
    changes: requests and meeting decisions store it."""

    __tablename__ = "specialist_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The provider: its users who hold a case role answer the requests sent to the service.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    offers: Mapped[str | None] = mapped_column(Text)
    exploitation_types: Mapped[list] = mapped_column(JSON, default=list)  # ExploitationType codes; empty: any
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    contact: Mapped[str | None] = mapped_column(String(300))
    capacity: Mapped[int | None] = mapped_column(Integer)  # children at once; None: no set limit
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    agency: Mapped[Agency | None] = relationship()

    @property
    def label(self) -> str:
        return self.name


class ServiceRequest(db.Model):
    """A specialist service asked for on a case, and its life: requested (with the reason
    and urgency), then accepted (naming the worker and start date; active until it ends with
    an outcome) or declined (with the reason), or withdrawn by the coordinator. A service
    that accepted before requests were kept was migrated as an accepted request (0008)."""

    __tablename__ = "service_requests"
    __table_args__ = (
        Index("ix_service_requests_service_status", "service_id", "status"),
        Index("ix_service_requests_status_due", "status", "answer_due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("specialist_services.id"))
    status: Mapped[str] = mapped_column(String(16), default=ServiceRequestStatus.REQUESTED.value)
    urgency: Mapped[str] = mapped_column(String(16), default=RequestUrgency.ROUTINE.value)
    reason: Mapped[str | None] = mapped_column(Text)  # why the service is asked for
    needs: Mapped[str | None] = mapped_column(Text)  # what the service needs to know to decide
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))  # a meeting's decision
    # The working-day clock (working_days.py): the day by which an answer is due.
    answer_due_on: Mapped[date | None] = mapped_column(Date)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # True when the coordinator recorded an answer the provider gave by phone or e-mail.
    recorded_for_provider: Mapped[bool] = mapped_column(Boolean, default=False)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(200))
    worker_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    accepted_on: Mapped[date | None] = mapped_column(Date)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(40))  # ServiceOutcome
    note: Mapped[str | None] = mapped_column(Text)  # said when the work ended
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    service: Mapped[SpecialistService] = relationship()

    @property
    def service_code(self) -> str:
        return self.service.code

    @property
    def recorded_by_id(self) -> int:
        """Who recorded it: the API's service-assignment view (DESIGN.md's contract)."""
        return self.requested_by_id

    @property
    def recorded_at(self) -> datetime:
        return self.requested_at

    @property
    def active(self) -> bool:
        return self.status == ServiceRequestStatus.ACCEPTED.value

    @property
    def waiting(self) -> bool:
        return self.status == ServiceRequestStatus.REQUESTED.value


class PoliceTierRecord(db.Model):
    """One police tier decision on a case: the tier and holding team, the officer in charge,
    from when, who set it and how (the move, the chair, a meeting). The case keeps the
    current tier and team (Case.police_tier, Case.police_team) for the list's filters; this
    is their history, newest last."""

    __tablename__ = "police_tier_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    tier_code: Mapped[str] = mapped_column(String(40))
    team_code: Mapped[str | None] = mapped_column(String(40))
    officer: Mapped[str | None] = mapped_column(String(200))  # name and collar number, or contact
    from_date: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))  # TierSource
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    note: Mapped[str | None] = mapped_column(Text)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
