"""/api/v1/cases/{case_id}/service-assignments: the specialist services on a case.

The same service as the pages (mettrack/specialist_services/assignments.py): recording the
first service on a case whose police tier is set is the workflow's assign_service move
(the case moves to service_assigned); a case already there takes further services
without a move. 403 when your role may not record services (the coordinator does), 404
outside your need-to-know, 409 when the case changed since the version you send, 422
naming the field (or `state`) otherwise; nothing is changed then.
"""

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import CASE_ID, ApiBlueprint
from mettrack.core.permissions import Perm, requires
from mettrack.language import documents_language_check
from mettrack.specialist_services import assignments as service_assignments
from mettrack.specialist_services.schemas import (
    ServiceAssignmentCreateSchema,
    ServiceAssignmentEndSchema,
    ServiceAssignmentListSchema,
    ServiceAssignmentRecordedSchema,
    ServiceAssignmentSchema,
)

blp = ApiBlueprint(
    "api_service_assignments", __name__, path="/cases", description="Specialist services on a case"
)

ASSIGNMENT_ID = "<int:service_assignment_id>"
# What a service assignment shows (ServiceAssignmentSchema): an accepted request's fields.
SHOWN = (
    "id",
    "case_id",
    "service_code",
    "worker",
    "accepted_on",
    "ended_on",
    "note",
    "status",
    "outcome",
    "recorded_by_id",
    "recorded_at",
)


@blp.route(f"/{CASE_ID}/service-assignments")
class ServiceAssignments(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, ServiceAssignmentListSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int):
        """List a case's specialist services

        Current services first. Audited with the ids returned.
        """
        _case, items = service_assignments.list_for(current_user, case_id)
        return {"items": items}

    @requires(Perm.SERVICE_ASSIGN)
    @blp.arguments(ServiceAssignmentCreateSchema, unknown=RAISE)
    @blp.response(201, ServiceAssignmentRecordedSchema, headers={"Location": {"schema": {"type": "string"}}})
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, body: dict, case_id: int):
        """Record a specialist service that accepted the case

        `service` is a specialist service's code from the reference list, `accepted_on`
        the date it accepted the case (not in the future), `version` the case version
        you last read. On a case in met_review or police_tiered this is the
        assign_service move: the case moves to service_assigned (`case_moved` true). On
        a case in service_assigned it adds the service. Any other state: 422 on `state`.
        """
        version = body.pop("version")
        recorded = service_assignments.record(current_user, case_id, body, version)
        assignment, case = recorded.assignment, recorded.case
        data = {name: getattr(assignment, name) for name in SHOWN}
        data |= {"case_moved": recorded.moved, "case_state": case.state, "case_version": case.version}
        location = url_for(
            "api_service_assignments.ServiceAssignmentItem",
            case_id=case_id,
            service_assignment_id=assignment.id,
        )
        return data, 201, {"Location": location}


@blp.route(f"/{CASE_ID}/service-assignments/{ASSIGNMENT_ID}")
class ServiceAssignmentItem(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, ServiceAssignmentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int, service_assignment_id: int):
        """Read one specialist service of a case

        404 when the case or the service is not one you may see. Audited.
        """
        _case, assignment = service_assignments.get_for(current_user, case_id, service_assignment_id)
        return assignment

    @requires(Perm.SERVICE_ASSIGN)
    @blp.arguments(ServiceAssignmentEndSchema, unknown=RAISE)
    @blp.response(200, ServiceAssignmentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @documents_language_check(blp)
    def patch(self, body: dict, case_id: int, service_assignment_id: int):
        """Record that a service's work ended

        `ended_on`: not in the future and not before the service accepted the case;
        `note`: optional, checked for wording that blames the child (see the 422
        answer). The case does not move. A service already ended is a 422.
        """
        save_anyway = body.pop("save_anyway")
        return service_assignments.end(
            current_user, case_id, service_assignment_id, body, save_anyway=save_anyway
        )
