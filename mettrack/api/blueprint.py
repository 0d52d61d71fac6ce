"""The one base every /api/v1 resource blueprint shares (as Redash's base resource)."""

from flask_login import current_user
from flask_smorest import Blueprint

from mettrack.api import problems
from mettrack.core import audit
from mettrack.core.choices import AuditOutcome
from mettrack.core.errors import NotAllowed

API_PREFIX = "/api/v1"
# The case id in the path of every case sub-resource (the converter caps it: mettrack/__init__.py).
CASE_ID = "<int:case_id>"


def _not_for_caches(response):
    # Answers hold children's records and depend on whose token asked: no shared or
    # browser cache may keep one.
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Authorization")
    return response


PASSWORD_MUST_CHANGE = (
    "Your password must be changed before your API tokens work again. Sign in to METtrack "
    "and choose a new password; tokens made before a password reset stay revoked."
)


def _suspended_while_password_must_change():
    # A user who must change their password (a reset, a new account) is not yet the only
    # one who knows it: their tokens are suspended, for reading and writing alike, until
    # they do (docs/security.md, "API tokens").
    if current_user.is_authenticated and current_user.must_change_password:
        audit.record_now(
            "token.suspended_use",
            "user",
            current_user.id,
            detail={"reason": "password_must_change"},
            outcome=AuditOutcome.DENIED,
        )
        raise NotAllowed("use the API", (PASSWORD_MUST_CHANGE,))


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
        self.before_request(_suspended_while_password_must_change)
        self.after_request(_not_for_caches)
        self._prepare_doc_cbks.append(self._document_access_problems)

    @staticmethod
    def _document_access_problems(doc, doc_info, **kwargs):
        responses = doc.setdefault("responses", {})
        responses.setdefault(401, "UNAUTHORIZED")
        responses.setdefault(403, "FORBIDDEN")
        return doc
