"""Community Partnership Information and its review (intelligence/item_pages.py,
intelligence/items_api.py). The records are in tests/access/intelligence.py.

{item}           a P item the test partner shared, linked to {case}: every case role opens it
{reviewer_item}  an ungraded item shared by someone else: only a reviewer (the test MET chair,
                 the only reviewer among the test users) reaches it. The review routes are
                 allowed to the MET chair alone; a police-sector partner's grading is tested
                 in tests/intelligence/test_review_pages.py.
{link}           {item}'s link to {case}: the reviewer removes it (its hidden twin is
                 {hidden_item}'s link to {hidden_case}: tests/access/intelligence.py)
"""

from mettrack.core.choices import Role
from tests.access import CASE_ROLES, Route

REVIEWER = frozenset({Role.MET_CHAIR})
R = dict(allowed=REVIEWER, need_to_know=True)
SHARE = {
    "sharer_name": "Sam Teacher",
    "sharer_organisation": "Harbour School",
    "information": "A grey car waits outside the school gates at 3pm most days.",
    "information_date-day": "2",
    "information_date-month": "1",
    "information_date-year": "2026",
    "source_recontact": "no",
    "source_how_known": "Saw it",
}
SHARE_JSON = {
    "sharer_name": "Sam Teacher",
    "sharer_organisation": "Harbour School",
    "information": "A grey car waits outside the school gates at 3pm most days.",
    "information_date": "2026-01-02",
    "source_recontact": False,
    "source_how_known": "Saw it",
}
GRADE = {"source_evaluation": "2", "intelligence_assessment": "B", "handling_code": "P", "version": "1"}
GRADE_JSON = {**GRADE, "version": 1}

ROUTES = [
    Route("GET", "intelligence.share", "/intelligence/share", allowed=CASE_ROLES),
    Route("POST", "intelligence.share", "/intelligence/share", allowed=CASE_ROLES, ok=302, data=SHARE),
    Route("GET", "intelligence.mine", "/intelligence/mine", allowed=CASE_ROLES),
    Route("GET", "intelligence.item", "/intelligence/{item}", allowed=CASE_ROLES, need_to_know=True),
    Route("GET", "intelligence.review_queue", "/intelligence/review", allowed=REVIEWER),
    Route("GET", "intelligence.grade", "/intelligence/{reviewer_item}/grade", **R),
    Route("POST", "intelligence.grade", "/intelligence/{reviewer_item}/grade", ok=302, data=GRADE, **R),
    # {reviewer_item} is linked to nothing: linking it to {case} is new.
    Route(
        "POST",
        "intelligence.link",
        "/intelligence/{reviewer_item}/links",
        ok=302,
        data={"case_id": "{case}"},
        **R,
    ),
    Route("POST", "intelligence.unlink", "/intelligence/{item}/links/{link}/remove", ok=302, **R),
    Route("GET", "api_intelligence.Items", "/api/v1/intelligence", allowed=CASE_ROLES, api=True),
    Route(
        "POST",
        "api_intelligence.Items",
        "/api/v1/intelligence",
        allowed=CASE_ROLES,
        ok=201,
        data=SHARE_JSON,
        api=True,
    ),
    Route(
        "GET",
        "api_intelligence.Item",
        "/api/v1/intelligence/{item}",
        allowed=CASE_ROLES,
        need_to_know=True,
        api=True,
    ),
    Route(
        "PUT",
        "api_intelligence.ItemGrading",
        "/api/v1/intelligence/{reviewer_item}/grading",
        data=GRADE_JSON,
        api=True,
        **R,
    ),
    Route(
        "POST",
        "api_intelligence.ItemLinks",
        "/api/v1/intelligence/{reviewer_item}/links",
        ok=201,
        data={"case_id": "{case}"},
        api=True,
        **R,
    ),
    Route(
        "DELETE",
        "api_intelligence.ItemLink",
        "/api/v1/intelligence/{item}/links/{link}",
        ok=204,
        api=True,
        **R,
    ),
]
