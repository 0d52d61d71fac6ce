"""A record's version is a whole number: 1.9 is not version 1, and "1" is not a number.

Every `version` in the API's schemas is a strict integer, and every API route of the
access table (tests/access/) that sends one answers 422 naming `version` when it is not
a whole number, with nothing changed.
"""

import importlib
import inspect
import pathlib

import pytest
from marshmallow import Schema, fields

from mettrack.core.choices import Role
from tests.access import all_routes
from tests.access.world import world_from_snapshot

VERSIONED_API_ROUTES = [r for r in all_routes() if r.api and "version" in r.data]


SCHEMA_MODULES = [
    importlib.import_module(".".join(path.with_suffix("").parts))
    for path in sorted(pathlib.Path("mettrack").glob("*/schemas.py"))
]


def _version_fields():
    members = {
        name: cls for module in SCHEMA_MODULES for name, cls in inspect.getmembers(module, inspect.isclass)
    }
    for name, schema in members.items():
        if issubclass(schema, Schema):
            for field_name, field in schema._declared_fields.items():
                if field_name == "version" or field_name.endswith("_version"):
                    yield f"{name}.{field_name}", field


def test_every_version_field_in_the_api_schemas_is_a_strict_integer():
    found = dict(_version_fields())
    assert "ChildPatchSchema.version" in found  # the walk finds them
    loose = [
        name for name, field in found.items() if not (isinstance(field, fields.Integer) and field.strict)
    ]
    assert loose == []


@pytest.fixture
def world(app):
    with app.app_context():
        return world_from_snapshot()


def test_the_access_table_has_api_routes_that_send_a_version():
    assert {"api_children.ChildItem", "api_transitions.Transitions"} <= {
        r.endpoint for r in VERSIONED_API_ROUTES
    }


@pytest.mark.parametrize("route", VERSIONED_API_ROUTES, ids=lambda r: f"{r.method} {r.endpoint}")
@pytest.mark.parametrize("version", [1.9, 2.0, "1", True, 0], ids=["1.9", "2.0", "text", "true", "zero"])
def test_a_version_that_is_not_a_whole_number_is_422_naming_it(route, version, client, world):
    role = Role.MET_CHAIR if Role.MET_CHAIR in route.allowed else sorted(route.allowed)[0]
    path = route.path.format(**world.placeholders(role))
    headers = {"Authorization": f"Bearer {world.tokens[role]}"}
    response = client.open(
        path, method=route.method, json={**route.data, "version": version}, headers=headers
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "version" in response.get_json()["errors"]
