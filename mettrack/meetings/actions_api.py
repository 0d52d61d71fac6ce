"""/api/v1/actions: actions agreed at MET meetings, as the token owner may see them
(meetings/actions.py decides which). An action on a case whose record the owner may not
see carries `case_id: null` and `case_hidden: true`: the action, never the case."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE, Schema, fields
from marshmallow.validate import Length, OneOf, Range

from mettrack.api.blueprint import ApiBlueprint
from mettrack.api.schemas import UTCDateTime, listed, save_anyway_field
from mettrack.core.choices import ActionNotDoneReason, ActionStatus
from mettrack.core.permissions import Perm, requires
from mettrack.language import documents_language_check
from mettrack.meetings import actions

blp = ApiBlueprint("api_actions", __name__, path="/actions", description="Meeting actions")

ACTION_ID = "<int:action_id>"


class MeetingRefSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    starts_at = UTCDateTime(required=True)


class HistoryLineSchema(Schema):
    kind = fields.String(
        required=True, metadata={"description": "raised, carried_forward, note, done, not_done."}
    )
    meeting = fields.Nested(MeetingRefSchema, required=True, allow_none=True)
    actor_name = fields.String(required=True, allow_none=True)
    note = fields.String(required=True, allow_none=True)
    occurred_at = UTCDateTime(required=True)


class ActionSchema(Schema):
    id = fields.Integer(required=True)
    description = fields.String(required=True)
    owner_id = fields.Integer(required=True)
    owner_name = fields.String(required=True)
    agency_id = fields.Integer(required=True, allow_none=True)
    due_on = fields.Date(required=True)
    status = fields.String(required=True, metadata={"description": listed(ActionStatus)})
    overdue = fields.Boolean(required=True)
    not_done_reason = fields.String(
        required=True, allow_none=True, metadata={"description": listed(ActionNotDoneReason)}
    )
    outcome_note = fields.String(required=True, allow_none=True)
    closed_at = UTCDateTime(required=True, allow_none=True)
    meeting_id = fields.Integer(required=True, metadata={"description": "The meeting it was raised at."})
    case_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Null when you may not see the case's record (case_hidden)."},
    )
    case_hidden = fields.Boolean(required=True)
    version = fields.Integer(
        strict=True,
        required=True,
        metadata={"description": "Send it with the next change (a stale one gets 409)."},
    )
    history = fields.List(fields.Nested(HistoryLineSchema))


class ActionPageSchema(Schema):
    items = fields.List(fields.Nested(ActionSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class ActionListQuerySchema(Schema):
    owner = fields.String(metadata={"description": "A user id, `me`, or `any` (the default)."})
    agency = fields.String(metadata={"description": "An agency id."})
    status = fields.List(fields.String(), metadata={"description": f"Any of: {listed(ActionStatus)}."})
    due_before = fields.String(metadata={"description": "Due on or before this date (YYYY-MM-DD)."})
    overdue = fields.String(metadata={"description": "true: open and due before today (UK)."})
    meeting = fields.String(metadata={"description": "Raised at, or carried forward to, this meeting id."})
    case = fields.String(metadata={"description": "A case id (only cases whose record you may see)."})
    page = fields.Integer(load_default=1, validate=Range(min=1, max=actions.MAX_PAGE))
    per_page = fields.Integer(
        load_default=actions.DEFAULT_PER_PAGE, validate=Range(min=1, max=actions.MAX_PER_PAGE)
    )


class _Change(Schema):
    version = fields.Integer(strict=True, required=True)
    save_anyway = save_anyway_field()


class ActionDoneSchema(_Change):
    note = fields.String(
        load_default=None,
        allow_none=True,
        validate=Length(max=actions.MAX_NOTE),
        metadata={"description": "What was done."},
    )


class ActionNotDoneSchema(_Change):
    reason = fields.String(required=True, validate=OneOf(ActionNotDoneReason.values()))
    note = fields.String(
        load_default=None,
        allow_none=True,
        validate=Length(max=actions.MAX_NOTE),
        metadata={"description": "Why; required when the reason is `other`."},
    )


class ActionNoteSchema(_Change):
    note = fields.String(required=True, validate=Length(min=1, max=actions.MAX_NOTE))


def _dump(view: actions.ActionView, *, history: bool = False) -> dict:
    out = {
        "id": view.id,
        "description": view.description,
        "owner_id": view.owner_id,
        "owner_name": view.owner_name,
        "agency_id": view.agency_id,
        "due_on": view.due_on,
        "status": view.status,
        "overdue": view.overdue,
        "not_done_reason": view.not_done_reason,
        "outcome_note": view.outcome_note,
        "closed_at": view.closed_at,
        "meeting_id": view.raised_at.id,
        "case_id": view.case.id if view.case else None,
        "case_hidden": view.case_hidden,
        "version": view.version,
    }
    if history:
        out["history"] = [
            {
                "kind": line.kind,
                "meeting": (
                    {"id": line.meeting.id, "title": line.meeting.title, "starts_at": line.meeting.starts_at}
                    if line.meeting
                    else None
                ),
                "actor_name": line.actor_name,
                "note": line.note,
                "occurred_at": line.occurred_at,
            }
            for line in view.history
        ]
    return out


@blp.route("", strict_slashes=False)
class Actions(MethodView):
    @requires(Perm.MEETING_VIEW)
    @blp.arguments(ActionListQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, ActionPageSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args: dict):
        """List actions

        The actions you may see (yours, and those of the meetings you are a member of; a
        MET chair every action), soonest due first, a page at a time. Filters: `owner`,
        `agency`, `status` (repeat for any of several), `due_before`, `overdue`, `meeting`,
        `case`. A bad value is a 422 naming the parameter. Audited with the ids returned.
        """
        page, per_page = args.pop("page"), args.pop("per_page")
        filters = actions.filters_from(args, current_user)
        found = actions.list_for(current_user, filters, page=page, per_page=per_page)
        return {
            "items": [_dump(v) for v in found.items],
            "page": found.page,
            "per_page": found.per_page,
            "total": found.total,
            "pages": found.pages,
        }


@blp.route(f"/{ACTION_ID}")
class ActionItem(MethodView):
    @requires(Perm.MEETING_VIEW)
    @blp.response(200, ActionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, action_id: int):
        """Read an action, with its history

        Raised at a meeting, carried forward to later ones, updates, done or not done.
        404 for an action you may not see. Audited.
        """
        return _dump(actions.get_for(current_user, action_id), history=True)


def _changed(change, action_id: int, data: dict) -> dict:
    save_anyway = data.pop("save_anyway")
    return _dump(change(current_user, action_id, data, save_anyway=save_anyway), history=True)


@blp.route(f"/{ACTION_ID}/done")
class ActionDone(MethodView):
    @requires(Perm.ACTION_UPDATE)
    @blp.arguments(ActionDoneSchema, unknown=RAISE)
    @blp.response(200, ActionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @documents_language_check(blp)
    def post(self, data: dict, action_id: int):
        """Mark an action done

        The owner or a MET chair (403 otherwise), with the `version` read (409 when it
        changed) and an optional `note` (language-checked). Audited as action.done.
        """
        return _changed(actions.mark_done, action_id, data)


@blp.route(f"/{ACTION_ID}/not-done")
class ActionNotDone(MethodView):
    @requires(Perm.ACTION_UPDATE)
    @blp.arguments(ActionNotDoneSchema, unknown=RAISE)
    @blp.response(200, ActionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @documents_language_check(blp)
    def post(self, data: dict, action_id: int):
        """Mark an action not done

        The owner or a MET chair, with the `reason` (circumstances_changed,
        agency_could_not_act, other) and a `note` saying why (required for other).
        Audited as action.not_done.
        """
        return _changed(actions.mark_not_done, action_id, data)


@blp.route(f"/{ACTION_ID}/notes")
class ActionNotes(MethodView):
    @requires(Perm.ACTION_UPDATE)
    @blp.arguments(ActionNoteSchema, unknown=RAISE)
    @blp.response(200, ActionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @documents_language_check(blp)
    def post(self, data: dict, action_id: int):
        """Add an update to an action

        The owner or a MET chair; the note is language-checked. Audited as action.noted.
        """
        return _changed(actions.add_note, action_id, data)
