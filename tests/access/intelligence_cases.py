"""Intelligence on cases: peer links, direct case links and hotspots (intelligence/
peer_pages.py, case_link_pages.py, hotspot_pages.py, links_api.py).

Peer links: a reviewer (the test MET chair) or a lead professional (the test lead leads
{case} and the other case of {peer_link}); the coordinator and the partner are on {case}'s
team but lead nothing: 403. Both allowed roles remove {peer_link}; the lead gets 404 on
{hidden_peer_link} (a link of {hidden_case}, outside their need-to-know). Adding one is
sent a case number that does not exist (a 400 page or a 422 problem naming other_case_id /
location_id): the role and need-to-know checks come first. Adding is tested on real links
in tests/intelligence/test_peer_links.py and test_case_links.py.

Direct case links and hotspots: reviewers only (the MET chair among the test users, who
removes {subject_link}; a police partner is tested in tests/intelligence/test_case_links.py
and test_hotspots.py). The records are in tests/access/intelligence.py.
"""

from mettrack.core.choices import Role
from tests.access import CASE_ROLES, Route

CHAIR = frozenset({Role.MET_CHAIR})
LEADS = frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL})
UNKNOWN = 2_000_000_000  # no case or location has this number
PEER_FORM = {"other_case_id": str(UNKNOWN), "kind": "sibling", "reliability": "likely"}
PEER_JSON = {"other_case_id": UNKNOWN, "kind": "sibling", "reliability": "likely"}
SUBJECT_FORM = {"location_id": str(UNKNOWN), "reliability": "likely"}
SUBJECT_JSON = {"location_id": UNKNOWN, "reliability": "likely"}
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
        PEERS + "/{peer_link}/remove",
        allowed=LEADS,
        need_to_know=True,
        ok=302,
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
        SUBJECTS + "/{subject_link}/remove",
        allowed=CHAIR,
        need_to_know=True,
        ok=302,
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
        API + "/peer-links/{peer_link}",
        allowed=LEADS,
        need_to_know=True,
        api=True,
        ok=204,
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
        API + "/subject-links/{subject_link}",
        allowed=CHAIR,
        need_to_know=True,
        api=True,
        ok=204,
    ),
    Route("GET", "api_hotspots.Hotspots", "/api/v1/hotspots", allowed=CHAIR, api=True),
]
