"""Role grants waiting for a second person (accounts/role_grant_pages.py and
role_grants_api.py): MET chairs only. `{grant}` is the MET chair role given by the test
administrator to the target user, waiting; the test MET chair may decide it."""

from mettrack.core.choices import Role
from tests.access import Route

CHAIR = frozenset({Role.MET_CHAIR})


def build_records(users, target) -> dict:
    from mettrack.accounts.role_grants import request_grants

    (grant,) = request_grants(target, [Role.MET_CHAIR], users[Role.ADMIN])
    return {"grant": grant.id}


ROUTES = [
    Route("GET", "role_grants.index", "/role-grants/", allowed=CHAIR),
    Route("POST", "role_grants.approve", "/role-grants/{grant}/approve", allowed=CHAIR, ok=302),
    Route("POST", "role_grants.refuse", "/role-grants/{grant}/refuse", allowed=CHAIR, ok=302),
    Route("GET", "api_role_grants.WaitingGrants", "/api/v1/role-grants", allowed=CHAIR, api=True),
    Route("POST", "api_role_grants.Approve", "/api/v1/role-grants/{grant}/approve", allowed=CHAIR, api=True),
    Route("POST", "api_role_grants.Refuse", "/api/v1/role-grants/{grant}/refuse", allowed=CHAIR, api=True),
]
