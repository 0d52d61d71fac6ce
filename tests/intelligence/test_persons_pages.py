"""The pages of places, persons and search: what each viewer sees, the reviewers' forms,
and a search that never puts its text in an address."""

import pytest
from sqlalchemy import func, select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.extensions import db
from mettrack.intelligence.models import Location, PersonOfConcern
from tests.conftest import post_form
from tests.factories import PASSWORD
from tests.intelligence.subject_helpers import make_world


@pytest.fixture
def world(app):
    with app.app_context():
        made = make_world()
        return {k: (v.id if hasattr(v, "id") else v) for k, v in made.items()} | {
            "emails": {k: v.email for k, v in made.items() if hasattr(v, "email")}
        }


@pytest.fixture(autouse=True)
def _context(app_ctx):
    """The test's own queries (the requests open their own context and session)."""
    yield
    db.session.expire_all()


@pytest.fixture
def sign_in(client, auth, world):
    def sign(who):
        response = auth.login(world["emails"][who], PASSWORD)
        assert response.status_code == 302

    return sign


def _text(response):
    return response.get_data(as_text=True)


def test_a_lead_sees_the_person_with_a_count_of_children_they_cannot_open(client, world, sign_in):
    sign_in("lead")
    page = _text(client.get(f"/intelligence/persons/{world['person']}"))
    assert "Dale Example" in page and "AB12 CDE" in page and "Smokey" in page
    assert "Casey Testchild" in page and f'href="/cases/{world["case"]}"' in page
    assert "1 other child you cannot open" in page and "Robin" not in page
    assert "A man has been seen at a hotel with a car." in page
    assert "grey car AB12 CDE" not in page  # what was shared is for reviewers
    assert "Change this person" not in page and "Review by" not in page
    assert client.get(f"/intelligence/persons/{world['hidden_person']}").status_code == 404
    places = _text(client.get("/intelligence/locations"))
    assert "Harbour View Hotel" in places and "Add a place" not in places


def test_the_reviewer_sees_what_was_shared_and_the_edit_link(client, world, sign_in):
    sign_in("chair")
    page = _text(client.get(f"/intelligence/persons/{world['person']}"))
    assert "grey car AB12 CDE" in page and "Robin Hidden" in page
    assert f'href="/intelligence/persons/{world["person"]}/edit"' in page
    place = _text(client.get(f"/intelligence/locations/{world['place']}"))
    assert "PO1 2AB" in place and "Change this place" in place


def test_a_police_partner_may_create_a_person(client, world, sign_in):
    sign_in("officer")
    form = _text(client.get("/intelligence/persons/new"))
    assert 'id="review_on-year" name="review_on-year"' in form and 'value="2027"' in form  # a year ahead
    response = post_form(
        client,
        "/intelligence/persons/new",
        {
            "name": "Jay Sample",
            "aliases": "J\nJay-Jay",
            "vehicles": "xy51 abc, black Vauxhall Corsa",
            "phones": "07700 900456, work",
            "approximate_age": "25",
            "association_target": f"person:{world['person']}",
            "association_relation": "cousin",
            "association_reliability": "likely",
            "review_on-day": "20",
            "review_on-month": "3",
            "review_on-year": "2027",
        },
        page="/intelligence/persons/new",
    )
    assert response.status_code == 302
    made = db.session.scalar(select(PersonOfConcern).where(PersonOfConcern.name == "Jay Sample"))
    assert response.headers["Location"].endswith(f"/intelligence/persons/{made.id}")
    page = _text(client.get(f"/intelligence/persons/{made.id}"))
    assert (
        "XY51 ABC" in page and "black Vauxhall Corsa" in page and "Dale Example" in page and "cousin" in page
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("vehicles", "AB12*CDE", "Vehicle 1: the registration must be"),
        ("phones", "12345", "Phone number 1 must be a UK number"),
        ("date_of_birth-day", "31", "Date of birth must be a real date"),
    ],
)
def test_bad_input_on_the_form_is_shown_by_the_field_and_nothing_is_saved(
    client, world, sign_in, field, value, message
):
    sign_in("chair")
    form = {
        "name": "Jay Sample",
        "date_of_birth-day": "5",
        "date_of_birth-month": "2",
        "date_of_birth-year": "2001",
        "review_on-day": "20",
        "review_on-month": "3",
        "review_on-year": "2027",
        field: value,
    }
    if field == "date_of_birth-day":
        form["date_of_birth-month"] = "2"
    response = post_form(client, "/intelligence/persons/new", form, page="/intelligence/persons/new")
    assert response.status_code == 400
    assert message in _text(response)
    assert (
        db.session.scalar(select(func.count(PersonOfConcern.id)).where(PersonOfConcern.name == "Jay Sample"))
        == 0
    )


