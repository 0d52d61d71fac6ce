"""POST /api/v1/children and PATCH /api/v1/children/{id}. Names are invented."""

from datetime import date

import pytest
from sqlalchemy import func, select

from mettrack.accounts.models import User
from mettrack.children.models import Child
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from tests import factories
from tests.api.conftest import audit_rows

DOB = date(2012, 5, 17)
RECORD_FIELDS = {
    "id",
    "version",
    "first_name",
    "last_name",
    "aliases",
    "date_of_birth",
    "gender",
    "ethnicity",
    "address",
    "school",
    "parent_carer_contacts",
    "looked_after",
    "looked_after_status",
    "social_worker",
    "nhs_number",
    "local_identifier",
    "consistent_child_identifier",
    "created_at",
    "updated_at",
}


def body(**overrides) -> dict:
    return {
        "first_name": "Tamsin",
        "last_name": "Okoro",
        "aliases": ["Tam"],
        "date_of_birth": "2012-05-17",
        "gender": "female",
        "looked_after": True,
        "looked_after_status": "s20",
        "nhs_number": "9434765919",
    } | overrides


def count_children(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Child))


def test_recorded_child_is_201_with_location_and_readable_by_its_recorder(app, client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    response = client.post("/api/v1/children", json=body(), headers=partner.headers)
    assert response.status_code == 201
    record = response.get_json()
    assert set(record) == RECORD_FIELDS
    assert record["aliases"] == ["Tam"]
    assert (record["looked_after"], record["looked_after_status"], record["version"]) == (True, "s20", 1)
    assert response.headers["Location"] == f"/api/v1/children/{record['id']}"
    assert client.get(response.headers["Location"], headers=partner.headers).status_code == 200
    [row] = audit_rows(app, "child.created")
    assert (row["actor_user_id"], row["record_id"]) == (partner.id, str(record["id"]))


def test_likely_duplicate_is_409_with_matches_and_hints_revealing_nothing_hidden(app, client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    with app.app_context():
        police = factories.user(
            roles=[Role.LEAD_PROFESSIONAL], agency="Hampshire and Isle of Wight Constabulary"
        )
        hidden = factories.child(
            first_name="Zephyrine", last_name="Okoro", date_of_birth=DOB, aliases="Tamsin"
        )
        factories.case(lead=police, child_obj=hidden)
        mine = factories.child(first_name="Tamsyn", last_name="Okoro", date_of_birth=DOB)
        factories.case(members=[db.session.get(User, partner.id)], child_obj=mine)
        hidden_id, mine_id = hidden.id, mine.id

    response = client.post("/api/v1/children", json=body(nhs_number=None), headers=partner.headers)

    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert "confirmed_no_match" in problem["errors"]
    assert [m["id"] for m in problem["matches"]] == [mine_id]
    assert problem["matches"][0]["reasons"] == ["Same date of birth and a similar name"]
    police = "Hampshire and Isle of Wight Constabulary"
    assert problem["hints"] == [
        {"detail": "A possible match exists", "lead_agency": police, "contact_agency": police}
    ]
    raw = response.get_data(as_text=True)
    assert "Zephyrine" not in raw
    assert str(hidden_id) not in [str(m["id"]) for m in problem["matches"]]
    assert count_children(app) == 2
    hints = audit_rows(app, "child.match_hint")
    assert [(r["actor_user_id"], r["record_id"], r["outcome"]) for r in hints] == [
        (partner.id, str(hidden_id), "ok")
    ]

    confirmed = client.post(
        "/api/v1/children", json=body(nhs_number=None, confirmed_no_match=True), headers=partner.headers
    )
    assert confirmed.status_code == 201
    assert count_children(app) == 3


BAD_BODIES = [
    ("missing names", {"first_name": None, "last_name": None}, {"first_name", "last_name"}),
    ("blank first name", {"first_name": "  "}, {"first_name"}),
    ("name of the wrong type", {"first_name": 5}, {"first_name"}),
    ("not a date", {"date_of_birth": "17/05/2012"}, {"date_of_birth"}),
    ("31 February", {"date_of_birth": "2012-02-31"}, {"date_of_birth"}),
    ("future date", {"date_of_birth": "2999-01-01"}, {"date_of_birth"}),
    ("bad NHS number", {"nhs_number": "9434765918"}, {"nhs_number"}),
    ("NHS number as a number", {"nhs_number": 9434765919}, {"nhs_number"}),
    ("unknown looked-after order", {"looked_after_status": "s99"}, {"looked_after_status"}),
    ("looked after, no order", {"looked_after_status": None}, {"looked_after_status"}),
    ("aliases not a list", {"aliases": 7}, {"aliases"}),
    ("unknown field", {"favourite_colour": "blue"}, {"favourite_colour"}),
]


@pytest.mark.parametrize(("case", "changes", "fields"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_body_is_422_naming_each_field_and_saves_nothing(
    app, client, make_api_user, case, changes, fields
):
    partner = make_api_user(Role.PARTNER)
    data = {
        k: v for k, v in (body() | changes).items() if not (v is None and k in {"first_name", "last_name"})
    }
    response = client.post("/api/v1/children", json=data, headers=partner.headers)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert set(response.get_json()["errors"]) == fields
    assert count_children(app) == 0


def test_body_that_is_not_json_is_a_problem_not_a_500(client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    response = client.post(
        "/api/v1/children", data="first_name=Tamsin", headers=partner.headers | {"Content-Type": "text/plain"}
    )
    assert 400 <= response.status_code < 500
    assert response.mimetype == "application/problem+json"


def _my_child(app, api_user) -> tuple[int, int]:
    with app.app_context():
        child = factories.child(first_name="Tamsin", last_name="Okoro", date_of_birth=DOB)
        factories.case(members=[db.session.get(User, api_user.id)], child_obj=child)
        return child.id, child.version


def test_patch_changes_only_the_fields_sent_and_is_audited(app, client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    child_id, version = _my_child(app, partner)
    response = client.patch(
        f"/api/v1/children/{child_id}",
        json={"version": version, "school": "Harbourside Academy"},
        headers=partner.headers,
    )
    assert response.status_code == 200
    record = response.get_json()
    assert (record["school"], record["first_name"], record["version"]) == (
        "Harbourside Academy",
        "Tamsin",
        version + 1,
    )
    [row] = audit_rows(app, "child.updated")
    assert (row["actor_user_id"], row["record_id"], row["detail"]) == (
        partner.id,
        str(child_id),
        {"fields": ["school"]},
    )


def test_second_patch_from_the_same_version_is_409_and_the_first_stays(app, client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    child_id, version = _my_child(app, partner)
    path = f"/api/v1/children/{child_id}"
    first = client.patch(path, json={"version": version, "school": "First School"}, headers=partner.headers)
    second = client.patch(path, json={"version": version, "school": "Second School"}, headers=partner.headers)
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.mimetype == "application/problem+json"
    assert "version" in second.get_json()["errors"]
    with app.app_context():
        assert db.session.get(Child, child_id).school == "First School"


@pytest.mark.parametrize(
    ("patch", "fields"),
    [
        ({"school": "X"}, {"version"}),
        ({"version": "one"}, {"version"}),
        ({"version": 1.9}, {"version"}),
        ({"version": 1.0}, {"version"}),
        ({"version": True}, {"version"}),
        ({"version": 0}, {"version"}),
        ({"version": 10**30}, {"version"}),
        ({"version": 1, "date_of_birth": "2999-01-01"}, {"date_of_birth"}),
        ({"version": 1, "last_name": ""}, {"last_name"}),
        ({"version": 1, "looked_after": True}, {"looked_after_status"}),
        ({"version": 1, "id": 5}, {"id"}),
    ],
    ids=[
        "no version",
        "version not a number",
        "version with a fraction",
        "version as a float",
        "version as a boolean",
        "version zero",
        "version too large",
        "future date",
        "blank name",
        "looked after, no order",
        "read-only id",
    ],
)
def test_bad_patch_is_422_naming_the_field(app, client, make_api_user, patch, fields):
    partner = make_api_user(Role.PARTNER)
    child_id, _ = _my_child(app, partner)
    response = client.patch(f"/api/v1/children/{child_id}", json=patch, headers=partner.headers)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert set(response.get_json()["errors"]) == fields
    assert audit_rows(app, "child.updated") == []


def test_patch_of_an_unknown_or_hidden_child_is_404_and_audited(app, client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    with app.app_context():
        hidden_id = factories.case().child_id
    for child_id in (hidden_id, 999999):
        response = client.patch(f"/api/v1/children/{child_id}", json={"version": 1}, headers=partner.headers)
        assert response.status_code == 404
        assert set(response.get_json()["errors"]) == {"child_id"}
    denials = audit_rows(app, "child.updated.denied")
    assert [(r["actor_user_id"], r["record_id"]) for r in denials] == [
        (partner.id, str(hidden_id)),
        (partner.id, "999999"),
    ]


def test_analyst_may_not_record_or_change_a_child(client, make_api_user):
    analyst = make_api_user(Role.ANALYST)
    assert client.post("/api/v1/children", json=body(), headers=analyst.headers).status_code == 403
    assert client.patch("/api/v1/children/1", json={"version": 1}, headers=analyst.headers).status_code == 403
