"""A world for the request tests: a coordinator, PARCS's provider (a partner whose agency
provides it), another provider's partner on the case team, and a case whose police
tier is set. The clock is a Friday before Easter 2026."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.specialist_services.models import SpecialistService
from tests import factories

NOW = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)
REASON = "The MET group asked for specialist one-to-one work."


def service(code: str) -> SpecialistService:
    return db.session.scalar(select(SpecialistService).where(SpecialistService.code == code))


@pytest.fixture
def world(app_ctx):
    set_now(NOW)
    coordinator = factories.user(roles=[Role.COORDINATOR], name="Cora Coordinator")
    provider = factories.user(roles=[Role.PARTNER], agency="PARCS test agency", name="Pat Provider")
    other = factories.user(roles=[Role.PARTNER], agency="DASS test agency", name="Dee Other")
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Lee Lead")
    case = factories.case(state=CaseState.POLICE_TIERED, lead=lead, members=[other])
    service("parcs").agency_id = provider.agency_id
    service("dass").agency_id = other.agency_id
    db.session.commit()
    return {
        "coordinator": coordinator,
        "provider": provider,
        "other": other,
        "lead": lead,
        "case": case,
        "case_id": case.id,
    }


def fresh(user: User) -> User:
    return db.session.get(User, user.id)
