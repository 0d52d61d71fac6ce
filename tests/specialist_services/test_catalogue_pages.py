"""The service catalogue's admin pages (/admin/services): the list with each service's
provider, capacity and load, adding and changing a service (each bad field named),
deactivating, the defaults button, and the navigation link for admins only."""

import html

import pytest
from sqlalchemy import select

from mettrack.core.choices import CaseState, Role
from mettrack.core.extensions import db
from mettrack.specialist_services import catalogue
from mettrack.specialist_services.models import SpecialistService
from tests import factories
from tests.conftest import post_form

PAGES = "/admin/services"


@pytest.fixture
def world(app):
    with app.app_context():
        admin = factories.user(roles=[Role.ADMIN], agency="Youth Justice Service")
        coordinator = factories.user(roles=[Role.COORDINATOR])
        catalogue.add_missing_defaults()
        parcs = _service("parcs")
        parcs.agency_id = factories.user(roles=[Role.PARTNER], agency="PARCS").agency_id
        db.session.commit()
        case = factories.case(state=CaseState.POLICE_TIERED)
        db.session.add(factories.accepted_service(case.id, coordinator.id, "parcs"))
        db.session.add(factories.service_request(case.id, coordinator.id, "dass"))
        db.session.commit()
        return dict(
            admin=admin.email, coordinator=coordinator.email, agency_id=admin.agency_id, parcs=parcs.id
        )


def _service(code: str) -> SpecialistService:
    return db.session.scalar(select(SpecialistService).where(SpecialistService.code == code))


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_list_shows_provider_capacity_and_load(client, auth, world):
    auth.login(world["admin"])
    page = client.get(PAGES)
    assert page.status_code == 200
    text = _text(page)
    assert "Service catalogue" in text
    assert "Provided by PARCS" in text and "1 of 25" in text
    assert "0 of 30; 1 request waiting" in text  # DASS
    assert "(no set limit)" in text  # Early Help
    assert "No provider agency chosen yet" in text  # DASS: no agency of its name here
    assert "Add the default services" not in text  # every default is there
    assert f'href="{PAGES}"' in text  # the navigation link


def test_the_navigation_link_is_for_admins_only(client, auth, world):
    auth.login(world["coordinator"])
    assert f'href="{PAGES}"' not in _text(client.get("/"))
    assert client.get(PAGES).status_code == 403


def test_an_admin_adds_a_service_and_a_bad_form_names_each_field(client, auth, world, app):
    auth.login(world["admin"])
    bad = post_form(
        client,
        PAGES + "/new",
        {"code": "Bad Code", "name": "", "agency_id": "", "min_age": "30", "max_age": "", "capacity": "many"},
    )
    assert bad.status_code == 400
    text = _text(bad)
    for message in (
        "The code must start with a letter",
        "Enter the name",
        "Choose the agency that provides the service",
        "The youngest age must be a whole number from 0 to 25",
        "The capacity must be a whole number from 0 to 10000",
    ):
        assert message in text
    assert 'value="Bad Code"' in text  # what was typed is kept
    good = post_form(
        client,
        PAGES + "/new",
        {
            "code": "youth_justice",
            "name": "Youth Justice Service",
            "agency_id": str(world["agency_id"]),
            "offers": "Case workers for children in the youth justice system.",
            "exploitation_types": "cce",
            "min_age": "10",
            "max_age": "17",
            "contact": "01234 567890",
            "capacity": "",
        },
    )
    assert good.status_code == 302
    with app.app_context():
        service = _service("youth_justice")
        assert service.active and service.capacity is None and service.exploitation_types == ["cce"]
        assert good.headers["Location"].endswith(f"#service-{service.id}")
    assert "“Youth Justice Service” has been added to the catalogue." in _text(client.get(PAGES))


def test_the_change_form_shows_the_code_fixed_and_saves(client, auth, world, app):
    auth.login(world["admin"])
    form = _text(client.get(f"{PAGES}/{world['parcs']}/edit"))
    assert "Code: <code>parcs</code> (codes never change)." in form
    assert 'name="code"' not in form
    assert 'value="25"' in form  # the capacity
    changed = post_form(
        client,
        f"{PAGES}/{world['parcs']}/edit",
        {
            "name": "PARCS CSE service",
            "agency_id": str(world["agency_id"]),
            "exploitation_types": "cse",
            "min_age": "10",
            "max_age": "18",
            "capacity": "20",
            "code": "sneaky",
        },
    )
    assert changed.status_code == 302
    with app.app_context():
        parcs = db.session.get(SpecialistService, world["parcs"])
        assert (parcs.code, parcs.name, parcs.capacity) == ("parcs", "PARCS CSE service", 20)
    bad = post_form(client, f"{PAGES}/{world['parcs']}/edit", {"name": "PARCS", "agency_id": "nope"})
    assert bad.status_code == 400 and "Choose the agency that provides the service" in _text(bad)


def test_deactivate_reactivate_and_add_the_defaults(client, auth, world, app):
    auth.login(world["admin"])
    off = post_form(client, f"{PAGES}/{world['parcs']}/deactivate")
    assert off.status_code == 302
    text = _text(client.get(PAGES))
    assert "“PARCS” is no longer offered." in text and "Deactivated" in text
    assert post_form(client, f"{PAGES}/{world['parcs']}/reactivate").status_code == 302
    with app.app_context():
        assert db.session.get(SpecialistService, world["parcs"]).active
        db.session.delete(_service("edge_of_care"))
        db.session.commit()
    assert "Add the default services" in _text(client.get(PAGES))
    assert post_form(client, f"{PAGES}/defaults").status_code == 302
    assert "1 default service added." in _text(client.get(PAGES))
    with app.app_context():
        assert _service("edge_of_care") is not None
