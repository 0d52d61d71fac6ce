"""The specialist service catalogue: reading it, and keeping it on the generic
reference-list admin (reference/lists.py; the pages are catalogue_pages.py, the API
catalogue_api.py). Requests and meeting decisions store a service's code; a deactivated
service stays readable on them but is no longer offered.

An admin adds a service, changes its name, provider agency, what it offers, the
exploitation types and ages it takes, its contact, capacity and order, deactivates or
reactivates it, and adds the default services not there yet. A code never changes.

Who: the catalogue itself holds nothing about any child, so the form's reads are not
audited; the API's reads (which carry each service's load) are, with the ids shown. Any
change needs reference.admin (Perm.REFERENCE_DATA_ADMIN) and is audited
(specialist_service.added / .updated / .deactivated / .reactivated / .seeded).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from mettrack.accounts.agency import Agency
from mettrack.core import audit
from mettrack.core.choices import ExploitationType, ServiceRequestStatus
from mettrack.core.errors import NotFound
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_int, parse_text
from mettrack.core.limits import DATABASE_INT_MAX, max_length
from mettrack.core.unit_of_work import transaction
from mettrack.reference import ListRules, add_defaults
from mettrack.reference import add as reference_lists_add
from mettrack.reference import get as reference_lists_get
from mettrack.reference import set_active as reference_lists_set_active
from mettrack.reference import update as reference_lists_update
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


def missing_defaults() -> int:
    """How many default services are not in the catalogue (by code)."""
    existing = set(db.session.scalars(select(SpecialistService.code)))
    return sum(1 for row in DEFAULT_SERVICES if row[0] not in existing)


def waiting(service_ids=None) -> dict[int, int]:
    """How many requests wait for each service's answer, by service id; a service with
    none is absent. One GROUP BY."""
    query = (
        select(ServiceRequest.service_id, func.count(ServiceRequest.id))
        .where(ServiceRequest.status == ServiceRequestStatus.REQUESTED.value)
        .group_by(ServiceRequest.service_id)
    )
    if service_ids is not None:
        query = query.where(ServiceRequest.service_id.in_(list(service_ids)))
    return dict(db.session.execute(query).all())


def agency_options() -> list[tuple[str, str]]:
    """(id, name) of every agency, for the provider's select."""
    rows = db.session.execute(select(Agency.id, Agency.name).order_by(func.lower(Agency.name)))
    return [(str(agency_id), name) for agency_id, name in rows]


# --- the admin (the generic list use cases, reference/lists.py)

CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_CODE = max_length(SpecialistService.code)
MAX_NAME = max_length(SpecialistService.name)
MAX_CONTACT = max_length(SpecialistService.contact)
MAX_OFFERS = 2000
OLDEST = 25  # a care leaver's service may work to 25; older is a typing slip
MAX_CAPACITY = 10_000
ANY_TYPE = "any"  # the form's choice for "every exploitation type" (stored as [])
FIELDS = (
    "code",
    "name",
    "agency_id",
    "offers",
    "exploitation_types",
    "min_age",
    "max_age",
    "contact",
    "capacity",
    "sort_order",
)
TYPES_MESSAGE = "Choose the exploitation types the service takes: CSE, CCE or any"


def get(service_id: int) -> SpecialistService:
    """The service with this id (active or not), or NotFound. Reference data: no audit."""
    return reference_lists_get(RULES, service_id)


def _check_code(data: Mapping, errors: dict, values: dict) -> None:
    code = parse_text(data, "code", "The code", errors, max_length=MAX_CODE, required=True)
    if code is None:
        return
    code = code.lower()
    if not CODE_RE.match(code):
        errors["code"] = (
            "The code must start with a letter and use only lower-case letters, digits and "
            "underscores, like youth_justice"
        )
    elif db.session.scalar(select(SpecialistService.id).where(SpecialistService.code == code)):
        errors["code"] = "A service with this code already exists: choose another code"
    else:
        values["code"] = code


