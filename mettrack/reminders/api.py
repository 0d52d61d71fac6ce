"""/api/v1/notifications: the token holder's own reminders, as the notification list in
the app shows them (mettrack/reminders/notifications.py, the same service).

Every role has notifications. Each item says what is due and the case's number, never
the child: GET /cases/{id} reads the case, with its own need-to-know. Someone else's
notification answers 404.
"""

from flask import current_app
from flask.views import MethodView
from flask_login import current_user
from marshmallow import Schema, fields, validate

from mettrack.api.blueprint import ApiBlueprint
from mettrack.api.schemas import UTCDateTime
from mettrack.core.permissions import Perm, requires
from mettrack.reminders import notifications

blp = ApiBlueprint("api_notifications", __name__, path="/notifications", description="Notifications")


class NotificationSchema(Schema):
    id = fields.Integer(required=True)
    kind_label = fields.String(required=True, metadata={"description": "What kind of reminder, in words."})
    text = fields.String(required=True, metadata={"description": "What is due; it names no child."})
    case_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Null for a reminder about a meeting."}
    )
    due_at = UTCDateTime(required=True)
    created_at = UTCDateTime(required=True)
    read = fields.Boolean(required=True)


class NotificationPageSchema(Schema):
    items = fields.List(
        fields.Nested(NotificationSchema), required=True, metadata={"description": "Newest first."}
    )
    total = fields.Integer(required=True)
    unread = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class PageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=notifications.MAX_PAGE))


class OpenedSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True, allow_none=True)
    read = fields.Boolean(required=True)


@blp.route("")
class Notifications(MethodView):
    @requires(Perm.SIGNED_IN)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, NotificationPageSchema)
    def get(self, args):
        """Your notifications

        The reminders made for you (MET reviews, Return Home Interviews), newest first,
        read or not, with your unread count."""
        return notifications.list_for(
            current_user, page=args["page"], per_page=current_app.config["PAGE_SIZE"]
        )


@blp.route("/<int:reminder_id>/read")
class NotificationRead(MethodView):
    @requires(Perm.SIGNED_IN)
    @blp.response(200, OpenedSchema)
    def post(self, reminder_id: int):
        """Mark one as read

        Marks your notification read and names its case. 404 for one that is not yours."""
        where = notifications.open_notification(current_user, reminder_id)
        return {"id": reminder_id, "case_id": where.case_id, "read": True}
