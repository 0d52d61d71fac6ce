"""/api/v1/role-grants: the role grants waiting for a MET chair's approval, and the
decision (accounts/role_grants.py; docs/security.md, "Separation of duties"). MET chairs
only; a chair cannot decide a grant they asked for or one given to them (403).
"""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import Schema, fields

from mettrack.accounts import role_grants as service
from mettrack.accounts.rules import INTELLIGENCE_REVIEWER, GrantState
from mettrack.api.blueprint import ApiBlueprint
from mettrack.core.choices import Role
from mettrack.core.permissions import Perm, requires

blp = ApiBlueprint(
    "api_role_grants", __name__, path="/role-grants", description="Role grants waiting for a second person"
)


class RoleGrantSchema(Schema):
    id = fields.Integer(required=True)
    user_id = fields.Integer(required=True, metadata={"description": "The account given the role."})
    role = fields.String(
        required=True,
        metadata={
            "description": f"One of {', '.join(Role.values())}; or {INTELLIGENCE_REVIEWER}: "
            "a police user's access to review intelligence."
        },
    )
    state = fields.String(required=True, metadata={"description": f"One of {', '.join(GrantState)}."})
    requested_by_id = fields.Integer(allow_none=True, metadata={"description": "The administrator."})
    requested_at = fields.DateTime(required=True)
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)


class WaitingGrantSchema(RoleGrantSchema):
    can_decide = fields.Boolean(
        required=True, metadata={"description": "False when you asked for it or it is given to you."}
    )


class WaitingGrantsSchema(Schema):
    items = fields.List(
        fields.Nested(WaitingGrantSchema), required=True, metadata={"description": "Oldest first."}
    )


def _waiting(w: service.WaitingGrant) -> dict:
    g = w.grant
    return {
        **{name: getattr(g, name) for name in RoleGrantSchema().fields},
        "can_decide": w.can_decide,
    }


@blp.route("")
class WaitingGrants(MethodView):
    @requires(Perm.ROLE_GRANT_DECIDE)
    @blp.response(200, WaitingGrantsSchema)
    def get(self):
        """Role grants waiting

        Every role grant waiting for a MET chair's approval (MET chairs only).
        """
        return {"items": [_waiting(w) for w in service.waiting_for(current_user)]}


@blp.route("/<int:grant_id>/approve")
class Approve(MethodView):
    @requires(Perm.ROLE_GRANT_DECIDE)
    @blp.response(200, RoleGrantSchema)
    def post(self, grant_id: int):
        """Approve a role grant

        The account holds the role from now on. 403 for the chair who asked for it or receives
        it; 404 when there is no such grant waiting; 422 when the account can no longer hold it.
        """
        return service.decide(current_user, grant_id, approve=True)


@blp.route("/<int:grant_id>/refuse")
class Refuse(MethodView):
    @requires(Perm.ROLE_GRANT_DECIDE)
    @blp.response(200, RoleGrantSchema)
    def post(self, grant_id: int):
        """Refuse a role grant

        The account does not get the role. 403 and 404 as for approving.
        """
        return service.decide(current_user, grant_id, approve=False)
