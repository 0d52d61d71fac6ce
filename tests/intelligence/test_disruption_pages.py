"""The disruption pages (/intelligence/disruptions) and the catalogue's admin pages
(/admin/disruption-kinds): a police-sector partner records one, the CAWN check's outcome
on the form, children named only to those who may see them, and an admin enabling the
Child Criminal Exploitation Prevention Order."""

import pytest
from sqlalchemy import select

from mettrack.core.choices import Role
from mettrack.core.extensions import db
from mettrack.intelligence.models import DisruptionAction, DisruptionKind
from tests import factories
from tests.conftest import post_form
from tests.intelligence.disruption_helpers import make_world

PASSWORD = factories.PASSWORD


@pytest.fixture
def world(app):
    with app.app_context():
        made = make_world()
        ids = {
            "person": made["person"].id,
            "place": made["place"].id,
            "cases": {k: c.id for k, c in made["cases"].items()},
            "agency": made["officer"].agency_id,
        }
        admin = factories.user(roles=[Role.ADMIN], email="admin@example.org")
        return {**ids, "admin": admin.email}


def _text(response):
    return response.get_data(as_text=True)


def _date(name, day, month, year):
    return {f"{name}-day": str(day), f"{name}-month": str(month), f"{name}-year": str(year)}


def test_a_police_sector_partner_records_an_sro_and_sees_it(client, auth, world):
    assert auth.login("officer@example.org").status_code == 302
    form = _text(client.get(f"/intelligence/disruptions/new?person_id={world['person']}"))
    assert "Record a disruption action" in form and "Ayla Example" in form
    response = post_form(
        client,
        "/intelligence/disruptions/new",
        {
            "kind": "sro",
            "person_id": str(world["person"]),
            "location_id": "",
            "owner_agency_id": str(world["agency"]),
            "owner_user_id": "",
            "status": "in_force",
            **_date("starts_on", 1, 3, 2026),
            **_date("expires_on", 1, 3, 2028),
            "details": "Granted at the magistrates' court.",
            "protected_case_ids": ["", str(world["cases"]["young"])],
        },
    )
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "Sexual Risk Order" in page and "Ayla Example" in page and "1 March 2028" in page
    assert "Dale Sample" in page and "Change the action" in page
    listed = _text(client.get("/intelligence/disruptions"))
    assert "Sexual Risk Order" in listed


def test_the_form_says_why_a_cawn_cannot_be_given_and_saves_nothing(client, auth, world, app):
    auth.login("officer@example.org")
    response = post_form(
        client,
        "/intelligence/disruptions/new",
        {
            "kind": "cawn",
            "person_id": str(world["person"]),
            "status": "planned",
            "protected_case_ids": ["", str(world["cases"]["s20"])],
        },
    )
    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page and "section 20 does not qualify" in page
    assert 'href="#protected_case_ids"' in page
    with app.app_context():
        assert db.session.scalar(select(DisruptionAction.id)) is None


def test_a_cawn_saved_says_which_section_applies(client, auth, world):
    auth.login("officer@example.org")
    response = post_form(
        client,
        "/intelligence/disruptions/new",
        {
            "kind": "cawn",
            "location_id": str(world["place"]),
            "status": "planned",
            "protected_case_ids": [str(world["cases"]["care16"])],
        },
    )
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "Section 49 Children Act 1989" in page


def test_bad_dates_name_the_field(client, auth, world):
    auth.login("officer@example.org")
    response = post_form(
        client,
        "/intelligence/disruptions/new",
        {
            "kind": "sro",
            "person_id": str(world["person"]),
            "status": "in_force",
            **_date("starts_on", 1, 3, 2026),
            **_date("expires_on", 1, 2, 2026),
        },
    )
    assert response.status_code == 400
    assert "The expiry date must be after the date it is in force from" in _text(response)


def test_edit_keeps_the_fields_and_changes_the_status(client, auth, world):
    auth.login("officer@example.org")
    made = post_form(
        client,
        "/intelligence/disruptions/new",
        {"kind": "other", "location_id": str(world["place"]), "status": "planned", "details": "Visit"},
    )
    path = made.headers["Location"]
    form = _text(client.get(f"{path}/edit"))
    assert 'name="version" value="1"' in form and "Visit" in form
    response = post_form(
        client,
        f"{path}/edit",
        {
            "version": "1",
            "kind": "other",
            "location_id": str(world["place"]),
            "status": "withdrawn",
            "details": "Visit",
            "protected_case_ids": "",
        },
    )
    assert response.status_code == 302
    assert "Withdrawn" in _text(client.get(path))
    stale = post_form(client, f"{path}/edit", {"version": "1", "status": "planned"})
    assert stale.status_code == 409 and "Nothing was saved" in _text(stale)


def test_a_child_the_viewer_may_not_see_is_not_named(client, auth, world, app):
    with app.app_context():
        from mettrack.intelligence import disruptions

        other = factories.case(lead=factories.user(roles=[Role.LEAD_PROFESSIONAL]))
        chair = db.session.scalar(select(factories.User).where(factories.User.email == "chair@example.org"))
        made = disruptions.create(
            chair,
            {
                "kind": "other",
                "person_id": world["person"],
                "protected_case_ids": [world["cases"]["young"], other.id],
            },
        ).action
        hidden_name = other.child.last_name + ""
    auth.login("lead@example.org")
    page = _text(client.get(f"/intelligence/disruptions/{made.id}"))
    assert "Ayla Example" in page and "a child (no access)" in page
    assert hidden_name not in page and f"/cases/{other.id}" not in page
    assert "Change the action" not in page
    assert client.get(f"/intelligence/disruptions/{made.id}/edit").status_code == 403


def test_an_admin_enables_the_ccepo_on_the_catalogue_page(client, auth, world, app):
    with app.app_context():
        ccepo = db.session.scalar(select(DisruptionKind).where(DisruptionKind.code == "ccepo"))
        assert ccepo.active is False
        ccepo_id = ccepo.id
    auth.login(world["admin"])
    page = _text(client.get("/admin/disruption-kinds"))
    assert "Child Criminal Exploitation Prevention Order" in page and "Sexual Risk Order" in page
    assert post_form(client, f"/admin/disruption-kinds/{ccepo_id}/reactivate").status_code == 302
    with app.app_context():
        assert db.session.get(DisruptionKind, ccepo_id).active is True
    auth.logout()
    auth.login("officer@example.org")
    assert "Child Criminal Exploitation Prevention Order" in _text(
        client.get("/intelligence/disruptions/new")
    )


def test_an_admin_adds_a_kind_and_a_bad_one_names_the_field(client, auth, world, app):
    auth.login(world["admin"])
    bad = post_form(
        client, "/admin/disruption-kinds/new", {"code": "Bad Code", "name": "", "has_expiry": "maybe"}
    )
    assert bad.status_code == 400
    text = _text(bad)
    assert "The code must start with a letter" in text and "Enter the name" in text
    assert "Say whether the action has an expiry date" in text
    good = post_form(
        client,
        "/admin/disruption-kinds/new",
        {
            "code": "community_protection_notice",
            "name": "Community Protection Notice",
            "has_expiry": "yes",
            "checks_cawn": "no",
        },
    )
    assert good.status_code == 302
    with app.app_context():
        kind = db.session.scalar(
            select(DisruptionKind).where(DisruptionKind.code == "community_protection_notice")
        )
        assert kind.active and kind.has_expiry and not kind.checks_cawn