def _check_agency(data: Mapping, errors: dict, values: dict) -> None:
    # Not parse_int: an id is no list position, and may pass its 10000.
    agency_id = data.get("agency_id")
    if isinstance(agency_id, str) and agency_id.strip().isascii() and agency_id.strip().isdigit():
        agency_id = int(agency_id.strip()) if len(agency_id.strip()) <= 10 else None
    if (
        isinstance(agency_id, bool)
        or not isinstance(agency_id, int)
        or not 1 <= agency_id <= DATABASE_INT_MAX
        or db.session.get(Agency, agency_id) is None
    ):
        errors["agency_id"] = "Choose the agency that provides the service"
    else:
        values["agency_id"] = agency_id


def _check_types(data: Mapping, errors: dict, values: dict, service: SpecialistService | None) -> None:
    """A form sends one choice (any, cse or cce); the API a list of codes (empty: any)."""
    chosen = data.get("exploitation_types")
    if chosen is None or (isinstance(chosen, str) and chosen.strip() in ("", ANY_TYPE)):
        chosen = []
    elif isinstance(chosen, str):
        chosen = [chosen.strip()]
    if not isinstance(chosen, list | tuple) or any(
        not isinstance(code, str) or code not in ExploitationType.values() for code in chosen
    ):
        errors["exploitation_types"] = TYPES_MESSAGE
        return
    codes = [code for code in ExploitationType.values() if code in chosen]  # one order, as seeded
    if service is not None and not codes and _takes_any(service):
        codes = list(service.exploitation_types or [])  # "any" already: keep it as stored
    values["exploitation_types"] = codes


def _takes_any(service: SpecialistService) -> bool:
    return set(ExploitationType.values()) <= set(service.exploitation_types or []) or not (
        service.exploitation_types
    )


def _check_ages(data: Mapping, errors: dict, values: dict) -> None:
    ages = {}
    for name, label in (("min_age", "The youngest age"), ("max_age", "The oldest age")):
        age = parse_int(data, name, label, errors)
        if name in errors or (age is not None and not 0 <= age <= OLDEST):
            errors[name] = f"{label} must be a whole number from 0 to {OLDEST}, or blank"
        else:
            ages[name] = age
    if len(ages) == 2 and None not in ages.values() and ages["min_age"] > ages["max_age"]:
        errors["min_age"] = "The youngest age must not be more than the oldest age"
        return
    values.update(ages)


def _check(data: Mapping, errors: dict, service: SpecialistService | None, fixed: dict) -> dict:
    values: dict = {}
    if service is None:
        _check_code(data, errors, values)
    name = parse_text(data, "name", "The name", errors, max_length=MAX_NAME, required=True)
    if name is not None:
        values["name"] = name
    _check_agency(data, errors, values)
    values["offers"] = parse_text(data, "offers", "What the service offers", errors, max_length=MAX_OFFERS)
    _check_types(data, errors, values, service)
    _check_ages(data, errors, values)
    values["contact"] = parse_text(data, "contact", "The contact", errors, max_length=MAX_CONTACT)
    capacity = parse_int(data, "capacity", "The capacity", errors)
    if "capacity" in errors or (capacity is not None and not 0 <= capacity <= MAX_CAPACITY):
        errors["capacity"] = f"The capacity must be a whole number from 0 to {MAX_CAPACITY}, or blank"
    else:
        values["capacity"] = capacity
    order = parse_int(data, "sort_order", "The order", errors)
    if "sort_order" in errors or (order is not None and not 0 <= order <= MAX_CAPACITY):
        errors["sort_order"] = f"The order must be a whole number from 0 to {MAX_CAPACITY}"
    elif order is not None:
        values["sort_order"] = order
    return {name: value for name, value in values.items() if name not in errors}


def _after_last(values: dict) -> int:
    return (db.session.scalar(select(func.max(SpecialistService.sort_order))) or 0) + ORDER_STEP


RULES = ListRules(
    record_type="specialist_service",
    model=SpecialistService,
    fields=FIELDS,
    refusal="Your role does not allow changing the service catalogue",
    check=_check,
    added_detail=lambda service: {"code": service.code},
    row_detail=lambda service: {"code": service.code},
    next_order=_after_last,
    duplicate=lambda service: {"code": "A service with this code already exists: choose another code"},
    seed=add_missing_defaults,
)


