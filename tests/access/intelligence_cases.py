"""Intelligence on cases: peer links, direct case links and hotspots (intelligence/
peer_pages.py, case_link_pages.py, hotspot_pages.py, links_api.py).

Peer links: a reviewer (the test MET chair) or a lead professional (the test lead leads
{case}); the coordinator and the partner are on {case}'s team but lead nothing: 403. The
world holds no peer link or direct link with a known id, so removing one answers 404 for
the allowed roles (NO_LINK), and adding one is sent a case number that does not exist
(a 400 page or a 422 problem naming other_case_id / location_id): the role and
need-to-know checks come first either way. Removal and adding are tested on real links in
tests/intelligence/test_peer_links.py and test_case_links.py.

Direct case links and hotspots: reviewers only (the MET chair among the test users; a police
partner is tested in tests/intelligence/test_case_links.py and test_hotspots.py).
"""

from mettrack.core.choices import Role
from tests.access import CASE_ROLES, Route

CHAIR = frozenset({Role.MET_CHAIR})
LEADS = frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL})
NO_LINK = 2_000_000_000
PEER_FORM = {"other_case_id": str(NO_LINK), "kind": "sibling", "reliability": "likely"}
PEER_JSON = {"other_case_id": NO_LINK, "kind": "sibling", "reliability": "likely"}
SUBJECT_FORM = {"location_id": str(NO_LINK), "reliability": "likely"}
SUBJECT_JSON = {"location_id": NO_LINK, "reliability": "likely"}
PEERS = "/cases/{case}/peer-links"
SUBJECTS = "/cases/{case}/subject-links"
API = "/api/v1/cases/{case}"

ROUTES = [
    Route("GET", "intelligence_peers.new", f"{PEERS}/new", allowed=LEADS, need_to_know=True),
    Route(
        "POST",
        "intelligence_peers.new",
        f"{PEERS}/new",
        allowed=LEADS,
        need_to_know=True,
        ok=400,
        data=PEER_FORM,
    ),
    Route(
        "POST",
        "intelligence_peers.remove",
        f"{PEERS}/{NO_LINK}/remove",
        allowed=LEADS,
        need_to_know=True,
        ok=404,
    ),
    Route("GET", "intelligence_case_links.new", f"{SUBJECTS}/new", allowed=CHAIR, need_to_know=True),
    Route(
        "POST",
        "intelligence_case_links.new",
        f"{SUBJECTS}/new",
        allowed=CHAIR,
        need_to_know=True,
        ok=400,
        data=SUBJECT_FORM,
    ),
    Route(
        "POST",
        "intelligence_case_links.remove",
        f"{SUBJECTS}/{NO_LINK}/remove",
        allowed=CHAIR,
        need_to_know=True,
        ok=404,
    ),
    Route("GET", "intelligence_hotspots.index", "/intelligence/hotspots/", allowed=CHAIR),
    Route(
        "GET",
        "api_case_links.PeerLinks",
        f"{API}/peer-links",
        allowed=CASE_ROLES,
        need_to_know=True,
        api=True,
    ),
    Route(
        "POST",
        "api_case_links.PeerLinks",
        f"{API}/peer-links",
        allowed=LEADS,
        need_to_know=True,
        api=True,
        ok=422,
        data=PEER_JSON,
    ),
    Route(
        "DELETE",
        "api_case_links.PeerLinkItem",
        f"{API}/peer-links/{NO_LINK}",
        allowed=LEADS,
        need_to_know=True,
        api=True,
        ok=404,
    ),
    Route(
        "GET",
        "api_case_links.SubjectLinks",
        f"{API}/subject-links",
        allowed=CASE_ROLES,
        need_to_know=True,
        api=True,
    ),
    Route(
        "POST",
        "api_case_links.SubjectLinks",
        f"{API}/subject-links",
        allowed=CHAIR,
        need_to_know=True,
        api=True,
        ok=422,
        data=SUBJECT_JSON,
    ),
    Route(
        "DELETE",
        "api_case_links.SubjectLinkItem",
        f"{API}/subject-links/{NO_LINK}",
        allowed=CHAIR,
        need_to_know=True,
        api=True,
        ok=404,
    ),
    Route("GET", "api_hotspots.Hotspots", "/api/v1/hotspots", allowed=CHAIR, api=True),
]
