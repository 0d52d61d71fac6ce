"""/api/v1/meetings/{id}/minutes: a meeting's minutes, recording an item's minutes,
applying the decisions and approving (docs/meetings-minutes.md)."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE, Schema, fields
from marshmallow.validate import Length, OneOf

from mettrack.api.blueprint import ApiBlueprint
from mettrack.api.schemas import UTCDateTime, save_anyway_field
from mettrack.core.choices import RiskLevel
from mettrack.core.permissions import Perm, can, requires
from mettrack.language import documents_language_check
from mettrack.meetings import minutes as service

blp = ApiBlueprint("api_meeting_minutes", __name__, path="/meetings", description="MET meeting minutes")

MEETING_ID = "<int:meeting_id>"


class MinutesVersionSchema(Schema):
    number = fields.Integer(required=True)
    approved_at = UTCDateTime(required=True)
    approved_by_id = fields.Integer(required=True)
    correction_reason = fields.String(
        required=True, allow_none=True, metadata={"description": "Why this version corrects the one before."}
    )
    content = fields.Dict(
        required=True,
        metadata={
            "description": "The minutes as approved, frozen: meeting, attendance (people, quorum), "
            "decisions_applied_at, and items [{case_id, heading, section, reasons, discussion, "
            "decisions, actions}]."
        },
    )


class MinutesSchema(Schema):
    meeting_id = fields.Integer(required=True)
    approved = fields.Nested(
        MinutesVersionSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The latest approved version; null before approval."},
    )
    versions = fields.List(
        fields.Integer(), required=True, metadata={"description": "Every version's number."}
    )
    draft = fields.Dict(
        required=True,
        allow_none=True,
        metadata={"description": "MET chairs only: the working minutes as approving would freeze them."},
    )


class ActionInSchema(Schema):
    description = fields.String(required=True, validate=Length(max=service.MAX_ACTION))
    owner_id = fields.Integer(required=True)
    agency_id = fields.Integer(allow_none=True, metadata={"description": "Default: the owner's agency."})
    due_on = fields.Date(required=True)


class ItemMinuteInSchema(Schema):
    discussion = fields.String(allow_none=True, validate=Length(max=service.MAX_DISCUSSION))
    risk_level = fields.String(allow_none=True, validate=OneOf(RiskLevel.values()))
    police_tier = fields.String(
        allow_none=True, metadata={"description": "A police tier code (reference data)."}
    )
    police_team = fields.String(allow_none=True, metadata={"description": "A holding team of that tier."})
    services_requested = fields.List(
        fields.String(), load_default=list, metadata={"description": "Specialist service codes to request."}
    )
    send_back_to_review = fields.Boolean(load_default=False)
    close = fields.Boolean(load_default=False)
    exit_reason = fields.String(allow_none=True, metadata={"description": "An exit reason code, with close."})
    closure_note = fields.String(allow_none=True, validate=Length(max=service.MAX_CLOSURE_NOTE))
    next_review_on = fields.Date(
        allow_none=True,
        metadata={"description": "Default: the risk level's review cadence from the meeting."},
    )
    actions = fields.List(
        fields.Nested(ActionInSchema), load_default=list, metadata={"description": "New actions."}
    )
    save_anyway = save_anyway_field()


class ItemMinuteSchema(Schema):
    id = fields.Integer(required=True)
    meeting_id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    discussion = fields.String(required=True, allow_none=True)
    risk_level = fields.String(required=True, allow_none=True)
    police_tier = fields.String(required=True, allow_none=True)
    police_team = fields.String(required=True, allow_none=True)
    services_requested = fields.List(fields.String(), required=True)
    send_back_to_review = fields.Boolean(required=True)
    close = fields.Boolean(required=True)
    exit_reason = fields.String(required=True, allow_none=True)
    closure_note = fields.String(required=True, allow_none=True)
    next_review_on = fields.Date(required=True, allow_none=True)
    applied_at = UTCDateTime(required=True, allow_none=True)


class AppliedSchema(Schema):
    meeting_id = fields.Integer(required=True)
    decisions_applied_at = UTCDateTime(required=True)
    case_ids = fields.List(fields.Integer(), required=True, metadata={"description": "The cases changed."})


class ApproveInSchema(Schema):
    correction_reason = fields.String(
        allow_none=True,
        validate=Length(max=service.MAX_CORRECTION),
        metadata={"description": "Required for every version after the first."},
    )
    save_anyway = save_anyway_field()


def _version(v) -> dict | None:
    if v is None:
        return None
    return {
        "number": v.number,
        "approved_at": v.approved_at,
        "approved_by_id": v.approved_by_id,
        "correction_reason": v.correction_reason,
        "content": v.content,
    }


@blp.route(f"/{MEETING_ID}/minutes")
class Minutes(MethodView):
    @requires(Perm.MEETING_VIEW)
    @blp.response(200, MinutesSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, meeting_id: int):
        """A meeting's minutes

        Members of the meeting get the latest approved version (null before approval);
        a MET chair also gets the working draft. Audited as minutes.viewed with the
        meeting as the reason.
        """
        read = service.read_minutes(
            current_user, meeting_id, with_draft=can(current_user, Perm.MEETING_MANAGE)
        )
        return {
            "meeting_id": read.meeting.id,
            "approved": _version(read.latest),
            "versions": read.numbers,
            "draft": read.draft,
        }


@blp.route(f"/{MEETING_ID}/minutes/items/<int:case_id>")
class ItemMinutes(MethodView):
    @requires(Perm.MEETING_MANAGE)
    @blp.arguments(ItemMinuteInSchema, unknown=RAISE)
    @blp.response(200, ItemMinuteSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @documents_language_check(blp)
    def post(self, data: dict, meeting_id: int, case_id: int):
        """Record an agenda item's minutes

        The discussion and the decisions (a field left empty decides nothing): risk level,
        police tier with its holding team, specialist services to request, send back to
        review, close with an exit reason, next review date (default: the risk level's
        cadence counted from the meeting). `actions` are new actions, saved at once.
        Recording again replaces the discussion and decisions. The discussion and the
        actions' texts are checked for wording that blames the child (see the 422
        answer). MET chairs only. Audited as minutes.item_recorded.
        """
        save_anyway = data.pop("save_anyway")
        return service.record_item(current_user, meeting_id, case_id, data, save_anyway=save_anyway)


@blp.route(f"/{MEETING_ID}/minutes/apply")
class ApplyDecisions(MethodView):
    @requires(Perm.MEETING_MANAGE)
    @blp.response(200, AppliedSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT", description="The decisions were applied before.")
    def post(self, meeting_id: int):
        """Apply the meeting's decisions to the cases

        Every case moves through the workflow in one transaction, with the meeting named
        on each timeline. If any decision is refused, nothing is applied: the 422 problem
        lists each refusal in `refusals` ({case_id, item, decision, messages}).
        MET chairs only. Audited as minutes.applied.
        """
        applied = service.apply_decisions(current_user, meeting_id)
        return {
            "meeting_id": applied.meeting.id,
            "decisions_applied_at": applied.meeting.decisions_applied_at,
            "case_ids": applied.case_ids,
        }


@blp.route(f"/{MEETING_ID}/minutes/approve")
class ApproveMinutes(MethodView):
    @requires(Perm.MEETING_MANAGE)
    @blp.arguments(ApproveInSchema, unknown=RAISE)
    @blp.response(201, MinutesVersionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @documents_language_check(blp)
    def post(self, data: dict, meeting_id: int):
        """Approve the minutes (or a correction)

        Freezes the minutes as the next version. Every version after the first is a
        correction and needs `correction_reason`. Refused while recorded decisions are
        not applied. MET chairs only. Audited as minutes.approved.
        """
        version = service.approve(
            current_user,
            meeting_id,
            correction_reason=data.get("correction_reason"),
            save_anyway=data["save_anyway"],
        )
        return _version(version)
