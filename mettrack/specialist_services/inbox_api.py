"""/api/v1/service-requests/inbox: the requests sent to your agency's services, as their
provider sees them (mettrack/specialist_services/inbox.py, the same service as the pages).

For a user of an agency that provides a specialist service, with a case role; 403 for
anyone else. Each item is what the service needs to decide (the child's name and age,
the reason, what the service needs to know, who asked, when an answer is due), never the
child's record. Answer with POST /api/v1/service-requests/{id}/accept or /decline.
"""

from flask import current_app
from flask.views import MethodView
from flask_login import current_user

from mettrack.api.blueprint import ApiBlueprint
from mettrack.core.permissions import Perm, requires
from mettrack.specialist_services import inbox
from mettrack.specialist_services.inbox_schemas import InboxArgsSchema, InboxPageSchema

blp = ApiBlueprint(
    "api_service_inbox",
    __name__,
    path="/service-requests",
    description="Requests for your agency's specialist services",
)


@blp.route("/inbox")
class ServiceInbox(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.arguments(InboxArgsSchema, location="query")
    @blp.response(200, InboxPageSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args):
        """List the requests for your agency's services

        Waiting requests first (urgent first, then the oldest), then the latest answered;
        `status` narrows them. One page of `per_page`; `counts` gives each status's
        total. 403 when your agency provides no specialist service. Audited with the ids
        returned.
        """
        page = inbox.inbox(
            current_user, args["status"], page=args["page"], per_page=current_app.config["PAGE_SIZE"]
        )
        return {
            "status": page.status,
            "items": page.items,
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
            "counts": page.counts,
        }
