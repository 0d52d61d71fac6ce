"""/api/v1/children: a child is visible through any case of theirs the token owner may see."""

from flask.views import MethodView
from flask_login import current_user

from mettrack.api.blueprint import ApiBlueprint
from mettrack.api.schemas import ChildSchema
from mettrack.permissions import Perm, requires
from mettrack.services import cases

blp = ApiBlueprint("api_children", __name__, path="/children", description="Children")


@blp.route("/<int(max=2147483647):child_id>")
class ChildItem(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, ChildSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, child_id: int):
        """Read a child

        404 when the child does not exist or none of their cases is within your
        need-to-know. Each read, and each refused read, is written to the audit log.
        """
        return cases.get_child_for(current_user, child_id)
