"""/api/v1/persons: persons of concern as the token owner may see them
(intelligence/persons.py decides); reviewers create and change them."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import ApiBlueprint
from mettrack.core.permissions import Perm, requires
from mettrack.intelligence import access, persons
from mettrack.intelligence import subject_schemas as schemas
from mettrack.language import documents_language_check

blp = ApiBlueprint("api_persons", __name__, path="/persons", description="Persons of concern")


@blp.route("", strict_slashes=False)
class Persons(MethodView):
    @requires(Perm.INTEL_VIEW)
    @blp.arguments(schemas.PagingQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, schemas.PersonPageSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args: dict):
        """List persons of concern

        The persons within your reach (all for a reviewer), by name; reviewers also get
        each review date and `review_due` when it has passed. Audited as person.listed.
        """
        found = persons.list_for(current_user, page=args["page"], per_page=args["per_page"])
        reviewer = access.is_reviewer(current_user)
        return {
            "items": [schemas.dump_person(reviewer, r.record, review_due=r.review_due) for r in found.items],
            "page": found.page,
            "per_page": found.per_page,
            "total": found.total,
            "pages": found.pages,
        }

    @requires(Perm.INTEL_REVIEW)
    @blp.arguments(schemas.PersonCreateSchema, unknown=RAISE)
    @blp.response(201, schemas.PersonSchema)
    @documents_language_check(blp)
    def post(self, data: dict):
        """Add a person of concern

        Reviewers only. Registrations and phone numbers are normalised; a malformed one,
        an impossible or future date of birth, an age that contradicts it, or an
        association with a person or place you cannot see is a 422 naming the field, and
        nothing is saved. Audited as person.created.
        """
        save_anyway = data.pop("save_anyway")
        return schemas.dump_person(True, persons.create_person(current_user, data, save_anyway=save_anyway))


@blp.route("/<int:person_id>")
class PersonItem(MethodView):
    @requires(Perm.INTEL_VIEW)
    @blp.response(200, schemas.PersonSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, person_id: int):
        """Read a person, with their associations and what you may see of what is linked

        As a place's page, plus associations with persons and places you may open (the
        rest as `hidden_associations`). 404 outside your reach. Audited as person.viewed.
        """
        found = persons.person_page(current_user, person_id)
        return schemas.dump_person(found.may_edit, found.person, found.linked, review_due=found.review_due)

    @requires(Perm.INTEL_REVIEW)
    @blp.arguments(schemas.PersonPatchSchema, unknown=RAISE)
    @blp.response(200, schemas.PersonSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @documents_language_check(blp)
    def patch(self, data: dict, person_id: int):
        """Change a person

        Reviewers only, with the `version` read (409 when it changed); only the fields
        sent change, and a list sent replaces the whole list. Audited as person.updated.
        """
        save_anyway = data.pop("save_anyway")
        return schemas.dump_person(
            True, persons.update_person(current_user, person_id, data, save_anyway=save_anyway)
        )
