"""The association picture (intelligence/network_pages.py, intelligence/network_api.py).

Every case role reaches the picture of {case}, {location} and {person} (the records of
tests/access/intelligence.py); the need-to-know twins ({hidden_case}, {hidden_location},
{hidden_person}) give 404 to all but the MET chair; analyst and admin 403.
"""

from tests.access import CASE_ROLES, Route

R = dict(allowed=CASE_ROLES, need_to_know=True)

ROUTES = [
    Route("GET", "intelligence_network.case", "/intelligence/network/case/{case}", **R),
    Route("GET", "intelligence_network.location", "/intelligence/network/location/{location}", **R),
    Route("GET", "intelligence_network.person", "/intelligence/network/person/{person}", **R),
    Route("GET", "api_network.NetworkOf", "/api/v1/network/case/{case}", api=True, **R),
    Route("GET", "api_network.NetworkOf", "/api/v1/network/location/{location}", api=True, **R),
    Route("GET", "api_network.NetworkOf", "/api/v1/network/person/{person}", api=True, **R),
]
