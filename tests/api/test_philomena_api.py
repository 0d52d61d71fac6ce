"""/api/v1/cases/{id}/philomena and /philomena/photo: the Philomena Protocol details of a
child in care through the API, by the same service as the pages (missing/episodes.py)."""

from datetime import UTC, datetime

import pytest

from mettrack.accounts.models import User
from mettrack.core.choices import CaseState, LookedAfterStatus, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.missing.models import PhilomenaProfile
from tests import factories
from tests.api.conftest import audit_rows
from tests.api.test_problems import assert_problem

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
DETAILS = {
    "photo_taken_on": "March 2026",
    "description": "Tall, short dark hair, a scar above the left eye.",
    "places": "The retail park; an aunt's flat in Demotown.",
    "people": "Older friends from the skate park.",
    "phone": "07700 900000",
    "medical_needs": "Asthma: carries an inhaler.",
}


@pytest.fixture(autouse=True)
def _clock():
    set_now(datetime(2026, 3, 9, 14, 0, tzinfo=UTC))


@pytest.fixture
def world(app, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL, name="Lee Leadworth")
    partner = make_api_user(Role.PARTNER)
    with app.app_context():
        in_care = factories.child(looked_after=True, looked_after_status=LookedAfterStatus.CARE_ORDER.value)
        at_home = factories.child()
        team = dict(lead=db.session.get(User, lead.id), members=[db.session.get(User, partner.id)])
        case = factories.case(state=CaseState.MET_REVIEW, child_obj=in_care, **team)
        other = factories.case(state=CaseState.MET_REVIEW, child_obj=at_home, **team)
        return {"lead": lead, "partner": partner, "case_id": case.id, "not_in_care_id": other.id}


def _path(case_id: int, photo: bool = False) -> str:
    return f"/api/v1/cases/{case_id}/philomena" + ("/photo" if photo else "")


def test_details_are_saved_replaced_and_read_back(client, app, world):
    lead = world["lead"]
    empty = client.get(_path(world["case_id"]), headers=lead.headers).get_json()
    assert empty["looked_after"] is True and empty["has_photo"] is False
    assert all(empty[name] is None for name in DETAILS)

    saved = client.put(_path(world["case_id"]), json=DETAILS, headers=lead.headers)

    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    assert {name: body[name] for name in DETAILS} == DETAILS
    assert body["updated_by"] == {"id": lead.id, "name": "Lee Leadworth"}
    assert body["updated_at"] == "2026-03-09T14:00:00+00:00"
    # Null clears a field: the details are replaced as sent.
    replaced = client.put(_path(world["case_id"]), json={**DETAILS, "phone": None}, headers=lead.headers)
    assert replaced.get_json()["phone"] is None
    read = client.get(_path(world["case_id"]), headers=world["partner"].headers).get_json()
    assert read["description"] == DETAILS["description"] and read["phone"] is None
    assert [r["detail"]["fields"] for r in audit_rows(app, "philomena.saved")] == [sorted(DETAILS)] * 2
    assert [r["actor_user_id"] for r in audit_rows(app, "philomena.viewed")] == [lead.id, world["partner"].id]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({name: value for name, value in DETAILS.items() if name != "phone"}, "phone"),
        ({**DETAILS, "phone": "0" * 41}, "phone"),
        ({**DETAILS, "description": 42}, "description"),
        ({**DETAILS, "photo": "base64..."}, "photo"),
    ],
)
def test_bad_details_are_422_naming_the_field_and_nothing_is_saved(client, app, world, body, field):
    problem = assert_problem(
        client.put(_path(world["case_id"]), json=body, headers=world["lead"].headers), 422
    )
    assert field in problem["errors"]
    with app.app_context():
        assert db.session.get(PhilomenaProfile, world["case_id"]) is None


def test_a_child_not_in_care_has_no_details_and_saving_is_refused_naming_looked_after(client, world):
    lead = world["lead"]
    read = client.get(_path(world["not_in_care_id"]), headers=lead.headers).get_json()
    assert read["looked_after"] is False and read["description"] is None
    problem = assert_problem(
        client.put(_path(world["not_in_care_id"]), json=DETAILS, headers=lead.headers), 422
    )
    assert "children in care" in problem["errors"]["looked_after"]
    assert_problem(client.get(_path(world["not_in_care_id"], photo=True), headers=lead.headers), 404)


