"""/api/v1/meetings/{meeting_id}/agenda/draft: a meeting's draft agenda, for MET chairs.

The issued agenda (/api/v1/meetings/{id}/agenda) is another resource: members read it.
"""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE, Schema, fields, validates_schema
from marshmallow import ValidationError as SchemaError
from marshmallow.validate import Length, OneOf, Range

from mettrack.api.blueprint import ApiBlueprint
from mettrack.api.schemas import UTCDateTime
from mettrack.core.choices import AgendaSection
from mettrack.core.permissions import Perm, requires
from mettrack.meetings import agenda as agenda_cases
from mettrack.meetings import agenda_rules as rules

blp = ApiBlueprint(
    "api_meeting_agenda_draft", __name__, path="/meetings", description="Draft agendas of MET meetings"
)

CARD_DESCRIPTION = (
    "What the meeting needs to know of the child (meetings/cards.py; docs/meetings-agenda.md): "
    "case_id, name, age, date_of_birth, address, school, nhs_number, state, exploitation_types, flags, "
    "risk_level, risk_level_label, suggested_risk_level, latest_assessment_on, lead_professional, "
    "lead_agency, police_tier(_label), police_team(_label), services, missing_now, open_missing_episode, "
    "rhi_status, rhi_overdue, repeat_missing, nrm_status, linked_children, places, persons, disruptions, "
    "open_actions (with their history), open_action_count, next_review_on, lead_update. Dates are ISO 8601."
)


class ReasonSchema(Schema):
    section = fields.String(required=True, metadata={"description": "The section this reason belongs to."})
    text = fields.String(required=True, metadata={"example": "referred on 12 March"})


class DraftItemSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    section = fields.String(required=True)
    section_label = fields.String(required=True)
    reasons = fields.List(
        fields.Nested(ReasonSchema),
        required=True,
        metadata={"description": "Why the child is on the agenda: the item's section's reason first."},
    )
    position = fields.Integer(required=True, metadata={"description": "Within the section, 0 first."})
    added_by_chair = fields.Boolean(required=True)
    moved_by_chair = fields.Boolean(required=True)
    from_data = fields.Boolean(
        required=True, metadata={"description": "False when only the chair's choice keeps it on the agenda."}
    )
    removed = fields.Boolean(required=True)
    removed_reason = fields.String(required=True, allow_none=True)
    removed_at = UTCDateTime(required=True, allow_none=True)
    card = fields.Dict(required=True, metadata={"description": CARD_DESCRIPTION})


class DraftSectionSchema(Schema):
    section = fields.String(required=True, attribute="value")
    label = fields.String(required=True)
    items = fields.List(fields.Nested(DraftItemSchema), required=True)


class DraftAgendaSchema(Schema):
    meeting_id = fields.Function(lambda d: d.meeting.id, required=True)
    previous_meeting_id = fields.Function(
        lambda d: d.previous_meeting.id if d.previous_meeting else None,
        required=True,
        allow_none=True,
        metadata={"description": "The meeting new information is counted from; null when there is none."},
    )
    since = UTCDateTime(required=True)
    built_at = UTCDateTime(required=True, allow_none=True, metadata={"description": "Null: not built yet."})
    sections = fields.List(
        fields.Nested(DraftSectionSchema),
        required=True,
        metadata={"description": "The sections that hold items, in agenda order."},
    )
    removed = fields.List(
        fields.Nested(DraftItemSchema),
        required=True,
        metadata={"description": "Items the chair took off the agenda (a rebuild keeps them off)."},
    )


@blp.route("/<int:meeting_id>/agenda/draft")
class DraftAgenda(MethodView):
    @requires(Perm.MEETING_MANAGE)
    @blp.response(200, DraftAgendaSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, meeting_id: int):
        """Read a meeting's draft agenda

        MET chairs only. The draft as last built, section by section, each item with why
        it is there and the child's card. Not contract yet: fields may still be added.
        Audited as agenda.viewed with the meeting as the reason.
        """
        return agenda_cases.draft_for(current_user, meeting_id)

    @requires(Perm.MEETING_MANAGE)
    @blp.response(200, DraftAgendaSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, meeting_id: int):
        """Build or rebuild a meeting's draft agenda

        MET chairs only. Builds the draft from the data as of now: new referrals since
        the previous meeting, high-risk cases, reviews due by the meeting date, missing
        episodes, risk assessments and intelligence since the previous meeting, closure
        proposals and open actions from earlier meetings. A child appears once, in the
        first section that applies, with the other reasons listed. The chair's changes
        made on the pages (added, removed, moved) are kept. 409 for a cancelled meeting.
        Audited as agenda.built.
        """
        return agenda_cases.build(current_user, meeting_id)


