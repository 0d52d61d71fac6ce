"""The child's record: pages and API. Names are invented."""

from tests.access import CASE_ROLES, Route

NEW_CHILD = {
    "first_name": "Matrixa",
    "last_name": "Quillfeather",
    "date_of_birth-day": "7",
    "date_of_birth-month": "4",
    "date_of_birth-year": "2012",
    "looked_after": "no",
}
# The child's record as the user read it: test_route_access.py sends the world child's
# version in place of 1 (its cases were made through their moves, which save it too).
WORLD_CHILD_VERSION = 1
EDIT_CHILD = {
    "first_name": "Testchild",
    "last_name": "Renamed",
    "looked_after": "no",
    "version": str(WORLD_CHILD_VERSION),
}

ROUTES = [
    Route("GET", "children.new", "/children/new", allowed=CASE_ROLES),
    Route("POST", "children.new", "/children/new", allowed=CASE_ROLES, ok=302, data=NEW_CHILD),
    Route("GET", "children.detail", "/children/{child}", allowed=CASE_ROLES, need_to_know=True),
    Route("GET", "children.edit", "/children/{child}/edit", allowed=CASE_ROLES, need_to_know=True),
    Route(
        "POST",
        "children.edit",
        "/children/{child}/edit",
        allowed=CASE_ROLES,
        ok=302,
        need_to_know=True,
        data=EDIT_CHILD,
    ),
    Route(
        "POST",
        "api_children.Children",
        "/api/v1/children",
        allowed=CASE_ROLES,
        ok=201,
        api=True,
        data={"first_name": "Matrixa", "last_name": "Quillfeather", "date_of_birth": "2012-04-07"},
    ),
    Route(
        "PATCH",
        "api_children.ChildItem",
        "/api/v1/children/{child}",
        allowed=CASE_ROLES,
        need_to_know=True,
        api=True,
        data={"version": WORLD_CHILD_VERSION, "school": "Harbourside Academy"},
    ),
]
