"""/api/v1/cases: the cases within the token owner's need-to-know.

GET /cases takes the list's filters as query parameters. A search by name goes in the
body of POST /cases/search instead, with the same filters, because URLs end up in
proxies' and servers' logs and a child's name must not (docs/api.md).
"""

from dataclasses import replace

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import CASE_ID, ApiBlueprint
from mettrack.cases import projection
from mettrack.cases import queries as cases
from mettrack.cases.schemas import CaseListQuerySchema, CasePageSchema, CaseSchema, CaseSearchSchema
from mettrack.core.permissions import Perm, requires

blp = ApiBlueprint("api_cases", __name__, path="/cases", description="Cases")

# Werkzeug's `int` converter takes any size of number; the database's ids do not.


def _list(args: dict):
    page, per_page = args.pop("page"), args.pop("per_page")
    filters = cases.filters_from(args, current_user)
    found = cases.list_for(current_user, filters=filters, page=page, per_page=per_page)
    return replace(found, items=[projection.project_for(current_user, case) for case in found.items])


@blp.route("", strict_slashes=False)
class Cases(MethodView):
    @requires(Perm.CASE_LIST)
    @blp.arguments(CaseListQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, CasePageSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args: dict):
        """List cases

        The cases you may see, a page at a time (`per_page` up to 100), narrowed by the
        filters: repeat a parameter for "any of these" (`state=referred&state=met_review`);
        different parameters all apply. `sort`: opened (newest first, the default),
        next_review (soonest first, cases without a date last) or risk (highest first).
        A bad value is a 422 naming the parameter. To search by name, use POST
        /cases/search: `q` is refused here. Each list is written to the audit log with
        its query and the ids it returned.
        """
        return _list(args)


@blp.route("/search")
class CaseSearch(MethodView):
    @requires(Perm.CASE_LIST)
    @blp.arguments(CaseSearchSchema, unknown=RAISE)
    @blp.response(200, CasePageSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, body: dict):
        """Search cases by name

        `q` matches the child's first name, last name or any alias, in any letter case
        and in part ("sam exa" finds Sam Example); every word must match. The other
        fields are the filters of GET /cases, with JSON lists for the multi-choice ones.
        Nothing is changed. The audit log records that a name search was made, the
        filters and the ids returned, never the name searched for.
        """
        return _list(body)


@blp.route(f"/{CASE_ID}")
class CaseItem(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, CaseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(428, response="PRECONDITION_REQUIRED")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, case_id: int):
        """Read a case

        404 when the case does not exist or is outside your need-to-know. A coordinator
        reads every open case, but of a case they are not on the team of only its summary
        (`access` is `summary`: the fields of the child's record and the case's details
        beyond what assigning a service needs are null). Each read, and each refused
        read, is written to the audit log.

        A user of a police agency sends why with each read, in the `X-Access-Reason`
        header: `meeting:<id>` (a meeting with the case on its agenda), `action:<id>` (an
        open action of theirs on the case) or a reason of up to 200 characters
        (percent-encoded UTF-8 outside ASCII). Without it: 428, naming the header; a bad
        one: 422. The reason is written in the read's audit row (docs/security.md).
        """
        return projection.project_for(
            current_user, cases.get_summary_for(current_user, case_id, ask_reason=True)
        )
