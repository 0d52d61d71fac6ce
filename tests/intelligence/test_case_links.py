"""Direct links from a case to a location or a person of concern (intelligence/case_links.py):
reviewers only, bad input naming the field with nothing saved, audited; pages and API."""

import pytest
from sqlalchemy import func, select

from mettrack.core.errors import NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.intelligence import case_links
from mettrack.intelligence.models import CaseSubjectLink
from tests.conftest import post_form
from tests.intelligence.cases_world import audit_rows, detail_of, join_team, make_world


@pytest.fixture
def w(app_ctx):
    return make_world()


def _count() -> int:
    return db.session.scalar(select(func.count(CaseSubjectLink.id)))


def test_a_reviewer_links_a_place_and_a_person_audited_without_names(w):
    place = case_links.add(
        w["chair"], w["a"].id, {"location_id": str(w["hotel"].id), "reliability": "likely"}
    )
    person = case_links.add(w["chair"], w["a"].id, {"person_id": w["dale"].id, "reliability": "confirmed"})
    assert (
        place.kind == "location" and place.subject_id == w["hotel"].id and "Harbour View Hotel" in place.label
    )
    assert person.kind == "person" and person.label == "Dale Example"
    rows = audit_rows("case_link.added")
    assert [detail_of(r)["location_id"] for r in rows] == [w["hotel"].id, None]
    assert all("Harbour" not in r.detail and "Dale" not in r.detail for r in rows)
    assert [v.id for v in case_links.list_for(w["lead"], w["a"].id)] == [place.id, person.id]
    with pytest.raises(NotFound):
        case_links.list_for(w["other_lead"], w["a"].id)


def test_a_police_reviewer_off_the_team_may_link_and_remove(w):
    view = case_links.add(w["officer"], w["c"].id, {"location_id": w["park"].id, "reliability": "possible"})
    case_links.remove(w["officer"], w["c"].id, view.id)
    assert _count() == 0
    (row,) = audit_rows("case_link.removed")
    assert detail_of(row) == {"case_id": w["c"].id, "location_id": w["park"].id, "person_id": None}


def test_others_are_refused(w):
    join_team(w["partner"], w["a"])
    for user in (w["lead"], w["partner"]):
        with pytest.raises(NotAllowed):
            case_links.add(user, w["a"].id, {"location_id": w["hotel"].id, "reliability": "likely"})
    with pytest.raises(NotFound):
        case_links.add(w["chair"], 999999, {"location_id": w["hotel"].id, "reliability": "likely"})
    assert _count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"location_id": "999999"}, "location_id"),
        ({"location_id": "nine"}, "location_id"),
        ({"location_id": None, "person_id": "999999"}, "person_id"),
        ({"location_id": None}, "location_id"),
        ({"person_id": "1"}, "person_id"),  # both at once
        ({"reliability": "sure"}, "reliability"),
        ({"note": "x" * 501}, "note"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(w, data, field):
    body = {"location_id": w["hotel"].id, "reliability": "likely", **data}
    with pytest.raises(ValidationError) as e:
        case_links.add(w["chair"], w["a"].id, body)
    assert field in e.value.errors
    assert _count() == 0


def test_a_duplicate_is_refused(w):
    case_links.add(w["chair"], w["a"].id, {"person_id": w["dale"].id, "reliability": "likely"})
    with pytest.raises(ValidationError) as e:
        case_links.add(w["chair"], w["a"].id, {"person_id": w["dale"].id, "reliability": "confirmed"})
    assert "already linked" in e.value.errors["person_id"]
    assert _count() == 1


def test_remove_a_link_of_another_case_is_404(w):
    view = case_links.add(w["chair"], w["a"].id, {"person_id": w["dale"].id, "reliability": "likely"})
    with pytest.raises(NotFound):
        case_links.remove(w["chair"], w["b"].id, view.id)
    assert _count() == 1


def test_the_pages(app, client, auth):
    with app.app_context():
        w = make_world()
        a, hotel, email = w["a"].id, w["hotel"].id, w["chair"].email
    auth.login(email)
    new = f"/cases/{a}/subject-links/new"
    assert client.get(new).status_code == 200
    bad = post_form(client, new, {"location_id": "x", "reliability": "likely"}, page=new)
    assert bad.status_code == 400 and "Enter the number of a location" in bad.get_data(as_text=True)
    assert (
        post_form(client, new, {"location_id": str(hotel), "reliability": "likely"}, page=new).status_code
        == 302
    )
    page = client.get(f"/cases/{a}").get_data(as_text=True)
    assert "Harbour View Hotel" in page and "Link a place or person" in page
    with app.app_context():
        link_id = db.session.scalar(select(CaseSubjectLink.id))
    assert (
        post_form(client, f"/cases/{a}/subject-links/{link_id}/remove", page=f"/cases/{a}").status_code == 302
    )
    with app.app_context():
        assert _count() == 0


def test_the_api(app, client):
    from mettrack.accounts import tokens

    with app.app_context():
        w = make_world()
        ids = {k: v.id for k, v in w.items()}
        token = {who: tokens.create_token(w[who], name="t")[1] for who in ("chair", "lead", "officer")}

    def call(who, method, path, body=None):
        return client.open(path, method=method, headers={"Authorization": f"Bearer {token[who]}"}, json=body)

    path = f"/api/v1/cases/{ids['a']}/subject-links"
    made = call(
        "officer", "POST", path, {"person_id": ids["kyle"], "reliability": "likely", "note": "Seen together"}
    )
    assert made.status_code == 201, made.get_json()
    assert call("lead", "POST", path, {"person_id": ids["dale"], "reliability": "likely"}).status_code == 403
    unknown = call("chair", "POST", path, {"person_id": ids["dale"], "reliability": "likely", "why": "x"})
    assert unknown.status_code == 422 and "why" in unknown.get_json()["errors"]
    missing = call("chair", "POST", path, {"person_id": 999999, "reliability": "likely"})
    assert missing.status_code == 422 and "person_id" in missing.get_json()["errors"]
    listed = call("lead", "GET", path).get_json()
    assert [i["subject_id"] for i in listed] == [ids["kyle"]]
    link_id = made.get_json()["id"]
    assert call("lead", "DELETE", f"{path}/{link_id}").status_code == 403
    assert call("chair", "DELETE", f"{path}/{link_id}").status_code == 204
    with app.app_context():
        assert _count() == 0


def test_a_police_partner_uses_the_reviewer_pages(app, client, auth):
    with app.app_context():
        w = make_world()
        c, park, email = w["c"].id, w["park"].id, w["officer"].email
    auth.login(email)
    new = f"/cases/{c}/subject-links/new"
    assert client.get(new).status_code == 200
    assert (
        post_form(client, new, {"location_id": str(park), "reliability": "possible"}, page=new).status_code
        == 302
    )
    assert client.get("/intelligence/hotspots/").status_code == 200
    with app.app_context():
        assert _count() == 1
