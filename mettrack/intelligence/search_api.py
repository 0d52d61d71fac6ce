"""POST /api/v1/intelligence/search: the search, with the text in the body, never the URL
(intelligence/search.py)."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import ApiBlueprint
from mettrack.core.permissions import Perm, requires
from mettrack.intelligence import search
from mettrack.intelligence import subject_schemas as schemas

blp = ApiBlueprint(
    "api_intelligence_search", __name__, path="/intelligence/search", description="Intelligence search"
)


@blp.route("", strict_slashes=False)
class Search(MethodView):
    @requires(Perm.INTEL_VIEW)
    @blp.arguments(schemas.SearchSchema, unknown=RAISE)
    @blp.response(200, schemas.SearchResultsSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, data: dict):
        """Search intelligence, places and persons

        By `kind`: name (names and aliases, forgiving spelling), postcode (a full one or
        its outward code), registration or phone. Only what you may open is searched.
        The text is never kept: the audit row (intelligence.searched) holds the kind and
        the ids returned.
        """
        return schemas.dump_results(search.search(current_user, data))
