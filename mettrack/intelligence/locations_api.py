"""/api/v1/locations: places of concern as the token owner may see them
(intelligence/locations.py decides); reviewers create and change them."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import ApiBlueprint
from mettrack.core.permissions import Perm, requires
from mettrack.intelligence import locations
from mettrack.intelligence import subject_schemas as schemas
from mettrack.language import documents_language_check

blp = ApiBlueprint("api_locations", __name__, path="/locations", description="Places of concern")


@blp.route("", strict_slashes=False)
class Locations(MethodView):
    @requires(Perm.INTEL_VIEW)
    @blp.arguments(schemas.PagingQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, schemas.LocationPageSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args: dict):
        """List places of concern

        The places within your reach (every place for a reviewer), by name, a page at a
        time. Audited as location.listed with the ids returned.
        """
        found = locations.list_for(current_user, page=args["page"], per_page=args["per_page"])
        return {
            "items": [schemas.dump_location(r.record) for r in found.items],
            "page": found.page,
            "per_page": found.per_page,
            "total": found.total,
            "pages": found.pages,
        }

    @requires(Perm.INTEL_REVIEW)
    @blp.arguments(schemas.LocationCreateSchema, unknown=RAISE)
    @blp.response(201, schemas.LocationSchema)
    @documents_language_check(blp)
    def post(self, data: dict):
        """Add a place of concern

        Reviewers only. The postcode is normalised (po12ab is stored as PO1 2AB); a
        malformed one is a 422 naming `postcode`. Latitude and longitude come together.
        Audited as location.created.
        """
        save_anyway = data.pop("save_anyway")
        return schemas.dump_location(locations.create_location(current_user, data, save_anyway=save_anyway))


@blp.route("/<int:location_id>")
class LocationItem(MethodView):
    @requires(Perm.INTEL_VIEW)
    @blp.response(200, schemas.LocationSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, location_id: int):
        """Read a place, with what you may see of what is linked to it

        The intelligence linked to it under handling (reviewers read what was shared,
        others the sanitised text), the children whose record you may open (the rest as
        `hidden_cases`, a count), disruption actions and associated persons. 404 for a
        place outside your reach. Audited as location.viewed.
        """
        found = locations.location_page(current_user, location_id)
        return schemas.dump_location(found.location, found.linked)

    @requires(Perm.INTEL_REVIEW)
    @blp.arguments(schemas.LocationPatchSchema, unknown=RAISE)
    @blp.response(200, schemas.LocationSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @documents_language_check(blp)
    def patch(self, data: dict, location_id: int):
        """Change a place

        Reviewers only, with the `version` read (409 when it changed); only the fields
        sent change. Audited as location.updated naming the fields changed.
        """
        save_anyway = data.pop("save_anyway")
        changed = locations.update_location(current_user, location_id, data, save_anyway=save_anyway)
        return schemas.dump_location(changed)
