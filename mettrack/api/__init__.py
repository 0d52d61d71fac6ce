"""The JSON API under /api/v1 (flask-smorest), authenticated by personal bearer tokens.

The OpenAPI document at /api/v1/openapi.json is generated from the blueprints and
schemas here, never written by hand. Like every API route it needs a bearer token: the
project's rule is that only the sign-in page and the health check are public, and one
rule for the whole of /api/ (tokens, never cookies) is easier to keep than an exception.
flask-smorest's Swagger UI, ReDoc and RapiDoc pages are switched off: they would load
scripts from a CDN and serve HTML outside the pages' access rules.
"""

from flask import Flask
from flask_smorest import Api

from mettrack.api.blueprint import API_PREFIX
from mettrack.api.problems import MEDIA_TYPE, ProblemSchema
from mettrack.core.extensions import csrf
from mettrack.core.permissions import Perm, requires

API_DESCRIPTION = """\
METtrack's API for partner agencies' scripts.

Authenticate every request with a personal API token: `Authorization: Bearer <token>`.
Tokens are issued on the account page or with `flask --app wsgi tokens create --email E`,
and act with their owner's roles and need-to-know: a role that does not allow an action
gets 403; a record outside the owner's need-to-know gets 404, as one that does not exist.
Session cookies are ignored under /api/, this document included.

Every error is an RFC 9457 problem details object (`application/problem+json`) with
`type`, `title`, `status`, `detail` and `errors`, which names each bad field.
Timestamps are ISO 8601 in UTC; dates are ISO 8601 dates.
"""

BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A personal API token from the account page.",
}


class MettrackApi(Api):
    """flask-smorest's Api with problem details for errors and no HTML documentation."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        # Not app-wide: each API blueprint answers its own errors with problems
        # (mettrack/api/problems.py) and the pages keep their HTML error pages.
        pass

    def _register_responses(self):
        # flask-smorest documents error responses as application/json; ours are
        # application/problem+json.
        saved = self.DEFAULT_RESPONSE_CONTENT_TYPE
        self.DEFAULT_RESPONSE_CONTENT_TYPE = MEDIA_TYPE
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = saved

    def _register_redoc_rule(self, blueprint):
        pass

    def _register_swagger_ui_rule(self, blueprint):
        pass

    def _register_rapidoc_rule(self, blueprint):
        pass

    @requires(Perm.SIGNED_IN)
    def _openapi_json(self):
        return super()._openapi_json()


def _resource_blueprints():
    from mettrack.accounts import agency_api as agencies
    from mettrack.accounts import role_grants_api as role_grants
    from mettrack.cases import (
        api as cases,
    )
    from mettrack.cases import (
        classification_api as case_classification,
    )
    from mettrack.cases import (
        reassign_api as reassign,
    )
    from mettrack.cases import (
        referral_api as referrals,
    )
    from mettrack.cases import (
        team_api as case_team,
    )
    from mettrack.cases import (
        transitions_api as transitions,
    )
    from mettrack.children import api as children
    from mettrack.intelligence import disruptions_api as disruption_actions
    from mettrack.intelligence import items_api as intelligence_items
    from mettrack.intelligence import links_api as intelligence_links
    from mettrack.intelligence import locations_api as intelligence_locations
    from mettrack.intelligence import network_api as intelligence_network
    from mettrack.intelligence import persons_api as intelligence_persons
    from mettrack.intelligence import search_api as intelligence_search
    from mettrack.meetings import actions_api as meeting_actions
    from mettrack.meetings import agenda_api as meeting_agenda
    from mettrack.meetings import draft_api as meeting_agenda_draft
    from mettrack.meetings import meetings_api as meetings
    from mettrack.meetings import minutes_api as meeting_minutes
    from mettrack.missing import api as missing
    from mettrack.missing import philomena_api as philomena
    from mettrack.notes import api as notes
    from mettrack.reminders import api as notifications
    from mettrack.retention import api as retention
    from mettrack.risk import api as risk_assessments
    from mettrack.screening import api as screenings
    from mettrack.specialist_services import api as service_assignments
    from mettrack.specialist_services import board_api as service_board
    from mettrack.specialist_services import catalogue_api as services
    from mettrack.specialist_services import inbox_api as service_inbox
    from mettrack.specialist_services import requests_api as service_requests
    from mettrack.specialist_services import tiers_api as police_tiers
    from mettrack.statistics import api as statistics

    return [
        disruption_actions.blp,
        cases.blp,
        children.blp,
        missing.blp,
        screenings.blp,
        transitions.blp,
        service_assignments.blp,
        risk_assessments.blp,
        risk_assessments.indicators_blp,
        case_team.blp,
        case_classification.blp,
        notes.blp,
        notes.language_blp,
        referrals.blp,
        philomena.blp,
        reassign.blp,
        agencies.blp,
        role_grants.blp,
        retention.blp,
        notifications.blp,
        meetings.blp,
        meeting_agenda.blp,
        meeting_agenda_draft.blp,
        meeting_minutes.blp,
        meeting_actions.blp,
        intelligence_network.blp,
        intelligence_items.blp,
        intelligence_links.blp,
        intelligence_links.hotspots_blp,
        intelligence_locations.blp,
        intelligence_persons.blp,
        intelligence_search.blp,
        service_inbox.blp,
        services.blp,
        service_board.blp,
        police_tiers.blp,
        service_requests.blp,
        service_requests.case_blp,
        statistics.blp,
    ]


def init_api(app: Flask) -> None:
    from mettrack.api.auth import init_auth

    init_auth(app)
    api = MettrackApi(
        spec_kwargs={
            "info": {"description": API_DESCRIPTION},
            "security": [{"bearerAuth": []}],
        }
    )
    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)
    for blp in _resource_blueprints():
        # The API takes no cookies, only bearer tokens (mettrack/api/auth.py), so
        # cross-site request forgery has nothing to ride on.
        csrf.exempt(blp)
        api.register_blueprint(blp)


__all__ = ["API_PREFIX", "MettrackApi", "init_api"]
