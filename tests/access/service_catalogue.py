"""The service catalogue: its admin pages (specialist_services/catalogue_pages.py) and
/api/v1/services (catalogue_api.py). {service} is PARCS (tests/access/service_requests.py).

The world's agency ids are not known when this table is written, so adding a service by
form or API names none and is refused by its fields (400 on a page, 422 by the API): the
role check passed, which is what the matrix checks. A change keeps PARCS's agency.
tests/specialist_services/test_catalogue*.py add and change services for real.
"""

from mettrack.core.choices import Role
from tests.access import CASE_ROLES, Route

ADMIN = dict(allowed=frozenset({Role.ADMIN}))
PAGES = "/admin/services"
API = "/api/v1/services"
NEW = {"code": "access_matrix", "name": "Access matrix", "exploitation_types": "any", "capacity": "5"}

ROUTES = [
    Route("GET", "service_catalogue_admin.index", PAGES, **ADMIN),
    Route("GET", "service_catalogue_admin.new", PAGES + "/new", **ADMIN),
    Route("POST", "service_catalogue_admin.new", PAGES + "/new", ok=400, data=NEW, **ADMIN),
    Route("GET", "service_catalogue_admin.edit", PAGES + "/{service}/edit", **ADMIN),
    Route(
        "POST",
        "service_catalogue_admin.edit",
        PAGES + "/{service}/edit",
        ok=400,
        data={"name": "PARCS", "exploitation_types": "cse", "capacity": "25"},
        **ADMIN,
    ),
    Route("POST", "service_catalogue_admin.deactivate", PAGES + "/{service}/deactivate", ok=302, **ADMIN),
    Route("POST", "service_catalogue_admin.reactivate", PAGES + "/{service}/reactivate", ok=302, **ADMIN),
    Route("POST", "service_catalogue_admin.defaults", PAGES + "/defaults", ok=302, **ADMIN),
    Route("GET", "api_services.Services", API, allowed=CASE_ROLES, api=True),
    Route(
        "POST",
        "api_services.Services",
        API,
        ok=422,
        api=True,
        data={"code": "access_matrix", "name": "Access matrix", "agency_id": 999999999},
        **ADMIN,
    ),
    Route("GET", "api_services.ServiceItem", API + "/{service}", allowed=CASE_ROLES, api=True),
    Route(
        "PATCH",
        "api_services.ServiceItem",
        API + "/{service}",
        api=True,
        data={"capacity": 30, "exploitation_types": ["cse"]},
        **ADMIN,
    ),
]
