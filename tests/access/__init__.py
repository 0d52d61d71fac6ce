"""The role x route access table, one module per area (core.py, api.py, admin.py ...).

Every route the app serves must appear in exactly one ROUTES list here; the matrix test
(tests/web/test_route_access.py) fails for a route without an entry, and walks every
entry with every role:

- a role outside `allowed` gets 403 (for API routes too: a valid token, wrong role);
- a role in `allowed` gets `ok` (200 by default) on a record it may see;
- with `need_to_know=True`, a role in `allowed` other than those in `sees_all` gets 404
  on a record outside its need-to-know (the path's `{case}` becomes `{hidden_case}`);
- with `need_to_know=True`, the same roles on an open case none of them is on the team
  of (`{case}` becomes `{open_case}`, `{episode}` `{open_episode}` ...): 404, except a
  coordinator on a route with `case_summary=True` (the case list's row, the case page's
  summary, specialist services and the move that records one: what DESIGN.md gives the
  coordinator of every open case, permissions.case_summary_scope), who gets `ok`.

Placeholders in paths, filled by the World built for each test:
  {case}         a case whose team holds every test user (all case roles may see it)
  {hidden_case}  a closed case with no team (only the chair may see it)
  {open_case}    an open case led by someone else, with no test user on its team (the
                 chair sees it; a coordinator its summary only)
  {child} {hidden_child}  the children of those two cases
  {user}         another user, the target of admin actions
  {token}        an API token belonging to the signed-in test user
  {notification} a reminder row (in-app notification) for the signed-in test user
  {reminder}     a failed e-mail reminder to another user (the chair may send it again)
  {meeting} {hidden_meeting}  a meeting every test user is a member of, and one none is
                 (only a MET chair reaches it): `{meeting}` becomes `{hidden_meeting}`
                 in the need-to-know test (tests/access/meetings.py)
  {item} {location} {person} {disruption}  intelligence every case role reaches through
                 {case}; each becomes `{hidden_<name>}` (only a reviewer, the test MET chair,
                 reaches it) in the need-to-know test (tests/access/intelligence.py)
  {link} {peer_link} {subject_link}  {item}'s link to {case}, a peer link of {case} and
                 {case}'s direct link to {location}, with hidden twins the same way

A value of a route's `data` that is one placeholder alone ("{case}") is filled the same
way as the path (a number in a JSON body, text in a form): see `filled`.
"""

from dataclasses import dataclass, field

from mettrack.core.choices import Role

ALL_ROLES = frozenset(Role)
CASE_ROLES = frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL, Role.COORDINATOR, Role.PARTNER})


@dataclass(frozen=True)
class Route:
    method: str
    endpoint: str
    path: str
    allowed: frozenset = ALL_ROLES
    ok: int = 200
    ok_for: dict = field(default_factory=dict)  # role -> status, where an allowed role's differs
    need_to_know: bool = False
    sees_all: frozenset = frozenset({Role.MET_CHAIR})
    case_summary: bool = False  # a coordinator reaches it on every open case (see above)
    data: dict = field(default_factory=dict)  # form or JSON body for the allowed request
    api: bool = False  # bearer token instead of a signed-in session
    public: bool = False  # no sign-in needed at all


def filled(data: dict, placeholders: dict, *, api: bool) -> dict:
    """`data` with each value that is one placeholder alone replaced by the record's id."""
    result = {}
    for key, value in data.items():
        name = value[1:-1] if isinstance(value, str) and value[:1] + value[-1:] == "{}" else None
        if name in placeholders:
            value = placeholders[name] if api else str(placeholders[name])
        result[key] = value
    return result


def all_routes() -> list[Route]:
    routes = []
    for module in _area_modules():
        routes.extend(module.ROUTES)
    return routes


def _area_modules():
    import importlib
    import pkgutil

    import tests.access as package

    return [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
    ]
