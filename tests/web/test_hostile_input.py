"""No input makes the app answer 500.

Walks every route in the access table (tests/access/) as a role allowed to use it and
sends it input a careless or hostile client might: empty forms, every field blank, very
long, a huge number, a NUL byte, an impossible date; one field at a time (the others
valid), very long text and a NUL byte in any field, and a huge, negative, infinite or
full-width number in a field whose name says it holds a number, date, time or version;
for the API also wrong JSON types, JSON that is not an object, and a body that is not
JSON at all; for GET routes, garbage query parameters. Each answer must be a clear
refusal (4xx) or a success, never a 500. Failures are collected so one run names every
route that breaks.
"""

import re
from urllib.parse import parse_qsl

import pytest

from mettrack.core.choices import Role
from tests.access import all_routes
from tests.access.world import world_from_snapshot

ROUTES = all_routes()

HOSTILE_VALUES = ("", "x" * 10_000, "99999999999999999999999", "-1", "a\x00b", "2099-02-31", "ü\u202e")
HOSTILE_JSON_VALUES = (None, [1, 2], {"a": 1}, "x" * 10_000, 10**30, -1, True, "2099-02-31", 1.5)
# Sent to one field at a time, the others valid, so that no other check hides the
# answer: sent to every field at once, a huge day hid behind a blank name.
ONE_FIELD_VALUES = ("x" * 10_000, "a\x00b")
# Where a field's name says it holds a number, a date, a time or a version: numbers that
# overflow, are negative, are no number (1e309 is infinity as a float) or are written in
# full-width digits, which str.isdigit() accepts.
NUMBER_LIKE_VALUES = ("99999999999999999999", "-1", "1e309", "０１")
NUMBER_LIKE_FIELD = re.compile(
    r"(^|[-_.])(day|month|year|time|date|on|at|version|age|order|id|number|count|page|level|rating)($|[-_.])"
)
HOSTILE_QUERY = {
    "page": "a\x00b",
    "per_page": "99999999999999999999",
    "state": "nonsense",
    "sort": "id;drop table cases",
    "q": "x" * 2_000,
    "from": "2099-02-31",
    "to": "yesterday",
    "user": "-1",
}


def _role_for(route) -> Role:
    # A role that sees everything where possible, so need-to-know does not stop the
    # request before the input is read.
    if route.public or Role.MET_CHAIR in route.allowed:
        return Role.MET_CHAIR
    return sorted(route.allowed)[0]


def _one_field_values(key: str, values: tuple) -> tuple:
    return values + NUMBER_LIKE_VALUES if NUMBER_LIKE_FIELD.search(key) else values


# Fields of one shape (the risk form's `ratings.<indicator>.rating`, one per indicator in
# the catalogue; numbered rows `items-0-name`, `items-1-name`) go through the same parsing
# and checks, so the one-field values go to the first of each shape only: the risk form
# alone sent some 140 requests, each rendering the whole form again.
def _shape(key: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"(?<=\.)[^.]+(?=\.)", "*", key))


def _one_of_each_shape(keys) -> list[str]:
    firsts: dict[str, str] = {}
    for key in keys:
        firsts.setdefault(_shape(key), key)
    return list(firsts.values())


def _form_variants(data: dict) -> list[dict]:
    variants = [{}]
    for value in HOSTILE_VALUES:
        variants.append({key: value for key in data} or {"field": value})
    for key in _one_of_each_shape(data):
        for value in _one_field_values(key, ONE_FIELD_VALUES):
            variants.append({**data, key: value})
    return variants


def _json_variants(data: dict) -> list:
    variants = [{}, [], "text", 7, {"unexpected": "field"}]
    for key in _one_of_each_shape(data):
        for value in _one_field_values(key, HOSTILE_JSON_VALUES):
            variants.append({**data, key: value})
    return variants


