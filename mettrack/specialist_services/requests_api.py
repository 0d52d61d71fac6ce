"""/api/v1/cases/{case_id}/service-requests and /api/v1/service-requests/{id}: asking a
specialist service to work with a child, and the request's life (docs/services.md).

The same use cases as the pages (specialist_services/requests.py). The coordinator
requests and withdraws; the service's own agency accepts or declines (the coordinator
may record either for them, and the request then says so). 403 when your role may not
act, 404 outside your reach (specialist_services/access.py), 409 when the request
changed since the version you send, 422 naming the field otherwise; nothing is changed
then. /api/v1/cases/{id}/service-assignments stays as it was: the accepted requests.
"""

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import CASE_ID, ApiBlueprint
from mettrack.core.permissions import Perm, requires
from mettrack.language import documents_language_check
from mettrack.specialist_services import case_requests, requests
from mettrack.specialist_services.request_schemas import (
    ServiceRequestAcceptSchema,
    ServiceRequestCreateSchema,
    ServiceRequestDeclineSchema,
    ServiceRequestListSchema,
    ServiceRequestSchema,
    ServiceRequestSentSchema,
    ServiceRequestWithdrawSchema,
)

case_blp = ApiBlueprint(
    "api_case_service_requests",
    __name__,
    path="/cases",
    description="Requests for a specialist service on a case",
)
blp = ApiBlueprint(
    "api_service_request_items",
    __name__,
    path="/service-requests",
    description="One request for a specialist service, and its answer",
)

REQUEST_ID = "<int:service_request_id>"


class _Sent:
    """The request as sent, with the capacity warning beside its fields."""

    def __init__(self, request, warning: str | None):
        self._request = request
        self.warning = warning

    def __getattr__(self, name: str):
        return getattr(self._request, name)


@case_blp.route(f"/{CASE_ID}/service-requests")
class CaseServiceRequests(MethodView):
    @requires(Perm.CASE_VIEW)
    @case_blp.response(200, ServiceRequestListSchema)
    @case_blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int):
        """List the requests for specialist services on a case

        Every request, newest first: waiting, accepted, declined, withdrawn and ended.
        Audited with the ids returned.
        """
        _case, items = case_requests.list_for(current_user, case_id)
        return {"items": items}

    @requires(Perm.SERVICE_ASSIGN)
    @case_blp.arguments(ServiceRequestCreateSchema, unknown=RAISE)
    @case_blp.response(201, ServiceRequestSentSchema, headers={"Location": {"schema": {"type": "string"}}})
    @case_blp.alt_response(404, response="NOT_FOUND")
    @documents_language_check(case_blp)
    def post(self, body: dict, case_id: int):
        """Request a specialist service for a case

        `service` is an active service's code from the catalogue, `urgency` routine or
        urgent, `reason` why it is asked for (required), `needs` what the service needs
        to know. The answer is due within the configured working days
        (`answer_due_on`). Refused with a 422 on `state` before the MET group has
        reviewed the case, and on `service` when that service already has a waiting or
        accepted request on the case. When the request takes the service over its
        capacity it is sent all the same and `warning` says so.
        """
        save_anyway = body.pop("save_anyway")
        sent = requests.request(current_user, case_id, body, save_anyway=save_anyway)
        location = url_for("api_service_request_items.ServiceRequestItem", service_request_id=sent.request.id)
        return _Sent(sent.request, sent.warning), 201, {"Location": location}


@blp.route(f"/{REQUEST_ID}")
class ServiceRequestItem(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, ServiceRequestSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, service_request_id: int):
        """Read one request for a specialist service

        Reached through its case, or by a user of the service's own agency. 404
        otherwise. Audited.
        """
        return requests.get(current_user, service_request_id)


@blp.route(f"/{REQUEST_ID}/accept")
class ServiceRequestAccept(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.arguments(ServiceRequestAcceptSchema, unknown=RAISE)
    @blp.response(200, ServiceRequestSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, body: dict, service_request_id: int):
        """Accept a waiting request

        By a user of the service's agency (who joins the case team), or by the
        coordinator recording an acceptance given by phone or e-mail
        (`recorded_for_provider` true). The first accepted service moves the case to
        service_assigned. A request already answered: 422 on `status`. Anyone else: 403.
        """
        version = body.pop("version")
        return requests.accept(current_user, service_request_id, body, version)


@blp.route(f"/{REQUEST_ID}/decline")
class ServiceRequestDecline(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.arguments(ServiceRequestDeclineSchema, unknown=RAISE)
    @blp.response(200, ServiceRequestSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @documents_language_check(blp)
    def post(self, body: dict, service_request_id: int):
        """Decline a waiting request, with the reason

        Who: as for accept. `decline_reason` is required; the coordinator reads it. A
        request already answered: 422 on `status`.
        """
        version, save_anyway = body.pop("version"), body.pop("save_anyway")
        return requests.decline(current_user, service_request_id, body, version, save_anyway=save_anyway)


@blp.route(f"/{REQUEST_ID}/withdraw")
class ServiceRequestWithdraw(MethodView):
    @requires(Perm.SERVICE_ASSIGN)
    @blp.arguments(ServiceRequestWithdrawSchema, unknown=RAISE)
    @blp.response(200, ServiceRequestSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @documents_language_check(blp)
    def post(self, body: dict, service_request_id: int):
        """Withdraw a request nobody has answered

        The coordinator, with `withdrawn_reason`. A request already answered: 422 on
        `status`.
        """
        version, save_anyway = body.pop("version"), body.pop("save_anyway")
        return requests.withdraw(current_user, service_request_id, body, version, save_anyway=save_anyway)
