"""/api/v1/cases/{case_id}/referral: the referral to Children's Services and its outcome.

The same service as the page (mettrack/cases/referral.py): reading needs case.view;
recording needs the MET chair or lead professional role (403 otherwise), on a case
within your need-to-know (404 otherwise); 409 when the case changed since the version
you send; 422 naming the field (or `case` when it has not been referred or is closed),
nothing changed.
"""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE, Schema, fields
from marshmallow.validate import Range

from mettrack.api.blueprint import CASE_ID, ApiBlueprint
from mettrack.api.schemas import UserRefSchema, UTCDateTime, save_anyway_field
from mettrack.cases import referral as service
from mettrack.core.limits import DATABASE_INT_MAX
from mettrack.core.permissions import Perm, requires
from mettrack.language import documents_language_check

blp = ApiBlueprint("api_referrals", __name__, path="/cases", description="Referral to Children's Services")


class ReferralSchema(Schema):
    case_id = fields.Integer(attribute="id", required=True)
    version = fields.Integer(
        required=True, metadata={"description": "The case's version: send it with the next change."}
    )
    state = fields.String(required=True)
    referred_at = UTCDateTime(
        required=True, allow_none=True, metadata={"description": "Null: the case has not been referred."}
    )
    mash_reference = fields.String(required=True, allow_none=True)
    referral_outcome = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "What the MASH decided; null: unknown."},
    )
    referral_override_reason = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "Why the child was referred with no yes on a screening (professional judgement)."
        },
    )
    outcome_recorded_at = UTCDateTime(
        attribute="referral_outcome_recorded_at", required=True, allow_none=True
    )
    outcome_recorded_by = fields.Nested(
        UserRefSchema, attribute="referral_outcome_recorded_by", required=True, allow_none=True
    )
    can_record = fields.Function(
        lambda case: service.may_record(current_user, case),
        required=True,
        metadata={
            "type": "boolean",
            "description": "Whether you may record the outcome now (your role; a referred, open case).",
        },
    )


class ReferralOutcomeSchema(Schema):
    mash_reference = fields.String(
        required=True, metadata={"description": "The MASH's reference for the referral; up to 60 characters."}
    )
    referral_outcome = fields.String(
        required=True,
        metadata={
            "description": "What the MASH decided and what happens next; up to 2,000 characters. Checked "
            "for wording that blames the child (see the 422 answer)."
        },
    )
    version = fields.Integer(
        required=True,
        strict=True,
        validate=Range(min=1, max=DATABASE_INT_MAX),
        metadata={"description": "The case version you last read."},
    )
    save_anyway = save_anyway_field()


@blp.route(f"/{CASE_ID}/referral")
class CaseReferral(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, ReferralSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int):
        """The referral and its outcome

        When the case was referred, the MASH reference, the outcome and who recorded it
        when. Audited as case.referral_viewed.
        """
        return service.referral_for(current_user, case_id)

    @requires(Perm.REFERRAL_RECORD)
    @blp.arguments(ReferralOutcomeSchema, unknown=RAISE)
    @blp.response(200, ReferralSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @documents_language_check(blp)
    def put(self, body: dict, case_id: int):
        """Record the outcome of the referral

        The MET chair or a lead professional, on a case that has been referred and is
        open (422 naming `case` otherwise). Sends both fields, which replace what the
        case holds; the outcome is usually known days after the referral. `version`: the
        case version you last read (409 if it changed; nothing saved). A change is on
        the case's timeline and audited as case.referral_recorded with the fields
        changed, never their values.
        """
        version, save_anyway = body.pop("version"), body.pop("save_anyway")
        return service.record_outcome(current_user, case_id, body, version, save_anyway=save_anyway)
