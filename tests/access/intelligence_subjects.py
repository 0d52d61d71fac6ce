"""Places, persons and search (intelligence/location_pages.py, person_pages.py,
search_pages.py and their APIs). The records are built by tests/access/intelligence.py.

Reading a place or a person: every case role reaches {location} and {person} (linked to
{case}); {hidden_location} and {hidden_person} only a reviewer. Adding and changing them
is for reviewers: the test MET chair here (a police-sector partner may too:
tests/intelligence/test_persons_pages.py). Search is for every case role.
"""

from mettrack.core.choices import Role
from tests.access import CASE_ROLES, Route

REVIEWER = frozenset({Role.MET_CHAIR})
READ = dict(allowed=CASE_ROLES, need_to_know=True)
REVIEW = dict(allowed=REVIEWER, need_to_know=True)
PLACE_FORM = {"version": "1", "name": "Harbour View Hotel", "location_type": "hotel", "postcode": "po12ab"}
PERSON_FORM = {
    "version": "1",
    "name": "Dale Example",
    "aliases": "D",
    "vehicles": "AB12 CDE",
    "review_on-day": "1",
    "review_on-month": "6",
    "review_on-year": "2040",
}
NEW_PERSON = {**PERSON_FORM, "name": "Kai Sample"}

ROUTES = [
    Route("GET", "intelligence_subjects.locations", "/intelligence/locations", allowed=CASE_ROLES),
    Route("GET", "intelligence_subjects.new_location", "/intelligence/locations/new", allowed=REVIEWER),
    Route(
        "POST",
        "intelligence_subjects.create_location",
        "/intelligence/locations/new",
        ok=302,
        data={"name": "Old Mill Park", "location_type": "park"},
        allowed=REVIEWER,
    ),
    Route("GET", "intelligence_subjects.location", "/intelligence/locations/{location}", **READ),
    Route("GET", "intelligence_subjects.edit_location", "/intelligence/locations/{location}/edit", **REVIEW),
    Route(
        "POST",
        "intelligence_subjects.update_location",
        "/intelligence/locations/{location}/edit",
        ok=302,
        data=PLACE_FORM,
        **REVIEW,
    ),
    Route("GET", "intelligence_subjects.persons", "/intelligence/persons", allowed=CASE_ROLES),
    Route("GET", "intelligence_subjects.new_person", "/intelligence/persons/new", allowed=REVIEWER),
    Route(
        "POST",
        "intelligence_subjects.create_person",
        "/intelligence/persons/new",
        ok=302,
        data=NEW_PERSON,
        allowed=REVIEWER,
    ),
    Route("GET", "intelligence_subjects.person", "/intelligence/persons/{person}", **READ),
    Route("GET", "intelligence_subjects.edit_person", "/intelligence/persons/{person}/edit", **REVIEW),
    Route(
        "POST",
        "intelligence_subjects.update_person",
        "/intelligence/persons/{person}/edit",
        ok=302,
        data=PERSON_FORM,
        **REVIEW,
    ),
    Route("GET", "intelligence_subjects.search_form", "/intelligence/search", allowed=CASE_ROLES),
    Route(
        "POST",
        "intelligence_subjects.search",
        "/intelligence/search",
        data={"query": "Dale Exampel", "kind": "name"},
        allowed=CASE_ROLES,
    ),
    Route("GET", "api_locations.Locations", "/api/v1/locations", allowed=CASE_ROLES, api=True),
    Route(
        "POST",
        "api_locations.Locations",
        "/api/v1/locations",
        ok=201,
        data={"name": "Old Mill Park", "location_type": "park", "postcode": "PO4 8AA"},
        allowed=REVIEWER,
        api=True,
    ),
    Route("GET", "api_locations.LocationItem", "/api/v1/locations/{location}", api=True, **READ),
    Route(
        "PATCH",
        "api_locations.LocationItem",
        "/api/v1/locations/{location}",
        data={"version": 1, "description": "Rooms let by the night."},
        api=True,
        **REVIEW,
    ),
    Route("GET", "api_persons.Persons", "/api/v1/persons", allowed=CASE_ROLES, api=True),
    Route(
        "POST",
        "api_persons.Persons",
        "/api/v1/persons",
        ok=201,
        data={"name": "Kai Sample", "review_on": "2040-06-01"},
        allowed=REVIEWER,
        api=True,
    ),
    Route("GET", "api_persons.PersonItem", "/api/v1/persons/{person}", api=True, **READ),
    Route(
        "PATCH",
        "api_persons.PersonItem",
        "/api/v1/persons/{person}",
        data={"version": 1, "aliases": ["D", "Big D"]},
        api=True,
        **REVIEW,
    ),
    Route(
        "POST",
        "api_intelligence_search.Search",
        "/api/v1/intelligence/search",
        data={"query": "Dale Exampel"},
        allowed=CASE_ROLES,
        api=True,
    ),
]
