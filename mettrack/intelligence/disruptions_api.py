"""/api/v1/disruption-actions: disruption actions as the token owner may see them
(intelligence/access.py decides which). Reviewers record and change them. A protected
child whose case the owner may not see shows as “a child (no access)”, no case id."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import ApiBlueprint
from mettrack.core.permissions import Perm, requires
from mettrack.intelligence import disruptions
from mettrack.intelligence.disruption_schemas import (
    DisruptionCreateSchema,
    DisruptionListArgsSchema,
    DisruptionListSchema,
    DisruptionPatchSchema,
    DisruptionSchema,
)
from mettrack.language import documents_language_check

blp = ApiBlueprint(
    "api_disruptions", __name__, path="/disruption-actions", description="Intelligence: disruption actions"
)


def _dump(view: disruptions.DisruptionView) -> dict:
    return {
        "id": view.id,
        "kind": view.kind_code,
        "kind_name": view.kind_name,
        "has_expiry": view.has_expiry,
        "checks_cawn": view.checks_cawn,
        "person_id": view.person_id,
        "location_id": view.location_id,
        "owner_agency_id": view.owner_agency_id,
        "owner_user_id": view.owner_user_id,
        "status": view.status,
        "planned_on": view.planned_on,
        "starts_on": view.starts_on,
        "expires_on": view.expires_on,
        "ended_on": view.ended_on,
        "details": view.details,
        "cawn_section": view.cawn_section,
        "protected": [{"case_id": p.case_id, "name": p.name} for p in view.protected],
        "version": view.version,
    }


@blp.route("", strict_slashes=False)
class DisruptionActions(MethodView):
    @requires(Perm.INTEL_VIEW)
    @blp.arguments(DisruptionListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, DisruptionListSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args: dict):
        """List disruption actions

        The actions you may see (a reviewer every one; others those on a person or place
        within reach, or protecting a child whose case they may see), soonest expiry first;
        `person_id` or `location_id` narrow it. Audited with the ids returned.
        """
        views = disruptions.list_for(current_user, **args)
        return {"items": [_dump(v) for v in views]}

    @requires(Perm.INTEL_REVIEW)
    @blp.arguments(DisruptionCreateSchema, unknown=RAISE)
    @blp.response(201, DisruptionSchema)
    @documents_language_check(blp)
    def post(self, data: dict):
        """Record a disruption action

        Reviewers only (MET chairs and police users with a case role; 403 otherwise).
        Against a person, a location or both, of an offered `kind`. A bad field is a 422
        naming it, and nothing is saved. Audited as disruption.created.
        """
        save_anyway = data.pop("save_anyway")
        return _dump(disruptions.create(current_user, data, save_anyway=save_anyway).action)


@blp.route("/<int:action_id>")
class DisruptionActionItem(MethodView):
    @requires(Perm.INTEL_VIEW)
    @blp.response(200, DisruptionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, action_id: int):
        """Read a disruption action

        404 for one you may not see. Audited as disruption.viewed.
        """
        return _dump(disruptions.get_for(current_user, action_id))

    @requires(Perm.INTEL_REVIEW)
    @blp.arguments(DisruptionPatchSchema, unknown=RAISE)
    @blp.response(200, DisruptionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @documents_language_check(blp)
    def patch(self, data: dict, action_id: int):
        """Change a disruption action

        Reviewers only, with the `version` read (409 when it changed). Fields not sent
        keep their value; null clears one. Audited as disruption.updated with the fields
        changed.
        """
        save_anyway = data.pop("save_anyway")
        return _dump(disruptions.update(current_user, action_id, data, save_anyway=save_anyway).action)