def test_one_field_values_go_to_the_first_field_of_each_shape():
    keys = ["ratings.a.rating", "ratings.b.rating", "ratings.a.reason", "items-0-name", "items-1-name"]
    keys.append("name")
    assert _one_of_each_shape(keys) == ["ratings.a.rating", "ratings.a.reason", "items-0-name", "name"]


def test_number_like_fields_get_the_number_like_values():
    assert {"99999999999999999999", "０１"} <= set(_one_field_values("date_of_birth-day", ()))
    assert {"99999999999999999999"} <= set(_one_field_values("went_missing_at", ()))
    assert {"1e309"} <= set(_one_field_values("version", ()))
    assert _one_field_values("first_name", ()) == _one_field_values("notes", ()) == ()


@pytest.fixture
def world(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    with app.app_context():
        return world_from_snapshot()


def _sign_in(client, world, role):
    response = client.post(
        "/login", data={"email": world.emails[role], "password": "correct horse battery staple"}
    )
    assert response.status_code == 302


WRITE_ROUTES = [r for r in ROUTES if r.method != "GET" and r.endpoint not in {"auth.login", "auth.logout"}]
READ_ROUTES = [r for r in ROUTES if r.method == "GET"]


def _id(route):
    return f"{route.method} {route.endpoint}"


@pytest.mark.parametrize("route", WRITE_ROUTES, ids=_id)
def test_hostile_bodies_never_cause_a_server_error(route, client, world):
    role = _role_for(route)
    path = route.path.format(**world.placeholders(role))
    failures = []
    if route.api:
        headers = {"Authorization": f"Bearer {world.tokens[role]}"}
        for body in _json_variants(route.data):
            response = client.open(path, method=route.method, json=body, headers=headers)
            if response.status_code >= 500:
                failures.append((body, response.status_code))
        response = client.open(
            path,
            method=route.method,
            data="{not json",
            headers={**headers, "Content-Type": "application/json"},
        )
        if response.status_code >= 500:
            failures.append(("{not json", response.status_code))
    else:
        if not route.public:
            _sign_in(client, world, role)
        for form in _form_variants(route.data):
            response = client.open(path, method=route.method, data=form)
            if response.status_code >= 500:
                failures.append(({k: str(v)[:20] for k, v in form.items()}, response.status_code))
    assert not failures, f"{_id(route)} answered 5xx for: {failures[:5]}"


@pytest.mark.parametrize("route", READ_ROUTES, ids=_id)
def test_garbage_query_parameters_never_cause_a_server_error(route, client, world):
    role = _role_for(route)
    path = route.path.format(**world.placeholders(role))
    headers = {}
    if route.api:
        headers["Authorization"] = f"Bearer {world.tokens[role]}"
    elif not route.public:
        _sign_in(client, world, role)
    path, _, own_query = path.partition("?")  # a route whose entry carries its filters
    query = {**dict(parse_qsl(own_query)), **HOSTILE_QUERY}
    response = client.get(path, query_string=query, headers=headers)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]


def test_control_character_in_a_form_is_refused_naming_the_field_and_saves_nothing(client, auth, app_ctx):
    from sqlalchemy import func, select

    from mettrack.children.models import Child
    from mettrack.core.extensions import db
    from tests.conftest import post_form

    auth.as_role(Role.LEAD_PROFESSIONAL)
    data = {"first_name": "Ro\x00wan", "last_name": "Example", "looked_after": "no"}
    response = post_form(client, "/children/new", data, page="/children/new")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "first_name" in page and "control character" in page
    assert "Ro\x00wan" not in page
    assert db.session.scalar(select(func.count()).select_from(Child)) == 0


def test_control_character_in_api_json_is_a_422_problem_naming_the_field(app, client):
    from mettrack.accounts import tokens
    from tests import factories

    with app.app_context():
        user = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        _token, secret = tokens.create_token(user, name="test")
    response = client.post(
        "/api/v1/children",
        json={"first_name": "Rowan", "aliases": ["ok", "bad\x07"]},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 422
    assert response.json["errors"] == {
        "aliases.1": "contains a control character that cannot be saved; remove it and try again"
    }
