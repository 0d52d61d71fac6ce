"""/api/v1/cases: the cases within the token owner's need-to-know."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import ApiBlueprint
from mettrack.api.schemas import CaseListQuerySchema, CasePageSchema, CaseSchema
from mettrack.permissions import Perm, requires
from mettrack.services import cases

blp = ApiBlueprint("api_cases", __name__, path="/cases", description="Cases")

# Werkzeug's `int` converter takes any size of number; the database's ids do not.
CASE_ID = "<int(max=2147483647):case_id>"


@blp.route("", strict_slashes=False)
class Cases(MethodView):
    @requires(Perm.CASE_LIST)
    @blp.arguments(CaseListQuerySchema, location="query", unknown=RAISE, as_kwargs=True)
    @blp.response(200, CasePageSchema)
    def get(self, page: int, per_page: int, state: str | None = None):
        """List cases

        The cases you may see, newest first, a page at a time. Each list is written to
        the audit log with its query and the ids it returned.
        """
        return cases.list_for(current_user, state=state, page=page, per_page=per_page)


@blp.route(f"/{CASE_ID}")
class CaseItem(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, CaseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int):
        """Read a case

        404 when the case does not exist or is outside your need-to-know. Each read,
        and each refused read, is written to the audit log.
        """
        return cases.get_for(current_user, case_id)
