"""/api/v1/children: a child is visible through any case of theirs the token owner may
see, and a child with no case yet to whoever recorded them."""

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import ApiBlueprint
from mettrack.children import records as children_service
from mettrack.children.schemas import ChildCreateSchema, ChildPatchSchema, ChildRecordSchema
from mettrack.core.permissions import Perm, requires

blp = ApiBlueprint("api_children", __name__, path="/children", description="Children")

CHILD_ID = "<int:child_id>"


def _input(fields: dict) -> children_service.ChildInput:
    return children_service.ChildInput(
        **{k: v for k, v in fields.items() if k in children_service.RECORD_FIELDS}
    )


@blp.route("", strict_slashes=False)
class Children(MethodView):
    @requires(Perm.CHILD_CREATE)
    @blp.arguments(ChildCreateSchema, unknown=RAISE)
    @blp.response(201, ChildRecordSchema, headers={"Location": {"schema": {"type": "string"}}})
    @blp.alt_response(409, response="CONFLICT", description="Likely duplicates: see `matches` and `hints`.")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, data: dict):
        """Record a child

        Records the child's details; a screening opens a case. A likely duplicate is never
        created silently: while likely matches exist, the answer is 409 with `matches`
        (children you may see) and `hints` (for children you may not see, only the
        `lead_agency`, null when none is recorded, and the `contact_agency` to ask: the
        lead agency, else the agency that opened the case or recorded the child), unless
        `confirmed_no_match` is true. Each hint is written to the audit log.
        """
        child = children_service.create_child(
            current_user, _input(data), confirmed_no_match=data.get("confirmed_no_match", False)
        )
        return child, 201, {"Location": url_for("api_children.ChildItem", child_id=child.id)}


@blp.route(f"/{CHILD_ID}")
class ChildItem(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, ChildRecordSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(428, response="PRECONDITION_REQUIRED")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, child_id: int):
        """Read a child

        The child's record with its `version` (send it back with a PATCH). 404 when the
        child does not exist or is outside your need-to-know. Each read, and each
        refused read, is written to the audit log. A user of a police agency sends the
        `X-Access-Reason` header, as for GET /cases/{case_id}, for one of the child's cases.
        """
        return children_service.get_for(current_user, child_id, ask_reason=True)

    @requires(Perm.CHILD_EDIT)
    @blp.arguments(ChildPatchSchema, unknown=RAISE)
    @blp.response(200, ChildRecordSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def patch(self, data: dict, child_id: int):
        """Change a child's record

        Send `version` as you read it and only the fields to change. 409 when someone
        else has changed the record since: nothing is saved.
        """
        version = data.pop("version")
        return children_service.update_child(current_user, child_id, data, version)
