"""/api/v1/agencies: the agencies with their sector and user counts, for administrators
(accounts/agency_admin.py; the same list as /admin/agencies). Read only: agencies are added
and changed on the admin pages. 403 for every other role.
"""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import Schema, fields

from mettrack.accounts import agency_admin as service
from mettrack.api.blueprint import ApiBlueprint
from mettrack.core.choices import AgencySector
from mettrack.core.permissions import Perm, requires

blp = ApiBlueprint("api_agencies", __name__, path="/agencies", description="Agencies and their sector")


class AgencySchema(Schema):
    id = fields.Integer(attribute="agency.id", required=True)
    name = fields.String(attribute="agency.name", required=True)
    sector = fields.String(
        attribute="agency.sector",
        required=True,
        metadata={
            "description": "One of "
            + ", ".join(AgencySector.values())
            + ". Users of a police agency who hold a case role review intelligence, "
            + "once a MET chair approves."
        },
    )
    sector_label = fields.String(required=True, metadata={"description": "The sector, in words."})
    users = fields.Integer(required=True, metadata={"description": "Accounts of the agency, active or not."})
    active_users = fields.Integer(required=True)


class AgenciesSchema(Schema):
    items = fields.List(fields.Nested(AgencySchema), required=True, metadata={"description": "By name."})


@blp.route("")
class Agencies(MethodView):
    @requires(Perm.AGENCY_ADMIN)
    @blp.response(200, AgenciesSchema)
    def get(self):
        """Agencies

        Every agency by name, with its sector and how many users it has (administrators only).
        """
        return {"items": service.list_agencies(current_user)}