@pytest.mark.parametrize(("image", "kind"), [(PNG, "image/png"), (JPEG, "image/jpeg")])
def test_a_photo_is_sent_as_the_image_itself_and_read_back(client, app, world, image, kind):
    lead = world["lead"]
    assert_problem(client.get(_path(world["case_id"], photo=True), headers=lead.headers), 404)

    saved = client.put(
        _path(world["case_id"], photo=True), data=image, content_type=kind, headers=lead.headers
    )

    assert saved.status_code == 200, saved.get_json()
    assert (saved.get_json()["has_photo"], saved.get_json()["photo_type"]) == (True, kind)
    photo = client.get(_path(world["case_id"], photo=True), headers=world["partner"].headers)
    assert photo.status_code == 200
    assert (photo.data, photo.mimetype) == (image, kind)
    assert photo.headers["Cache-Control"] == "no-store"
    assert audit_rows(app, "philomena.saved")[-1]["detail"] == {"fields": [], "photo": True}
    assert audit_rows(app, "philomena.photo_viewed")[-1]["actor_user_id"] == world["partner"].id


def test_saving_details_keeps_the_photo(client, world):
    lead = world["lead"]
    client.put(_path(world["case_id"], photo=True), data=PNG, content_type="image/png", headers=lead.headers)
    body = client.put(_path(world["case_id"]), json=DETAILS, headers=lead.headers).get_json()
    assert body["has_photo"] is True


@pytest.mark.parametrize(
    ("data", "content_type", "words"),
    [
        (b"GIF89a" + b"\x00" * 20, "image/gif", "must be a JPG or PNG image"),
        (b"", "image/png", "Send the photo as the request body"),
        (b'{"photo": "x"}', "application/json", "must be a JPG or PNG image"),
    ],
)
def test_a_bad_photo_is_422_naming_photo(client, app, world, data, content_type, words):
    response = client.put(
        _path(world["case_id"], photo=True),
        data=data,
        content_type=content_type,
        headers=world["lead"].headers,
    )
    problem = assert_problem(response, 422)
    assert words in problem["errors"]["photo"]
    with app.app_context():
        assert db.session.get(PhilomenaProfile, world["case_id"]) is None


def test_a_photo_over_the_limit_is_refused_before_it_is_read(client, app, world, monkeypatch):
    monkeypatch.setitem(app.config, "PHILOMENA_PHOTO_MAX_BYTES", 1024 * 1024)
    big = PNG + b"\x00" * (1024 * 1024)
    response = client.put(
        _path(world["case_id"], photo=True), data=big, content_type="image/png", headers=world["lead"].headers
    )
    assert "smaller than 1 MB" in assert_problem(response, 422)["errors"]["photo"]


def test_a_case_outside_need_to_know_is_404_for_every_operation(client, make_api_user, world):
    stranger = make_api_user(Role.LEAD_PROFESSIONAL)
    case_id = world["case_id"]
    assert_problem(client.get(_path(case_id), headers=stranger.headers), 404)
    assert_problem(client.put(_path(case_id), json=DETAILS, headers=stranger.headers), 404)
    assert_problem(client.get(_path(case_id, photo=True), headers=stranger.headers), 404)
    response = client.put(
        _path(case_id, photo=True), data=b"", content_type="image/png", headers=stranger.headers
    )
    assert_problem(response, 404)


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_roles_without_case_work_are_403(client, make_api_user, world, role):
    user = make_api_user(role)
    assert_problem(client.get(_path(world["case_id"]), headers=user.headers), 403)
    assert_problem(client.put(_path(world["case_id"]), json=DETAILS, headers=user.headers), 403)


def test_the_openapi_document_describes_the_photo_as_an_image(client, world):
    spec = client.get("/api/v1/openapi.json", headers=world["lead"].headers).get_json()
    photo = spec["paths"]["/api/v1/cases/{case_id}/philomena/photo"]
    assert set(photo["put"]["requestBody"]["content"]) == {"image/jpeg", "image/png"}
    assert set(photo["get"]["responses"]["200"]["content"]) == {"image/jpeg", "image/png"}
    assert "put" in spec["paths"]["/api/v1/cases/{case_id}/philomena"]
