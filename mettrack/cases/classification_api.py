"""/api/v1/cases/{case_id}/classification: a case's exploitation types, flags, places
of harm and National Referral Mechanism details.

The same service as the pages (mettrack/cases/classification.py): 403 unless
you are the MET chair or the case's lead professional (for a change), 404 outside your
need-to-know, 409 when the case changed since the version you send, 422 naming each bad
field (`nrm.referred_on` and so on); nothing is changed on an error.
"""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import CASE_ID, ApiBlueprint
from mettrack.cases import classification as service
from mettrack.cases.schemas import CaseClassificationSchema, CaseClassificationUpdateSchema
from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, requires

blp = ApiBlueprint(
    "api_case_classification", __name__, path="/cases", description="Exploitation types, flags and NRM"
)



def _api_field(name: str) -> str:
    """The service's nrm_referred_on is the API's nrm.referred_on."""
    return f"nrm.{name.removeprefix('nrm_')}" if name.startswith("nrm_") else name


def _body(case, classification: service.Classification) -> dict:
    return {
        "case_id": case.id,
        "version": case.version,
        "exploitation_types": list(classification.exploitation_types),
        "flags": list(classification.flags),
        "harm_locations": list(classification.harm_locations),
        "nrm": classification.nrm,
    }


@blp.route(f"/{CASE_ID}/classification")
class CaseClassification(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, CaseClassificationSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int):
        """A case's exploitation types, flags, places of harm and NRM

        Audited as case.classification_viewed.
        """
        case, classification = service.classification_for(current_user, case_id)
        return _body(case, classification)

    @requires(Perm.CASE_CLASSIFY)
    @blp.arguments(CaseClassificationUpdateSchema, unknown=RAISE)
    @blp.response(200, CaseClassificationSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def put(self, body: dict, case_id: int):
        """Replace a case's exploitation types, flags, places of harm and NRM

        The MET chair or the case's lead professional. Send every field (a replacement,
        not a patch): `[]` for no flags, null for an NRM field not recorded. Rules: at
        least one exploitation type from `referred` on while the case is open; NRM dates
        today or earlier; a decision needs the referral date; a positive or negative
        decision needs its date, not before the referral; a conclusive grounds decision
        follows a positive reasonable grounds decision and is not dated before it.
        `version`: the case version you last read (409 if it changed). Answers the
        classification with the case's new version. Audited as case.classified.
        """
        nrm = body["nrm"]
        data = {name: body[name] for name in service.TAG_FIELDS}
        data.update({f"nrm_{name}": value for name, value in nrm.items()})
        try:
            case = service.save(current_user, case_id, data, body["version"])
        except ValidationError as e:
            raise ValidationError({_api_field(k): v for k, v in e.errors.items()}) from None
        return _body(case, service.classification_of(case))
