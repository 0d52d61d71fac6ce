"""The specialist service catalogue, read (the admin pages that keep it are built on the
generic reference-list admin, reference/lists.py). Reading holds nothing about any child,
so it is not audited. Requests and meeting decisions store a service's code; a
deactivated service stays readable on them but is no longer offered.
"""

from sqlalchemy import func, select

from mettrack.accounts.agency import Agency
from mettrack.core.choices import ServiceRequestStatus
from mettrack.core.extensions import db
from mettrack.specialist_services.defaults import DEFAULT_SERVICES
from mettrack.specialist_services.models import ServiceRequest, SpecialistService

ORDER_STEP = 10  # as migration 0008 seeds them: room to put one between two others


def _ordered():
    return select(SpecialistService).order_by(SpecialistService.sort_order, SpecialistService.name)


def list_all() -> list[SpecialistService]:
    """Every service, deactivated ones too, in the catalogue's order."""
    return list(db.session.scalars(_ordered()))


def list_active() -> list[SpecialistService]:
    """The services offered on forms, in the catalogue's order."""
    return list(db.session.scalars(_ordered().where(SpecialistService.active.is_(True))))


def options() -> list[tuple[str, str]]:
    """(code, name) of every active service: what a form offers."""
    return [(s.code, s.name) for s in list_active()]


def active_service(code) -> SpecialistService | None:
    """The active service with this code, or None (a form's or API's choice checked)."""
    if not isinstance(code, str) or not code.strip():
        return None
    return db.session.scalar(
        select(SpecialistService).where(
            SpecialistService.code == code.strip(), SpecialistService.active.is_(True)
        )
    )


def service_labels() -> dict[str, str]:
    """Every service's code and name, offered or not (one query)."""
    return dict(db.session.execute(select(SpecialistService.code, SpecialistService.name)).all())


def label_for(code: str | None) -> str:
    if code is None:
        return ""
    return service_labels().get(code, code)


def loads(service_ids=None) -> dict[int, int]:
    """How many children each service works with now (its accepted, not ended, requests),
    by service id; a service with none is absent. One GROUP BY."""
    query = (
        select(ServiceRequest.service_id, func.count(func.distinct(ServiceRequest.case_id)))
        .where(ServiceRequest.status == ServiceRequestStatus.ACCEPTED.value)
        .group_by(ServiceRequest.service_id)
    )
    if service_ids is not None:
        query = query.where(ServiceRequest.service_id.in_(list(service_ids)))
    return dict(db.session.execute(query).all())


def over_capacity_warning(service: SpecialistService, load: int) -> str | None:
    """What the coordinator is told when one more child would take the service over its
    capacity (a warning, not a refusal: the provider decides), or None."""
    if service.capacity is None or load + 1 <= service.capacity:
        return None
    return (
        f"{service.name} is working with {load} of {service.capacity} children it has room for: "
        "this request would take it over its capacity. You can still send it; the service decides."
    )


def default_rows() -> list[dict]:
    """The default services as rows (provider by agency name, linked where it exists)."""
    agencies = dict(db.session.execute(select(Agency.name, Agency.id)).all())
    return [
        dict(
            code=code,
            name=name,
            agency_id=agencies.get(provider),
            offers=offers,
            exploitation_types=list(types),
            min_age=youngest,
            max_age=oldest,
            capacity=capacity,
            active=True,
            sort_order=(position + 1) * ORDER_STEP,
        )
        for position, (code, name, provider, offers, types, youngest, oldest, capacity) in enumerate(
            DEFAULT_SERVICES
        )
    ]


def add_missing_defaults() -> int:
    """Add the default services whose code is missing, and give a service with no provider
    its default provider when an agency of that name now exists (the demo makes its
    agencies after `flask db upgrade`). Joins the caller's unit of work; returns how many
    services were added."""
    existing = {s.code: s for s in db.session.scalars(select(SpecialistService))}
    added = 0
    for row in default_rows():
        service = existing.get(row["code"])
        if service is None:
            db.session.add(SpecialistService(**row))
            added += 1
        elif service.agency_id is None and row["agency_id"] is not None:
            service.agency_id = row["agency_id"]
    db.session.flush()
    return added
