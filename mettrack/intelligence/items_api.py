"""/api/v1/intelligence: Community Partnership Information through the API. Share an
item, list and read the items within reach, and for reviewers grade and link them
(intelligence/sharing.py and review.py decide; access.py decides reach).

The source's details are null unless the caller is a reviewer or the item's sharer; the
grading and the reviewers' links are null or left out unless handling lets the caller see
them. An item out of reach is a 404, whatever it is linked to."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import ApiBlueprint
from mettrack.core.permissions import Perm, requires
from mettrack.intelligence import review, sharing
from mettrack.intelligence.item_schemas import (
    GradingSchema,
    ItemListQuerySchema,
    ItemPageSchema,
    ItemSchema,
    ItemSubmitSchema,
    LinkCreatedSchema,
    LinkCreateSchema,
)
from mettrack.language import documents_language_check

blp = ApiBlueprint(
    "api_intelligence", __name__, path="/intelligence", description="Community Partnership Information"
)

ITEM_ID = "<int:item_id>"


def dump_item(view: sharing.ItemView) -> dict:
    grading = view.grading
    return {
        "id": view.id,
        "reference": view.reference,
        "submitted_at": view.submitted_at,
        "status": view.status,
        "status_label": view.status_label,
        "sharer": {
            "name": view.sharer_name,
            "organisation": view.sharer_organisation,
            "phone": view.sharer_phone,
            "email": view.sharer_email,
        },
        "information": view.information,
        "information_date": view.information_date,
        "information_place": view.information_place,
        "source": (
            {
                "name": view.source.name,
                "date_of_birth": view.source.date_of_birth,
                "address": view.source.address,
                "recontact": view.source.recontact,
                "recontact_how": view.source.recontact_how,
                "how_known": view.source.how_known,
            }
            if view.source
            else None
        ),
        "grading": (
            {
                "source_evaluation": grading.source_evaluation,
                "intelligence_assessment": grading.intelligence_assessment,
                "handling_code": grading.handling_code,
                "handling_conditions": grading.conditions,
                "grants": [{"kind": g.kind, "id": g.id, "name": g.name} for g in grading.grants],
                "sanitised_text": grading.sanitised_text,
                "graded_by_name": grading.graded_by_name,
                "graded_at": grading.graded_at,
            }
            if grading
            else None
        ),
        "links": [
            {
                "id": link.id,
                "kind": link.kind,
                "target_id": link.target_id,
                "label": link.label,
                "suggested_by_sharer": link.suggested_by_sharer,
                "created_at": link.created_at,
            }
            for link in view.links
        ],
        "hidden_links": view.hidden_links,
        "version": view.version,
    }


def dump_page(found: sharing.ItemPage) -> dict:
    return {
        "items": [
            {
                "id": row.id,
                "reference": row.reference,
                "submitted_at": row.submitted_at,
                "information_date": row.information_date,
                "sharer_organisation": row.sharer_organisation,
                "excerpt": row.excerpt,
                "status": row.status,
                "handling_code": row.handling_code,
            }
            for row in found.items
        ],
        "page": found.page,
        "per_page": found.per_page,
        "total": found.total,
        "pages": found.pages,
    }


@blp.route("", strict_slashes=False)
class Items(MethodView):
    @requires(Perm.INTEL_VIEW)
    @blp.arguments(ItemListQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, ItemPageSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args: dict):
        """List the items you may open

        Reviewers every item; anyone else their own submissions and the items handling
        lets them see. Waiting for review first, then the newest. Filters: `status`,
        `handling` (repeat for several). Audited with the ids returned.
        """
        page, per_page = args.pop("page"), args.pop("per_page")
        filters = sharing.filters_from(args)
        return dump_page(sharing.list_for(current_user, filters, page=page, per_page=per_page))

    @requires(Perm.INTEL_SHARE)
    @blp.arguments(ItemSubmitSchema, unknown=RAISE)
    @blp.response(201, ItemSchema)
    @documents_language_check(blp)
    def post(self, body: dict):
        """Share Community Partnership Information

        Not a referral: an urgent concern goes to the MASH, a child in immediate danger
        to 999. Stored exactly as sent; answers the item with its `reference`. A case in
        `case_ids` that you may not see is a 422 naming `case_ids`. Audited as
        intelligence.submitted.
        """
        save_anyway = body.pop("save_anyway")
        return dump_item(sharing.submit(current_user, body, save_anyway=save_anyway))


@blp.route(f"/{ITEM_ID}")
class Item(MethodView):
    @requires(Perm.INTEL_VIEW)
    @blp.response(200, ItemSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, item_id: int):
        """Read an item

        `source` is null unless you are a reviewer or the sharer; `grading` and the
        reviewers' links only when handling lets you see them. 404 for an item out of
        reach. Audited as intelligence.viewed.
        """
        return dump_item(sharing.read(current_user, item_id))


@blp.route(f"/{ITEM_ID}/grading")
class ItemGrading(MethodView):
    @requires(Perm.INTEL_REVIEW)
    @blp.arguments(GradingSchema, unknown=RAISE)
    @blp.response(200, ItemSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @documents_language_check(blp)
    def put(self, body: dict, item_id: int):
        """Grade an item (or grade it again)

        Reviewers (MET chairs, police case workers). The 3x5x2 grading, the handling with
        its conditions and whom they name for C, and a sanitised text (never kept for C),
        with the `version` read (409 when it changed). Audited as intelligence.graded with
        the fields changed.
        """
        save_anyway = body.pop("save_anyway")
        return dump_item(review.grade(current_user, item_id, body, save_anyway=save_anyway))


@blp.route(f"/{ITEM_ID}/links")
class ItemLinks(MethodView):
    @requires(Perm.INTEL_REVIEW)
    @blp.arguments(LinkCreateSchema, unknown=RAISE)
    @blp.response(201, LinkCreatedSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, body: dict, item_id: int):
        """Link an item to a case, a location or a person of concern

        Reviewers. Exactly one of `case_id`, `location_id`, `person_id`; an unknown one is
        a 422 naming it. Audited as intelligence.linked.
        """
        link = review.link(current_user, item_id, {k: v for k, v in body.items() if v is not None})
        kind, target = next(
            (name.removesuffix("_id"), getattr(link, name))
            for name in review.LINK_FIELDS
            if getattr(link, name) is not None
        )
        return {"id": link.id, "kind": kind, "target_id": target}


@blp.route(f"/{ITEM_ID}/links/<int:link_id>")
class ItemLink(MethodView):
    @requires(Perm.INTEL_REVIEW)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, item_id: int, link_id: int):
        """Remove a link

        Reviewers. A link not on the item is a 404. Audited as intelligence.unlinked.
        """
        review.unlink(current_user, item_id, link_id)
        return ""
