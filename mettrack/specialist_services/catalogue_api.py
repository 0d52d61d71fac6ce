"""/api/v1/services: the specialist service catalogue, each service with its load.

Reading: any case role. Adding and changing a service: administrators (reference.admin),
the same use cases as the admin pages (specialist_services/catalogue.py): 403 for another
role, 422 naming each bad field. docs/services-catalogue.md.
"""

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import ApiBlueprint
from mettrack.core.permissions import Perm, requires
from mettrack.specialist_services import catalogue
from mettrack.specialist_services.catalogue_schemas import (
    ServiceCreateSchema,
    ServiceListSchema,
    ServicePatchSchema,
    ServiceSchema,
)

blp = ApiBlueprint("api_services", __name__, path="/services", description="The specialist service catalogue")


@blp.route("", strict_slashes=False)
class Services(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, ServiceListSchema)
    def get(self):
        """List the specialist services offered

        Every active service in the catalogue's order: its provider agency, what it offers,
        the exploitation types and ages it takes, its contact and capacity, how many
        children it works with now (`load`) and how many requests wait for its answer
        (`waiting`). Audited with the ids returned.
        """
        return {"items": catalogue.views_for(current_user)}

    @requires(Perm.REFERENCE_DATA_ADMIN)
    @blp.arguments(ServiceCreateSchema, unknown=RAISE)
    @blp.response(201, ServiceSchema, headers={"Location": {"schema": {"type": "string"}}})
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, body: dict):
        """Add a specialist service

        Administrators. `code` is unique and never changes; `agency_id` is the provider.
        Audited as specialist_service.added.
        """
        service = catalogue.add_service(current_user, body)
        location = url_for("api_services.ServiceItem", service_id=service.id)
        return catalogue.view_of(service), 201, {"Location": location}


@blp.route("/<int:service_id>")
class ServiceItem(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, ServiceSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, service_id: int):
        """Read one specialist service

        Deactivated services too (requests made before name them). Audited.
        """
        return catalogue.view_for(current_user, service_id)

    @requires(Perm.REFERENCE_DATA_ADMIN)
    @blp.arguments(ServicePatchSchema, unknown=RAISE)
    @blp.response(200, ServiceSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def patch(self, body: dict, service_id: int):
        """Change a specialist service

        Administrators. Fields not sent keep their value; null clears an optional one. The
        code never changes. `active` false deactivates the service (no longer offered on
        new requests; those made keep it), true offers it again. Audited as
        specialist_service.updated with the fields changed (and .deactivated or
        .reactivated).
        """
        service = catalogue.change_service(current_user, service_id, body)
        return catalogue.view_of(service)
