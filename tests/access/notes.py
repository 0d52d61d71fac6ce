"""Case notes (pages and API) and the language check API."""

from tests.access import CASE_ROLES, Route

R = dict(allowed=CASE_ROLES, need_to_know=True)
API = dict(R, api=True)
BASE = "/cases/{case}/notes"
NOTE = "Visited the child at home with their carer; a safety plan was agreed."

ROUTES = [
    Route("GET", "notes.index", BASE, **R),
    Route("GET", "notes.new", BASE + "/new", **R),
    Route("POST", "notes.new", BASE + "/new", ok=302, data={"body": NOTE}, **R),
    Route("GET", "api_notes.CaseNotes", "/api/v1" + BASE, **API),
    Route("POST", "api_notes.CaseNotes", "/api/v1" + BASE, ok=201, data={"body": NOTE}, **API),
    Route(
        "POST",
        "api_language.LanguageCheck",
        "/api/v1/language-check",
        allowed=CASE_ROLES,
        api=True,
        data={"text": NOTE},
    ),
]
