"""The service catalogue's use cases (specialist_services/catalogue.py): adding and
changing a service with each field checked, deactivating, the defaults, the loads and
waiting requests, and the audit rows."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.errors import NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.specialist_services import catalogue
from mettrack.specialist_services.defaults import DEFAULT_SERVICES
from mettrack.specialist_services.models import SpecialistService
from tests import factories


@pytest.fixture
def world(app_ctx):
    admin = factories.user(roles=[Role.ADMIN], agency="Youth Justice Service")
    coordinator = factories.user(roles=[Role.COORDINATOR])
    catalogue.add_missing_defaults()
    db.session.commit()
    return dict(admin=admin, coordinator=coordinator, agency_id=admin.agency_id)


def _valid(world, **changes) -> dict:
    return {
        "code": "youth_justice",
        "name": "Youth Justice Service",
        "agency_id": str(world["agency_id"]),
        "offers": "Case workers for children in the youth justice system.",
        "exploitation_types": "cce",
        "min_age": "10",
        "max_age": "18",
        "contact": "01234 567890",
        "capacity": "12",
        "sort_order": "",
    } | changes


def _audit(prefix: str = "specialist_service") -> list[tuple[str, str | None, str, dict]]:
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.record_id, AuditEvent.outcome, AuditEvent.detail)
        .where(AuditEvent.action.like(f"{prefix}%"))
        .order_by(AuditEvent.seq)
    )
    return [(a, r, o, json.loads(d)) for a, r, o, d in rows]


def _service(code: str) -> SpecialistService:
    return db.session.scalar(select(SpecialistService).where(SpecialistService.code == code))


def test_an_admin_adds_a_service_last_with_every_field(world):
    service = catalogue.add_service(world["admin"], _valid(world, code="Youth_Justice"))
    assert service.code == "youth_justice" and service.active
    assert service.agency_id == world["agency_id"]
    assert service.exploitation_types == ["cce"]
    assert (service.min_age, service.max_age, service.capacity) == (10, 18, 12)
    assert service.contact == "01234 567890"
    assert catalogue.list_active()[-1].code == "youth_justice"
    assert service.sort_order == len(DEFAULT_SERVICES) * catalogue.ORDER_STEP + catalogue.ORDER_STEP
    assert _audit()[-1] == ("specialist_service.added", str(service.id), "ok", {"code": "youth_justice"})


def test_blank_optional_fields_mean_no_limit_and_any_type(world):
    data = _valid(world, exploitation_types="any", min_age="", max_age="", capacity="", offers="", contact="")
    service = catalogue.add_service(world["admin"], data)
    assert service.exploitation_types == []
    assert (service.min_age, service.max_age, service.capacity, service.offers, service.contact) == (
        None,
        None,
        None,
        None,
        None,
    )


BAD = [
    ("code", {"code": ""}, "Enter the code"),
    ("code", {"code": "9 lives"}, "The code must start with a letter"),
    ("code", {"code": "parcs"}, "A service with this code already exists"),
    ("name", {"name": "  "}, "Enter the name"),
    ("name", {"name": "x" * 201}, "The name must be 200 characters or fewer"),
    ("agency_id", {"agency_id": ""}, "Choose the agency that provides the service"),
    ("agency_id", {"agency_id": "999999"}, "Choose the agency that provides the service"),
    ("agency_id", {"agency_id": "99999999999999999999"}, "Choose the agency"),
    ("offers", {"offers": "x" * 2001}, "What the service offers must be 2000 characters or fewer"),
    ("exploitation_types", {"exploitation_types": "trafficking"}, "Choose the exploitation types"),
    ("exploitation_types", {"exploitation_types": ["cse", 3]}, "Choose the exploitation types"),
    ("min_age", {"min_age": "-1"}, "The youngest age must be a whole number from 0 to 25"),
    ("min_age", {"min_age": "ten"}, "The youngest age must be a whole number from 0 to 25"),
    ("max_age", {"max_age": "26"}, "The oldest age must be a whole number from 0 to 25"),
    ("min_age", {"min_age": "16", "max_age": "12"}, "The youngest age must not be more than the oldest"),
    ("contact", {"contact": "x" * 301}, "The contact must be 300 characters or fewer"),
    ("capacity", {"capacity": "10001"}, "The capacity must be a whole number from 0 to 10000"),
    ("capacity", {"capacity": "a few"}, "The capacity must be a whole number from 0 to 10000"),
    ("capacity", {"capacity": "-3"}, "The capacity must be a whole number from 0 to 10000"),
    ("sort_order", {"sort_order": "1.5"}, "The order must be a whole number"),
]


@pytest.mark.parametrize(("field", "changes", "message"), BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_each_bad_field_is_named_and_nothing_is_saved(world, field, changes, message):
    before = db.session.scalar(select(func.count()).select_from(SpecialistService))
    with pytest.raises(ValidationError) as refused:
        catalogue.add_service(world["admin"], _valid(world, **changes))
    assert list(refused.value.errors) == [field]
    assert refused.value.errors[field].startswith(message)
    assert db.session.scalar(select(func.count()).select_from(SpecialistService)) == before


def test_capacity_zero_and_equal_ages_are_allowed(world):
    service = catalogue.add_service(world["admin"], _valid(world, capacity="0", min_age="16", max_age="16"))
    assert (service.capacity, service.min_age, service.max_age) == (0, 16, 16)


def test_a_change_keeps_the_code_and_names_the_fields_changed(world):
    parcs = _service("parcs")
    values = catalogue.form_values(parcs) | {"agency_id": str(world["agency_id"])}
    values |= {"code": "renamed", "capacity": "30", "contact": "parcs@example.org"}
    catalogue.update_service(world["admin"], parcs.id, values)
    db.session.expire_all()
    parcs = _service("parcs")
    assert parcs is not None and parcs.capacity == 30 and parcs.contact == "parcs@example.org"
    action, record_id, outcome, detail = _audit()[-1]
    assert (action, record_id, outcome) == ("specialist_service.updated", str(parcs.id), "ok")
    assert detail == {"code": "parcs", "fields": ["agency_id", "capacity", "contact"]}


def test_any_type_is_kept_as_stored_when_nothing_else_changes(world):
    ictg = _service("barnardos_ictg")  # seeded taking CSE and CCE: "any" on the form
    values = catalogue.form_values(ictg) | {"agency_id": str(world["agency_id"])}
    assert values["exploitation_types"] == catalogue.ANY_TYPE
    catalogue.update_service(world["admin"], ictg.id, values)
    assert _service("barnardos_ictg").exploitation_types == ["cse", "cce"]
    assert _audit()[-1][3]["fields"] == ["agency_id"]


def test_another_role_is_refused_and_the_refusal_audited(world):
    with pytest.raises(NotAllowed):
        catalogue.add_service(world["coordinator"], _valid(world))
    parcs = _service("parcs")
    with pytest.raises(NotAllowed):
        catalogue.set_active(world["coordinator"], parcs.id, False)
    assert _service("parcs").active and _service("youth_justice") is None
    assert [(a, o) for a, _r, o, _d in _audit()] == [
        ("specialist_service.change.denied", "denied"),
        ("specialist_service.change.denied", "denied"),
    ]


def test_a_deactivated_service_is_no_longer_offered_but_stays_readable(world):
    dass = _service("dass")
    catalogue.set_active(world["admin"], dass.id, False)
    assert "dass" not in [code for code, _name in catalogue.options()]
    assert catalogue.active_service("dass") is None
    assert catalogue.label_for("dass") == dass.name
    catalogue.set_active(world["admin"], dass.id, False)  # no change: no second row
    catalogue.set_active(world["admin"], dass.id, True)
    assert catalogue.active_service("dass") is not None
    assert [a for a, *_ in _audit()] == ["specialist_service.deactivated", "specialist_service.reactivated"]


def test_adding_the_defaults_adds_only_the_missing_ones(world):
    parcs = _service("parcs")
    catalogue.set_active(world["admin"], parcs.id, False)
    db.session.delete(_service("early_help"))
    db.session.commit()
    assert catalogue.missing_defaults() == 1
    assert catalogue.add_defaults_for(world["admin"]) == 1
    assert catalogue.missing_defaults() == 0
    assert not _service("parcs").active  # the admin's deactivation stands
    assert _audit()[-1][::3] == ("specialist_service.seeded", {"added": 1})
    with pytest.raises(NotAllowed):
        catalogue.add_defaults_for(world["coordinator"])


def test_the_api_reads_carry_load_and_waiting_and_are_audited(world):
    case = factories.case(state=CaseState.POLICE_TIERED)
    other = factories.case(state=CaseState.POLICE_TIERED)
    by = world["coordinator"].id
    db.session.add_all(
        [
            factories.accepted_service(case.id, by, "parcs"),
            factories.accepted_service(other.id, by, "parcs"),
            factories.accepted_service(case.id, by, "dass", ended_on=date(2026, 1, 10)),
            factories.service_request(other.id, by, "dass"),
        ]
    )
    dass = _service("dass")
    dass.active = False
    db.session.commit()
    views = {v.code: v for v in catalogue.views_for(world["coordinator"])}
    assert "dass" not in views
    assert (views["parcs"].load, views["parcs"].waiting) == (2, 0)
    one = catalogue.view_for(world["coordinator"], dass.id)  # deactivated: still readable
    assert (one.load, one.waiting) == (0, 1)
    listed, viewed = _audit()[-2:]
    assert listed[0] == "specialist_service.listed" and len(listed[3]["ids"]) == len(views)
    assert viewed[:2] == ("specialist_service.viewed", str(dass.id))
    with pytest.raises(NotFound):
        catalogue.view_for(world["coordinator"], 987654)


def test_the_api_change_is_partial_and_can_deactivate(world):
    parcs = _service("parcs")
    parcs.agency_id = world["agency_id"]
    db.session.commit()
    changed = catalogue.change_service(world["admin"], parcs.id, {"capacity": None, "active": False})
    assert changed.capacity is None and not changed.active
    assert changed.name == "PARCS" and changed.exploitation_types == ["cse"] and changed.max_age == 18
    assert [a for a, *_ in _audit()] == ["specialist_service.updated", "specialist_service.deactivated"]
