"""/api/v1/cases"""

from flask.views import MethodView
from flask_smorest import Blueprint

from mettrack.permissions import Perm, requires

blp = Blueprint("api_cases", __name__, url_prefix="/api/v1/cases", description="Cases")


@blp.route("/")
class Cases(MethodView):
    @requires(Perm.CASE_LIST)
    def get(self):
        return {"items": []}