def add_service(user, data: Mapping) -> SpecialistService:
    """Who: reference.admin. A new offered service: `code` (unique, never changed later),
    `name`, `agency_id` (the provider), optional `offers`, `exploitation_types` (none:
    any), `min_age` and `max_age` (0 to 25), `contact`, `capacity` (blank: no set limit)
    and `sort_order` (default: after the last). Audited."""
    return reference_lists_add(RULES, user, data)


def update_service(user, service_id: int, data: Mapping) -> SpecialistService:
    """Who: reference.admin. Changes everything but the code. Requests already made show
    the new name. Audited, naming the fields changed."""
    return reference_lists_update(RULES, user, service_id, data)


def set_active(user, service_id: int, active: bool) -> SpecialistService:
    """Who: reference.admin. Deactivates (no longer offered on new requests; requests and
    services already working keep it) or reactivates a service. Audited."""
    return reference_lists_set_active(RULES, user, service_id, active)


def add_defaults_for(user) -> int:
    """Who: reference.admin. Adds the default services not there yet. Audited."""
    return add_defaults(RULES, user)


def form_values(service: SpecialistService) -> dict:
    """A service as the form's (and a partial API change's) starting values."""
    types = list(service.exploitation_types or [])
    return {
        "name": service.name,
        "agency_id": "" if service.agency_id is None else str(service.agency_id),
        "offers": service.offers or "",
        "exploitation_types": ANY_TYPE if _takes_any(service) else types[0],
        "min_age": "" if service.min_age is None else str(service.min_age),
        "max_age": "" if service.max_age is None else str(service.max_age),
        "contact": service.contact or "",
        "capacity": "" if service.capacity is None else str(service.capacity),
        "sort_order": str(service.sort_order),
    }


@transaction
def change_service(user, service_id: int, changes: Mapping) -> SpecialistService:
    """Who: reference.admin. The API's partial change: fields not in `changes` keep their
    value, None clears an optional one; `active` deactivates or reactivates. One unit of
    work, audited as update_service and set_active are."""
    changes = dict(changes)
    active = changes.pop("active", None)
    service = get(service_id)
    current = form_values(service) | {"exploitation_types": list(service.exploitation_types or [])}
    service = update_service(user, service_id, current | changes)
    if active is not None:
        service = set_active(user, service_id, active)
    return service


# --- the API's reads (audited: they carry each service's load)


@dataclass(frozen=True)
class ServiceView:
    service: SpecialistService
    load: int  # children the service works with now
    waiting: int  # requests waiting for its answer

    def __getattr__(self, name):
        return getattr(self.service, name)

    @property
    def agency_name(self) -> str | None:
        return self.service.agency.name if self.service.agency is not None else None


def _views(services: list[SpecialistService]) -> list[ServiceView]:
    ids = [s.id for s in services]
    load, queue = loads(ids), waiting(ids)
    return [ServiceView(s, load.get(s.id, 0), queue.get(s.id, 0)) for s in services]


def admin_views() -> list[ServiceView]:
    """Every service, deactivated ones too, with its load: the admin page (counts only,
    nothing about any child, so not audited, like the rest of the catalogue's reads)."""
    return _views(list_all())


def view_of(service: SpecialistService) -> ServiceView:
    """A service just changed, with its load (the change's audit row covers the answer)."""
    return _views([service])[0]


@transaction
def views_for(user) -> list[ServiceView]:
    """Who: any case role (the API checks it). Every active service with its load and
    waiting requests. Audited with the ids shown."""
    items = _views(list_active())
    audit.record(
        "specialist_service.listed",
        "specialist_service",
        None,
        detail={"ids": [v.id for v in items]},
        actor=user,
    )
    return items


@transaction
def view_for(user, service_id: int) -> ServiceView:
    """Who: any case role. One service (deactivated ones too: requests name them), or
    NotFound. Audited."""
    service = db.session.get(SpecialistService, service_id)
    if service is None:
        raise NotFound("specialist_service", service_id)
    audit.record("specialist_service.viewed", "specialist_service", service.id, actor=user)
    return _views([service])[0]
