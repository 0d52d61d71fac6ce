"""/api/v1/stats/exploitation-list: the quarterly exploitation-list report (statistics/
report.py), the same figures as the page /statistics/."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import ApiBlueprint
from mettrack.core.permissions import Perm, requires
from mettrack.statistics import report
from mettrack.statistics.schemas import ReportQuerySchema, ReportSchema

blp = ApiBlueprint(
    "api_statistics", __name__, path="/stats", description="The quarterly exploitation-list report"
)


@blp.route("/exploitation-list")
class ExploitationList(MethodView):
    @requires(Perm.STATS_VIEW)
    @blp.arguments(ReportQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, ReportSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args: dict):
        """Read the exploitation-list report

        For the analyst and the MET chair (403 otherwise). Counts only: no name, case or
        date of birth. The children on the list in the period (a case with an
        exploitation type open at any point in it) per type and in all (a child in both
        CSE and CCE counted once in each type and once in all), by gender, age band at
        the end of the period, ethnicity, risk level, police tier, state at the end of
        the period, flag and place of harm; added and closed, with exit reasons; and the
        trend over the quarters before. `publication=yes` suppresses small numbers. A bad
        period is a 422 naming `quarter`, `from` or `to`. Audited.
        """
        period = report.parse_period(args.get("quarter"), args.get("from"), args.get("to"))
        publication = report.parse_publication(args.get("publication"))
        return report.build_report(current_user, period, publication=publication, output="api")
