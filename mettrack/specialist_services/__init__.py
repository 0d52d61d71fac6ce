"""Specialist services: the catalogue, requests and their answers, the services working
with a case, and the police tier record.

What other features may use of this one is exported here, and only here (the import
contracts in pyproject.toml hold every other feature to it; docs/architecture.md).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mettrack.specialist_services.assignments import (
        ASSIGNED,
        SERVICE_STATES,
        end,
        get_for,
        record,
        views_of,
    )
    from mettrack.specialist_services.board import loads as service_loads
    from mettrack.specialist_services.case_requests import views_of as request_views_of
    from mettrack.specialist_services.catalogue import active_service, service_labels
    from mettrack.specialist_services.catalogue import add_missing_defaults as seed_services
    from mettrack.specialist_services.catalogue import label_for as service_label
    from mettrack.specialist_services.catalogue import options as service_options
    from mettrack.specialist_services.requests import REQUEST_STATES, request_for_meeting, requests_of
    from mettrack.specialist_services.requests import decline as decline_request
    from mettrack.specialist_services.requests import request as request_service
    from mettrack.specialist_services.tiers import history_for as tier_history_for
    from mettrack.specialist_services.tiers import record_for_meeting as record_tier_for_meeting
    from mettrack.specialist_services.tiers import set_tier as set_police_tier
    from mettrack.specialist_services.working_days import working_days_between

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562)
# so that features which use each other do not load each other's whole package at start-up.
_EXPORTS = {
    "working_days_between": "mettrack.specialist_services.working_days",
    "service_loads": "mettrack.specialist_services.board:loads",
    "active_service": "mettrack.specialist_services.catalogue",
    "ASSIGNED": "mettrack.specialist_services.assignments",
    "decline_request": "mettrack.specialist_services.requests:decline",
    "end": "mettrack.specialist_services.assignments",
    "get_for": "mettrack.specialist_services.assignments",
    "record": "mettrack.specialist_services.assignments",
    "record_tier_for_meeting": "mettrack.specialist_services.tiers:record_for_meeting",
    "request_for_meeting": "mettrack.specialist_services.requests",
    "request_service": "mettrack.specialist_services.requests:request",
    "REQUEST_STATES": "mettrack.specialist_services.requests",
    "request_views_of": "mettrack.specialist_services.case_requests:views_of",
    "requests_of": "mettrack.specialist_services.requests",
    "seed_services": "mettrack.specialist_services.catalogue:add_missing_defaults",
    "service_label": "mettrack.specialist_services.catalogue:label_for",
    "service_labels": "mettrack.specialist_services.catalogue",
    "service_options": "mettrack.specialist_services.catalogue:options",
    "SERVICE_STATES": "mettrack.specialist_services.assignments",
    "set_police_tier": "mettrack.specialist_services.tiers:set_tier",
    "tier_history_for": "mettrack.specialist_services.tiers:history_for",
    "views_of": "mettrack.specialist_services.assignments",
}
__all__ = [
    "working_days_between",
    "service_loads",
    "active_service",
    "ASSIGNED",
    "decline_request",
    "end",
    "get_for",
    "record",
    "record_tier_for_meeting",
    "request_for_meeting",
    "request_service",
    "REQUEST_STATES",
    "request_views_of",
    "requests_of",
    "seed_services",
    "service_label",
    "service_labels",
    "service_options",
    "SERVICE_STATES",
    "set_police_tier",
    "tier_history_for",
    "views_of",
]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