# --- the chair's edits ------------------------------------------------------------------------


class EditedItemSchema(Schema):
    """An item as the draft agenda's GET gives it, without the child's card (GET the
    draft agenda for the cards: a read of them is audited as agenda.viewed)."""

    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    section = fields.String(required=True)
    section_label = fields.Function(lambda i: AgendaSection(i.section).label, required=True)
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)
    position = fields.Integer(required=True, metadata={"description": "Within the section, 0 first."})
    added_by_chair = fields.Boolean(required=True)
    moved_by_chair = fields.Boolean(required=True)
    from_data = fields.Boolean(required=True)
    removed = fields.Boolean(required=True, attribute="is_removed")
    removed_reason = fields.String(required=True, allow_none=True)
    removed_at = UTCDateTime(required=True, allow_none=True)


class AddCaseSchema(Schema):
    case_id = fields.Integer(
        strict=True, required=True, validate=Range(min=1, max=2_147_483_647), metadata={"example": 42}
    )


class RemoveItemSchema(Schema):
    reason = fields.String(
        required=True,
        validate=Length(min=1, max=rules.MAX_REMOVE_REASON),
        metadata={"example": "Discussed at the strategy meeting"},
    )


class RestoreItemSchema(Schema):
    pass


class MoveItemSchema(Schema):
    direction = fields.String(validate=OneOf(["up", "down"]), metadata={"description": "up or down"})
    position = fields.Integer(
        strict=True, validate=Range(min=1, max=10_000), metadata={"description": "1 is first in the section."}
    )

    @validates_schema
    def _one_of_them(self, data, **_kwargs):
        if ("direction" in data) == ("position" in data):
            raise SchemaError("Give either direction (up or down) or position, not both", "direction")


ITEM = "/<int:meeting_id>/agenda/draft/items"


@blp.route(ITEM)
class DraftItems(MethodView):
    @requires(Perm.MEETING_MANAGE)
    @blp.arguments(AddCaseSchema, unknown=RAISE)
    @blp.response(201, EditedItemSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict, meeting_id: int):
        """Put a case on the draft agenda

        MET chairs only. A case within your reach goes in the first section its data puts
        it in, else "Added by the chair"; a removed item for it is restored. 404 for a
        case out of reach; 422 naming `case_id` when it is already on the agenda; 409 for
        a cancelled meeting. Returns the item. Audited as agenda.item_added.
        """
        return agenda_cases.add_case(current_user, meeting_id, data["case_id"])


@blp.route(ITEM + "/<int:item_id>/remove")
class DraftItemRemove(MethodView):
    @requires(Perm.MEETING_MANAGE)
    @blp.arguments(RemoveItemSchema, unknown=RAISE)
    @blp.response(200, EditedItemSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict, item_id: int, meeting_id: int):
        """Take an item off the draft agenda

        MET chairs only, with a `reason` (required); a rebuild keeps it off. 404 for an
        item not on this meeting; 422 naming `item` when it is already off. Returns the
        item. Audited as agenda.item_removed (the reason is not logged).
        """
        return agenda_cases.remove_item(current_user, meeting_id, item_id, data["reason"])


@blp.route(ITEM + "/<int:item_id>/restore")
class DraftItemRestore(MethodView):
    @requires(Perm.MEETING_MANAGE)
    @blp.arguments(RestoreItemSchema, unknown=RAISE)
    @blp.response(200, EditedItemSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, _data: dict, item_id: int, meeting_id: int):
        """Put a removed item back on the draft agenda

        MET chairs only; the body is empty ({}). 422 naming `item` when it is on the
        agenda. Returns the item. Audited as agenda.item_restored.
        """
        return agenda_cases.restore_item(current_user, meeting_id, item_id)


@blp.route(ITEM + "/<int:item_id>/move")
class DraftItemMove(MethodView):
    @requires(Perm.MEETING_MANAGE)
    @blp.arguments(MoveItemSchema, unknown=RAISE)
    @blp.response(200, EditedItemSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict, item_id: int, meeting_id: int):
        """Move an item within its section

        MET chairs only: `direction` "up" or "down" (one place), or `position` (1 is
        first), not both. A rebuild keeps it there. 422 naming `item` for a removed item.
        Returns the item. Audited as agenda.item_moved.
        """
        return agenda_cases.move_item(
            current_user, meeting_id, item_id, direction=data.get("direction"), position=data.get("position")
        )
