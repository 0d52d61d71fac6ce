"""Disruption actions (intelligence/disruption_pages.py, intelligence/disruptions_api.py)
and the disruption catalogue's admin pages.

{disruption} is a Sexual Risk Order protecting {case}'s child: every case role reaches it;
{hidden_disruption} only the MET chair (tests/access/intelligence.py). Recording and
changing one is for reviewers, of whom the MET chair is the only one among the test users
(a police-sector partner may too: tests/intelligence/test_disruption_pages.py).

The API's POST names no person or place here (their ids are the world's, not known when
this table is written): the chair passes the role check and gets the field check's 422;
tests/intelligence/test_disruption_api.py records one.
"""

from mettrack.core.choices import Role
from tests.access import CASE_ROLES, Route

CHAIR = frozenset({Role.MET_CHAIR})
ADMIN_ONLY = frozenset({Role.ADMIN})
D = "/intelligence/disruptions"
KINDS = "/admin/disruption-kinds"
R = dict(allowed=CASE_ROLES, need_to_know=True)
W = dict(allowed=CHAIR, need_to_know=True)
A = dict(allowed=ADMIN_ONLY)
NEW = {"kind": "sro", "status": "planned", "details": "Access matrix."}
CHANGE = {"version": "1", "details": "Access matrix change."}

ROUTES = [
    Route("GET", "intelligence_disruptions.index", D, allowed=CASE_ROLES),
    Route("GET", "intelligence_disruptions.new", D + "/new", allowed=CHAIR),
    Route(
        "POST", "intelligence_disruptions.new", D + "/new?person_id={person}", ok=302, data=NEW, allowed=CHAIR
    ),
    Route("GET", "intelligence_disruptions.show", D + "/{disruption}", **R),
    Route("GET", "intelligence_disruptions.edit", D + "/{disruption}/edit", **W),
    Route("POST", "intelligence_disruptions.edit", D + "/{disruption}/edit", ok=302, data=CHANGE, **W),
    Route(
        "GET", "api_disruptions.DisruptionActions", "/api/v1/disruption-actions", allowed=CASE_ROLES, api=True
    ),
    Route(
        "POST",
        "api_disruptions.DisruptionActions",
        "/api/v1/disruption-actions",
        ok=422,
        data={"kind": "sro"},
        allowed=CHAIR,
        api=True,
    ),
    Route(
        "GET",
        "api_disruptions.DisruptionActionItem",
        "/api/v1/disruption-actions/{disruption}",
        api=True,
        **R,
    ),
    Route(
        "PATCH",
        "api_disruptions.DisruptionActionItem",
        "/api/v1/disruption-actions/{disruption}",
        data={"version": 1, "details": "Access matrix change."},
        api=True,
        **W,
    ),
    Route("GET", "disruption_kinds_admin.index", KINDS, **A),
    Route("GET", "disruption_kinds_admin.new", KINDS + "/new", **A),
    Route(
        "POST",
        "disruption_kinds_admin.new",
        KINDS + "/new",
        ok=302,
        data={"code": "access_matrix", "name": "Access matrix", "has_expiry": "no", "checks_cawn": "no"},
        **A,
    ),
    Route("GET", "disruption_kinds_admin.edit", KINDS + "/{disruption_kind}/edit", **A),
    Route(
        "POST",
        "disruption_kinds_admin.edit",
        KINDS + "/{disruption_kind}/edit",
        ok=302,
        data={"name": "Sexual Risk Order", "has_expiry": "yes", "checks_cawn": "no"},
        **A,
    ),
    Route("POST", "disruption_kinds_admin.deactivate", KINDS + "/{disruption_kind}/deactivate", ok=302, **A),
    Route("POST", "disruption_kinds_admin.reactivate", KINDS + "/{disruption_kind}/reactivate", ok=302, **A),
    Route("POST", "disruption_kinds_admin.defaults", KINDS + "/defaults", ok=302, **A),
]
