"""The one base every /api/v1 resource blueprint shares (as Redash's base resource)."""

from flask_smorest import Blueprint

from mettrack.api import problems

API_PREFIX = "/api/v1"
# The case id in the path of every case sub-resource (the converter caps it: mettrack/__init__.py).
CASE_ID = "<int:case_id>"


def _not_for_caches(response):
    # Answers hold children's records and depend on whose token asked: no shared or
    # browser cache may keep one.
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Authorization")
    return response


class ApiBlueprint(Blueprint):
    """A flask-smorest Blueprint whose errors are problem details and whose operations
    are documented as taking a bearer token (401) and a role (403).

    Views declare their permission with @requires from mettrack/core/permissions.py, as pages
    do; put it above the flask-smorest decorators so that the caller is checked before
    their input is parsed.
    """

    def __init__(self, name: str, import_name: str, *, path: str, description: str = ""):
        super().__init__(name, import_name, url_prefix=API_PREFIX + path, description=description)
        problems.register_handlers(self)
        self.after_request(_not_for_caches)
        self._prepare_doc_cbks.append(self._document_access_problems)

    @staticmethod
    def _document_access_problems(doc, doc_info, **kwargs):
        responses = doc.setdefault("responses", {})
        responses.setdefault(401, "UNAUTHORIZED")
        responses.setdefault(403, "FORBIDDEN")
        return doc
