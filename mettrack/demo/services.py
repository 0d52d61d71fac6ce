"""Made-up demonstration of specialist service requests and the police tier record
(docs/services.md, docs/police-tiers.md), called by demo/load.py once the cases are there.

Made through the use cases, as the coordinator, the provider and the chair would make
them, with the clock set back to when each happened:
- Ruby's case (police tier set): the coordinator asked Edge of Care, urgently, eight
  working days ago, and nobody has answered (the answer is overdue; the demo lead
  professional works for Edge of Care, so it waits in their "Requests for your services");
  DASS declined by phone (no worker free), which the coordinator recorded.
- Tyler's case (police tier set): Barnardo's ICTG was asked two days ago; waiting.
- Poppy's case (a service assigned): the MET chair recorded the officer in charge of her
  police tier.
Every name here is invented; the texts describe what adults do to children and never blame
a child.
"""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.cases.models import Case
from mettrack.children.models import Child
from mettrack.core import clock
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from mettrack.specialist_services import (
    decline_request,
    request_service,
    set_police_tier,
)
from mettrack.specialist_services.models import ServiceRequest
from mettrack.specialist_services.working_days import add_working_days

RUBY = ("Ruby", "Hazelmere-Test")
TYLER = ("Tyler", "Ivybridge-Demo")
POPPY = ("Poppy", "Juniperfield")


def loaded() -> bool:
    return (
        db.session.scalar(select(ServiceRequest.id).where(ServiceRequest.reason.is_not(None)).limit(1))
        is not None
    )


def _case_of(child: tuple[str, str]) -> Case | None:
    first, last = child
    return db.session.scalar(
        select(Case)
        .join(Child, Child.id == Case.child_id)
        .where(Child.first_name == first, Child.last_name == last)
        .order_by(Case.id.desc())
        .limit(1)
    )


def _at_working_days_ago(days: int) -> datetime:
    # The day `days` working days before today, found by stepping back until the
    # working-day count from it reaches today.
    day = clock.today()
    while add_working_days(day, days) > clock.today():
        day -= timedelta(days=1)
    return datetime.combine(day, time(10), tzinfo=UTC)


def load(users: dict[Role, User]) -> bool:
    """Idempotent: adds the demo requests once, when the demo children's cases are there.
    Returns whether it added anything."""
    if loaded():
        return False
    cases = {child: _case_of(child) for child in (RUBY, TYLER, POPPY)}
    if any(case is None for case in cases.values()):
        return False
    coordinator, chair = users[Role.COORDINATOR], users[Role.MET_CHAIR]
    # Each moment from today, before the clock is set back for the first of them.
    at = {days: _at_working_days_ago(days) for days in (8, 6, 2, 1)}
    frozen = clock.frozen_at()
    try:
        clock.set_now(at[8])
        request_service(
            coordinator,
            cases[RUBY].id,
            {
                "service": "edge_of_care",
                "urgency": "urgent",
                "reason": (
                    "The MET group found that adults at the Harbour View Hotel are exploiting Ruby. "
                    "She needs intensive support at home to keep her safe."
                ),
                "needs": (
                    "Ruby lives with her mother and two younger brothers; the school reports good attendance."
                ),
            },
        )
        dass = request_service(
            coordinator,
            cases[RUBY].id,
            {
                "service": "dass",
                "urgency": "routine",
                "reason": (
                    "Ruby was coerced into carrying alcohol and cannabis for the adults exploiting her."
                ),
            },
        ).request
        clock.set_now(at[6])
        decline_request(
            coordinator,
            dass.id,
            {
                "decline_reason": (
                    "Told by phone: no worker is free until next month. Early Help could start sooner."
                )
            },
            dass.version,
        )
        clock.set_now(at[2])
        request_service(
            coordinator,
            cases[TYLER].id,
            {
                "service": "barnardos_ictg",
                "urgency": "routine",
                "reason": (
                    "Tyler was moved between towns by adults exploiting him: he may have been trafficked."
                ),
            },
        )
        clock.set_now(at[1])
        poppy = db.session.get(Case, cases[POPPY].id)
        set_police_tier(
            chair,
            poppy.id,
            {
                "police_tier": poppy.police_tier,
                "police_team": poppy.police_team,
                "officer": "DC 4521 Sam Officerly-Demo (MET team)",
                "from_date": clock.today().isoformat(),
            },
            poppy.version,
        )
    finally:
        clock.set_now(frozen)
    return True
