"""The OpenAPI document names the codes of each case tag from its one definition in
core/choices.py: a code added there is documented everywhere a partner reads about it."""

import re

import pytest

from mettrack.core.choices import CaseFlag, ExploitationType, HarmLocation, Role

OPENAPI = "/api/v1/openapi.json"
# The properties whose description lists the codes, and the enumeration they come from.
LISTED = {"flags": CaseFlag, "exploitation_types": ExploitationType, "harm_locations": HarmLocation}


def _described(spec: dict, prop: str) -> dict[str, str]:
    return {
        name: schema["properties"][prop].get("description", "")
        for name, schema in spec["components"]["schemas"].items()
        if prop in schema.get("properties", {})
    }


@pytest.mark.parametrize("prop", LISTED)
def test_every_description_of_a_tag_list_names_every_code_and_no_other(client, make_api_user, prop):
    user = make_api_user(Role.ANALYST)
    spec = client.get(OPENAPI, headers=user.headers).get_json()
    codes = {member.value for member in LISTED[prop]}
    described = _described(spec, prop)

    # The case, its classification and the classification update each describe the list.
    assert len(described) >= 3, described
    for schema, description in described.items():
        words = set(re.findall(r"[a-z][a-z_]*", description))
        assert codes <= words, f"{schema}.{prop}: {description}"
        # A code-like word (with an underscore) that is not a code would be a stale one.
        assert {w for w in words if "_" in w} <= codes, f"{schema}.{prop}: {description}"
