"""Importing the exploitation list (mettrack/imports/pages.py, docs/imports.md): administrators
and MET chairs only. An upload is seen only by the user who made it, so an allowed role
asking for an upload that is not theirs (here one that does not exist) gets 404."""

from mettrack.core.choices import Role
from tests.access import Route

IMPORTERS = frozenset({Role.ADMIN, Role.MET_CHAIR})
NOT_THEIRS = "/imports/999999"

ROUTES = [
    Route("GET", "imports.index", "/imports/", allowed=IMPORTERS),
    # No file chosen: the form again, saying so (400), and nothing kept.
    Route("POST", "imports.upload", "/imports/", allowed=IMPORTERS, ok=400),
    Route("GET", "imports.template", "/imports/template.csv", allowed=IMPORTERS),
    Route("GET", "imports.job", NOT_THEIRS, allowed=IMPORTERS, ok=404),
    Route("GET", "imports.progress", NOT_THEIRS + "/progress.json", allowed=IMPORTERS, ok=404),
    Route("POST", "imports.confirm", NOT_THEIRS + "/confirm", allowed=IMPORTERS, ok=404),
]
