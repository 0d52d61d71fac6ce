"""/api/v1/cases/<id>/peer-links, /api/v1/cases/<id>/subject-links and /api/v1/hotspots:
peer links between children, a reviewer's direct links from a case to a place or a person,
and the hotspots ranking. The rules live in peers.py, case_links.py and hotspots.py."""

from dataclasses import asdict

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import CASE_ID, ApiBlueprint
from mettrack.core.permissions import Perm, requires
from mettrack.intelligence import case_links, hotspots, peers
from mettrack.intelligence.link_schemas import (
    HotspotQuerySchema,
    HotspotsSchema,
    PeerLinkInSchema,
    PeerLinkSchema,
    SubjectLinkInSchema,
    SubjectLinkSchema,
)
from mettrack.language import documents_language_check

blp = ApiBlueprint("api_case_links", __name__, path="/cases", description="Peer links and case links")
hotspots_blp = ApiBlueprint("api_hotspots", __name__, path="/hotspots", description="Hotspots")


@blp.route(f"/{CASE_ID}/peer-links")
class PeerLinks(MethodView):
    @requires(Perm.INTEL_VIEW)
    @blp.response(200, PeerLinkSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int):
        """List a case's peer links

        The links to other children whose whole record you may see too (a link to a case
        you may not see is left out). 404 for a case out of reach. Audited.
        """
        return [asdict(v) for v in peers.list_for(current_user, case_id)]

    @requires(Perm.INTEL_VIEW)
    @blp.arguments(PeerLinkInSchema, unknown=RAISE)
    @blp.response(201, PeerLinkSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @documents_language_check(blp)
    def post(self, data: dict, case_id: int):
        """Link another child to this case

        A reviewer of intelligence or the lead professional of either case (403
        otherwise), who may see both cases' whole record. 422 naming `other_case_id` for an
        unknown case, one out of reach or the same case; naming `kind` for a link that is
        already there. The note is language-checked: a flagged phrase is a 422 naming `note`
        with the `findings`, unless `save_anyway` is true. Audited as peer_link.added.
        """
        save_anyway = data.pop("save_anyway")
        return asdict(peers.add(current_user, case_id, data, save_anyway=save_anyway))


@blp.route(f"/{CASE_ID}/peer-links/<int:link_id>")
class PeerLinkItem(MethodView):
    @requires(Perm.INTEL_VIEW)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, case_id: int, link_id: int):
        """Remove a peer link

        As for adding one. Audited as peer_link.removed with both case ids.
        """
        peers.remove(current_user, case_id, link_id)


@blp.route(f"/{CASE_ID}/subject-links")
class SubjectLinks(MethodView):
    @requires(Perm.INTEL_VIEW)
    @blp.response(200, SubjectLinkSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int):
        """List a case's direct links to places and persons

        For those who may see the case's whole record (404 otherwise). Audited.
        """
        return [asdict(v) for v in case_links.list_for(current_user, case_id)]

    @requires(Perm.INTEL_REVIEW)
    @blp.arguments(SubjectLinkInSchema, unknown=RAISE)
    @blp.response(201, SubjectLinkSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @documents_language_check(blp)
    def post(self, data: dict, case_id: int):
        """Link a place or a person of concern to this case

        Reviewers only. Exactly one of `location_id`, `person_id`; `reliability`; an
        optional `note`. 422 naming the field for an unknown place or person or a link
        that is already there. The note is language-checked as for peer links. Audited as
        case_link.added.
        """
        save_anyway = data.pop("save_anyway")
        return asdict(case_links.add(current_user, case_id, data, save_anyway=save_anyway))


@blp.route(f"/{CASE_ID}/subject-links/<int:link_id>")
class SubjectLinkItem(MethodView):
    @requires(Perm.INTEL_REVIEW)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, case_id: int, link_id: int):
        """Remove a direct link

        Reviewers only. Audited as case_link.removed.
        """
        case_links.remove(current_user, case_id, link_id)


@hotspots_blp.route("", strict_slashes=False)
class Hotspots(MethodView):
    @requires(Perm.INTEL_REVIEW)
    @hotspots_blp.arguments(HotspotQuerySchema, location="query", unknown=RAISE)
    @hotspots_blp.response(200, HotspotsSchema)
    @hotspots_blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args: dict):
        """Rank places by the children and intelligence linked to them

        Reviewers only. The period is `from` to `to` (ISO dates; the last 90 days by
        default); `new_*` count what was linked since the last meeting. Audited as
        hotspots.viewed with the location ids.
        """
        period = hotspots.parse_period({"from": args.get("from_"), "to": args.get("to")})
        found = hotspots.ranking(current_user, period)
        return {
            "from_": found.period.start,
            "to": found.period.end,
            "since": found.since,
            "since_meeting_id": found.since_meeting_id,
            "items": [
                {
                    "location_id": r.location_id,
                    "name": r.name,
                    "location_type": r.location_type_label,
                    "postcode": r.postcode,
                    "children": r.children,
                    "items": r.items,
                    "new_children": r.new_children,
                    "new_items": r.new_items,
                }
                for r in found.rows
            ],
        }
