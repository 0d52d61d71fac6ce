"""Requests for a specialist service (specialist_services/requests.py). The records:

{service_request}         waiting for an answer on {case}, to PARCS, which the test partner's
                          agency provides (the partner is also on {case}'s team)
{hidden_service_request}  its twin on {hidden_case}, to DASS, which no test user's agency
                          provides: only the MET chair reaches it
{open_service_request}    on {open_case}, to DASS: the chair, and a coordinator through the
                          case summary, reach it; nobody else
{provider_request}        on {open_case}, to PARCS: the test partner reaches it only as
                          PARCS's provider (not on the team); the chair and coordinator
                          reach it through the case
{service}                 PARCS's id in the catalogue

Routes go in this module's ROUTES (the feature's helpers add them).
"""

from sqlalchemy import select

from mettrack.core.choices import Role
from mettrack.core.extensions import db
from mettrack.specialist_services import seed_services
from mettrack.specialist_services.models import SpecialistService
from tests.factories import service_request

ROUTES = []


def build_records(users, visible_case, hidden_case, open_case) -> dict:
    seed_services()
    parcs = db.session.scalar(select(SpecialistService).where(SpecialistService.code == "parcs"))
    parcs.agency_id = users[Role.PARTNER].agency_id
    db.session.commit()
    coordinator = users[Role.COORDINATOR]
    rows = {
        "service_request": service_request(visible_case.id, coordinator.id, "parcs"),
        "hidden_service_request": service_request(hidden_case.id, coordinator.id, "dass"),
        "open_service_request": service_request(open_case.id, coordinator.id, "dass"),
        "provider_request": service_request(open_case.id, coordinator.id, "parcs"),
    }
    db.session.add_all(rows.values())
    db.session.commit()
    return {name: row.id for name, row in rows.items()} | {"service": parcs.id}
