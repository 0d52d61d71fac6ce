"""/api/v1/cases/{case_id}/philomena: the Philomena Protocol details of a child in care,
and their photo at /philomena/photo.

The same service as the pages (mettrack/missing/episodes.py): reading needs case.view,
saving needs philomena.edit, on a case within your need-to-know (404 otherwise). The
details are for a looked-after child only: saving them for another child is a 422 naming
`looked_after`. The photo travels on its own, as the image itself, so the details stay
JSON; a photo is recognised by its first bytes (JPG or PNG), never by a name or a header.
"""

from flask import abort, current_app, make_response, request
from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE, Schema, fields

from mettrack.accounts.models import User
from mettrack.api.blueprint import CASE_ID, ApiBlueprint
from mettrack.api.schemas import UserRefSchema, UTCDateTime
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, requires
from mettrack.core.request_limits import FORM_ROOM, accepts_body_up_to
from mettrack.missing import episodes as missing

blp = ApiBlueprint("api_philomena", __name__, path="/cases", description="Philomena Protocol")

BINARY = {"schema": {"type": "string", "format": "binary"}}
PHOTO_CONTENT = {"image/jpeg": BINARY, "image/png": BINARY}
TEXT_FIELDS = tuple(missing.PHILOMENA_TEXT_FIELDS)


def _text(description: str) -> fields.String:
    return fields.String(required=True, allow_none=True, metadata={"description": description})


class _PhilomenaText(Schema):
    photo_taken_on = _text("When the photo was taken, as written (e.g. March 2026); up to 40 characters.")
    description = _text("What the child looks like: height, build, hair, marks, usual clothes.")
    places = _text("Places the child may go to.")
    people = _text("People the child may go to or be with.")
    phone = _text("The child's phone number; up to 40 characters.")
    medical_needs = _text("Medical needs and medication.")


class PhilomenaSchema(_PhilomenaText):
    case_id = fields.Integer(required=True)
    looked_after = fields.Boolean(
        required=True,
        metadata={"description": "False: the child is not recorded as in care; no details are kept."},
    )
    has_photo = fields.Boolean(
        required=True, metadata={"description": "True: GET /philomena/photo gives it."}
    )
    photo_type = fields.String(
        required=True, allow_none=True, metadata={"description": "image/jpeg or image/png."}
    )
    updated_at = UTCDateTime(required=True, allow_none=True)
    updated_by = fields.Nested(UserRefSchema, required=True, allow_none=True)


class PhilomenaUpdateSchema(_PhilomenaText):
    """Every field, null or blank for not recorded: the details are replaced as sent. The
    photo is kept (PUT .../philomena/photo changes it)."""


def _details(case, profile) -> dict:
    updated_by = db.session.get(User, profile.updated_by_id) if profile and profile.updated_by_id else None
    return {
        "case_id": case.id,
        "looked_after": bool(case.child.looked_after),
        "has_photo": bool(profile and profile.photo),
        "photo_type": profile.photo_type if profile and profile.photo else None,
        "updated_at": profile.updated_at if profile else None,
        "updated_by": updated_by,
        **{name: getattr(profile, name) if profile else None for name in TEXT_FIELDS},
    }


@blp.route(f"/{CASE_ID}/philomena")
class Philomena(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, PhilomenaSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int):
        """The Philomena Protocol details

        What police need at once if a child in care goes missing: description, places
        and people they may go to, phone, medical needs, and whether a photo is held.
        For a child not recorded as looked after, `looked_after` is false and every
        detail null. Audited as philomena.viewed.
        """
        return _details(*missing.philomena_for(current_user, case_id))

    @requires(Perm.PHILOMENA_EDIT)
    @blp.arguments(PhilomenaUpdateSchema, unknown=RAISE)
    @blp.response(200, PhilomenaSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def put(self, body: dict, case_id: int):
        """Save the Philomena Protocol details

        Any case worker on the case, for a looked-after child (422 naming `looked_after`
        otherwise: update the child's record first). Send every field; null or blank
        clears it. A field too long is a 422 naming it; nothing is saved. The photo is
        kept. The details are not checked by the language check (see docs/notes.md).
        Audited as philomena.saved with the fields sent.
        """
        return _details(*missing.save_philomena(current_user, case_id, body))


@blp.route(f"/{CASE_ID}/philomena/photo")
class PhilomenaPhoto(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.doc(responses={"200": {"description": "The photo, as it was saved.", "content": PHOTO_CONTENT}})
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int):
        """The child's photo

        The image itself (image/jpeg or image/png). 404 when none is held, or the
        child is not looked after. Audited as philomena.photo_viewed.
        """
        _case, profile = missing.philomena_for(current_user, case_id, action="philomena.photo_viewed")
        if profile is None or not profile.photo:
            abort(404, description="No photo is held for this child.")
        response = make_response(profile.photo)
        response.headers["Content-Type"] = profile.photo_type
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Disposition"] = "inline"
        return response

    @requires(Perm.PHILOMENA_EDIT)
    @accepts_body_up_to("PHILOMENA_PHOTO_MAX_BYTES", extra=FORM_ROOM)
    @blp.doc(requestBody={"required": True, "content": PHOTO_CONTENT})
    @blp.response(200, PhilomenaSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def put(self, case_id: int):
        """Replace the child's photo

        The request body is the image itself, a JPG or PNG smaller than 5 MB (send it
        with Content-Type image/jpeg or image/png); anything else is a 422 naming
        `photo`. For a looked-after child only. Audited as philomena.saved.
        """
        limit = current_app.config["PHILOMENA_PHOTO_MAX_BYTES"]
        too_big = f"The photo must be smaller than {limit // (1024 * 1024)} MB"
        # One byte past the limit at most is read from the stream; a JSON body was read
        # already, by the input guard (mettrack/ui/input_guard.py), and is kept by the request.
        too_long = (request.content_length or 0) > limit
        photo = b"" if too_long else request.stream.read(limit + 1) or request.get_data(cache=True)
        if not photo:
            # Outside need-to-know is a 404 before anything is said about the request.
            missing.philomena_for(current_user, case_id, action="philomena.save")
            message = too_big if too_long else "Send the photo as the request body: a JPG or PNG image"
            raise ValidationError({"photo": message})
        return _details(*missing.save_philomena(current_user, case_id, {}, photo))