def test_editing_a_place_and_a_malformed_postcode(client, world, sign_in):
    sign_in("chair")
    edit = f"/intelligence/locations/{world['place']}/edit"
    bad = post_form(
        client,
        edit,
        {"version": "1", "name": "Harbour View Hotel", "location_type": "hotel", "postcode": "P1"},
        page=edit,
    )
    assert bad.status_code == 400 and "Postcode must be a real UK postcode" in _text(bad)
    good = post_form(
        client,
        edit,
        {"version": "1", "name": "Harbour View Hotel", "location_type": "hotel", "postcode": "po4 8aa"},
        page=edit,
    )
    assert good.status_code == 302
    assert db.session.get(Location, world["place"]).postcode == "PO4 8AA"
    stale = post_form(client, edit, {"version": "1", "name": "Stale", "location_type": "hotel"}, page=edit)
    assert stale.status_code == 409 and "Nothing was saved" in _text(stale)


def test_editing_a_person_removes_an_association(client, world, sign_in):
    sign_in("chair")
    edit = f"/intelligence/persons/{world['person']}/edit"
    base = {
        "version": "1",
        "name": "Dale Example",
        "review_on-day": "1",
        "review_on-month": "6",
        "review_on-year": "2027",
    }
    added = post_form(
        client,
        edit,
        {**base, "association_target": f"location:{world['place']}", "association_reliability": "confirmed"},
        page=edit,
    )
    assert added.status_code == 302
    form = _text(client.get(edit))
    assert "Tick any association to remove" in form and "Place: Harbour View Hotel" in form
    from mettrack.intelligence.models import PersonAssociation

    row = db.session.scalar(select(PersonAssociation))
    removed = post_form(client, edit, {**base, "version": "2", "remove_association": str(row.id)}, page=edit)
    assert removed.status_code == 302
    assert db.session.scalar(select(func.count(PersonAssociation.id))) == 0


def test_search_is_a_post_and_its_text_is_not_kept(client, world, sign_in):
    sign_in("lead")
    form = _text(client.get("/intelligence/search"))
    assert 'method="post"' in form and 'name="query"' in form
    results = post_form(
        client, "/intelligence/search", {"query": "Dale Exampel", "kind": "name"}, page="/intelligence/search"
    )
    page = _text(results)
    assert results.status_code == 200 and f'href="/intelligence/persons/{world["person"]}"' in page
    assert "Kyle" not in page
    # A query string is ignored: the GET shows the empty form, and nothing is searched.
    ignored = _text(client.get("/intelligence/search?query=Dale"))
    assert "result" not in ignored
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "intelligence.searched")).all()
    assert len(rows) == 1 and "Dale" not in rows[0].detail
    bad = post_form(
        client, "/intelligence/search", {"query": "zz", "kind": "postcode"}, page="/intelligence/search"
    )
    assert bad.status_code == 400 and "Postcode must be a UK postcode" in _text(bad)


def test_wording_that_blames_children_is_shown_before_saving(client, world, sign_in):
    from mettrack.language import seed_defaults

    seed_defaults()
    db.session.commit()
    sign_in("chair")
    form = {
        "name": "Jay Sample",
        "description": "Says the girls are putting themselves at risk.",
        "review_on-day": "20",
        "review_on-month": "3",
        "review_on-year": "2027",
    }
    flagged = post_form(client, "/intelligence/persons/new", form, page="/intelligence/persons/new")
    assert flagged.status_code == 400 and "may have been groomed" in _text(flagged)
    assert 'name="save_anyway"' in _text(flagged)
    assert (
        db.session.scalar(select(func.count(PersonOfConcern.id)).where(PersonOfConcern.name == "Jay Sample"))
        == 0
    )
