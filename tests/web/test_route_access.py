"""Every route x every role: wrong role 403, outside need-to-know 404, signed out 302/401.

The table lives in tests/access/; a route the app serves without an entry there fails
test_every_route_has_an_entry.
"""

import re

import pytest

from mettrack.cases.models import Case
from mettrack.children.models import Child
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from tests.access import all_routes, filled
from tests.access.intelligence import HIDDEN_TWINS as INTELLIGENCE_TWINS
from tests.access.world import world_from_snapshot

ROUTES = all_routes()
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _served(app) -> set[tuple[str, str]]:
    return {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - IGNORED_METHODS
    }


def test_every_route_has_an_entry(app):
    table = {(r.method, r.endpoint) for r in ROUTES}
    missing = _served(app) - table
    assert not missing, f"routes without an entry in tests/access/: {sorted(missing)}"
    stale = table - _served(app)
    assert not stale, f"entries in tests/access/ for routes that do not exist: {sorted(stale)}"


def _request(client, route, placeholders, role, world):
    path = route.path.format(**placeholders)
    headers = {}
    if route.api:
        headers["Authorization"] = f"Bearer {world.tokens[role]}"
    elif not route.public:
        response = client.post(
            "/login", data={"email": world.emails[role], "password": "correct horse battery staple"}
        )
        assert response.status_code == 302, f"sign-in as {role} failed"
    kwargs = {"headers": headers}
    if route.method != "GET":
        data = filled(route.data, placeholders, api=route.api)
        kwargs["json" if route.api else "data"] = _with_current_version(client.application, data, path)
    return client.open(path, method=route.method, **kwargs)


def _with_current_version(app, data, path):
    """The route's data with version 1, the table's "the record as the user read it",
    replaced by the version of the case or child the path names: the world's cases were
    made through their moves, so their versions are past 1."""
    found = re.search(r"/(cases|children)/(\d+)", path)
    if not data or str(data.get("version")) != "1" or found is None:
        return data  # no version, or a stale one on purpose (tests/access/team.py: STALE)
    model = Case if found.group(1) == "cases" else Child
    with app.app_context():
        record = db.session.get(model, int(found.group(2)))
        if record is None:
            return data
        version = record.version
    return {**data, "version": str(version) if isinstance(data["version"], str) else version}


@pytest.fixture
def world(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    with app.app_context():
        return world_from_snapshot()


def _id(route):
    return f"{route.method} {route.endpoint}"


def _expected(route, role) -> int:
    return route.ok_for.get(role, route.ok) if (route.public or role in route.allowed) else 403


READS = [r for r in ROUTES if r.method == "GET"]
WRITES = [r for r in ROUTES if r.method != "GET"]


@pytest.mark.parametrize("route", READS, ids=_id)
def test_every_role_gets_the_expected_status_on_a_read(route, app, world):
    """A read changes nothing another role's read depends on, so every role reads from
    one world (each with a client of its own): putting the world back for each role was
    most of the matrix's time. Every role's answer is checked before failing."""
    wrong = []
    for role in Role:
        response = _request(app.test_client(), route, world.placeholders(role), role, world)
        if response.status_code != _expected(route, role):
            wrong.append(
                f"{role}: {response.status_code}, not {_expected(route, role)}: "
                f"{response.get_data(as_text=True)[:300]}"
            )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("route", WRITES, ids=_id)
def test_role_gets_expected_status(route, role, client, world):
    response = _request(client, route, world.placeholders(role), role, world)
    assert response.status_code == _expected(route, role), response.get_data(as_text=True)[:500]


# Records with a `hidden_<name>` twin that only the MET chair reaches.
HIDDEN_TWINS = (*INTELLIGENCE_TWINS, "service_request")  # tests/access/service_requests.py

NEED_TO_KNOW = [
    (route, role) for route in ROUTES if route.need_to_know for role in sorted(route.allowed - route.sees_all)
]


@pytest.mark.parametrize(
    ("route", "role"), NEED_TO_KNOW, ids=lambda v: _id(v) if hasattr(v, "endpoint") else str(v)
)
def test_record_outside_need_to_know_is_404(route, role, client, world):
    hidden = {**world.placeholders(role)}
    hidden.update(case=hidden["hidden_case"], child=hidden["hidden_child"], meeting=hidden["hidden_meeting"])
    hidden.update(action=hidden.get("hidden_action"))  # tests/access/meetings_actions.py
    for name in HIDDEN_TWINS:
        hidden[name] = hidden[f"hidden_{name}"]
    response = _request(client, route, hidden, role, world)
    assert response.status_code == 404


OPEN_CASE = [
    (route, role) for route in ROUTES if route.need_to_know for role in sorted(route.allowed - route.sees_all)
]


@pytest.mark.parametrize(
    ("route", "role"), OPEN_CASE, ids=lambda v: _id(v) if hasattr(v, "endpoint") else str(v)
)
def test_open_case_off_the_team_is_404_but_a_coordinators_case_summary(route, role, client, world):
    """DESIGN.md: the coordinator sees every open case's service fields; the rest of the
    case (the child's record, notes, missing episodes, Philomena, screenings, risk
    assessments, the team) only on a case whose team they are on. Everyone else: 404."""
    on_open = {**world.placeholders(role)}
    for name in list(on_open):
        if f"open_{name}" in on_open:
            on_open[name] = on_open[f"open_{name}"]
    on_open.update(case=on_open["open_case"], child=on_open["open_child"])
    response = _request(client, route, on_open, role, world)
    expected = route.ok if role is Role.COORDINATOR and route.case_summary else 404
    assert response.status_code == expected, response.get_data(as_text=True)[:500]


@pytest.mark.parametrize("route", [r for r in ROUTES if not r.public], ids=_id)
def test_signed_out_is_sent_to_sign_in(route, client, world):
    path = route.path.format(**world.placeholders(Role.MET_CHAIR))
    kwargs = {"json": route.data} if route.api and route.method != "GET" else {"data": route.data}
    response = client.open(path, method=route.method, **kwargs)
    if route.api:
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
