"""/api/v1/retention: the review list (administrators), legal holds (an administrator or
the MET chair) and the subject access export (the MET chair), as on the pages
(docs/retention.md). Deleting a case is on the pages only: it takes a person's two steps.
"""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE, Schema, fields

from mettrack.api.blueprint import CASE_ID, ApiBlueprint
from mettrack.api.schemas import UTCDateTime
from mettrack.core.permissions import Perm, requires
from mettrack.retention import review, subject_access

blp = ApiBlueprint("api_retention", __name__, path="/retention", description="Retention and subject access")


class DueSchema(Schema):
    record_type = fields.String(required=True, metadata={"description": "case or intelligence_item."})
    record_id = fields.Integer(required=True)
    review_on = fields.Date(required=True, metadata={"description": "When it became due for review."})
    rule = fields.String(required=True, metadata={"description": "The rule applied."})
    held = fields.Boolean(required=True, metadata={"description": "On legal hold: never deleted."})
    deletable = fields.Boolean(required=True, metadata={"description": "May be deleted on the pages."})


class DueListSchema(Schema):
    items = fields.List(fields.Nested(DueSchema), required=True)
    listed_at = UTCDateTime(allow_none=True, metadata={"description": "When the weekly list was made."})


class HoldRequestSchema(Schema):
    reason = fields.String(
        required=True, metadata={"description": "Why the case is kept; up to 2,000 characters."}
    )


class HoldSchema(Schema):
    case_id = fields.Integer(required=True)
    on_hold = fields.Boolean(required=True)
    set_at = UTCDateTime(allow_none=True)


class SubjectAccessSchema(Schema):
    exported_at = fields.String(required=True)
    partnership = fields.String(required=True)
    child = fields.Dict(required=True, metadata={"description": "The child's record."})
    cases = fields.List(fields.Dict(), required=True)
    records = fields.Dict(
        required=True, metadata={"description": "Each table's rows about the child's cases (or a count)."}
    )
    left_out = fields.List(
        fields.String(), required=True, metadata={"description": "What is left out, and why."}
    )


def _hold(case_id: int, hold) -> dict:
    return {"case_id": case_id, "on_hold": hold is not None, "set_at": hold.set_at if hold else None}


@blp.route("/due")
class DueForReview(MethodView):
    @requires(Perm.RETENTION_REVIEW)
    @blp.response(200, DueListSchema)
    def get(self):
        """Records due for review

        The list the weekly task made: ids, dates and rules only (administrators).
        """
        listed, made = review.review_list(current_user)
        return {"items": [d.__dict__ for d in listed], "listed_at": made}


@blp.route(f"/legal-holds/{CASE_ID}")
class LegalHolds(MethodView):
    @requires(Perm.LEGAL_HOLD)
    @blp.response(200, HoldSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int):
        """A case's legal hold"""
        return _hold(case_id, review.hold_of(current_user, case_id))

    @requires(Perm.LEGAL_HOLD)
    @blp.arguments(HoldRequestSchema, unknown=RAISE)
    @blp.response(200, HoldSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def put(self, data: dict, case_id: int):
        """Put a case on legal hold

        It is never offered for deletion while held. Audited as legal_hold.set (without the reason).
        """
        return _hold(case_id, review.set_hold(current_user, case_id, data["reason"]))

    @requires(Perm.LEGAL_HOLD)
    @blp.response(200, HoldSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, case_id: int):
        """Take a case off legal hold

        Audited as legal_hold.cleared.
        """
        review.clear_hold(current_user, case_id)
        return _hold(case_id, None)


@blp.route("/subject-access/<int:child_id>")
class SubjectAccess(MethodView):
    @requires(Perm.SUBJECT_ACCESS)
    @blp.response(200, SubjectAccessSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, child_id: int):
        """Everything held about one child

        For a subject access request (the MET chair): third parties' information is left
        out (see left_out). Audited as subject_access.exported.
        """
        return subject_access.export(current_user, child_id, "json")
