"""Intelligence: Community Partnership Information, grading and handling, locations and
persons of concern, disruption actions, peer links, hotspots and the association picture.

What other features may use of this one is exported here, and only here (the import
contracts in pyproject.toml hold every other feature to it; docs/architecture.md).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mettrack.intelligence.agenda_provider import install as install_agenda_provider
    from mettrack.intelligence.case_panel import panel_for as case_panel_for
    from mettrack.intelligence.cawn import cawn_section
    from mettrack.intelligence.disruption_catalogue import seed_defaults as seed_disruption_kinds
    from mettrack.intelligence.disruptions import create as create_disruption
    from mettrack.intelligence.disruptions import list_for as disruptions_for
    from mettrack.intelligence.locations import create_location
    from mettrack.intelligence.normalise import (
        phone_or_none,
        postcode_or_none,
        registration_display,
        registration_or_none,
    )
    from mettrack.intelligence.persons import create_person

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562)
# so that features which use each other do not load each other's whole package at start-up.
_EXPORTS = {
    "case_panel_for": "mettrack.intelligence.case_panel:panel_for",
    "cawn_section": "mettrack.intelligence.cawn",
    "create_disruption": "mettrack.intelligence.disruptions:create",
    "create_location": "mettrack.intelligence.locations",
    "create_person": "mettrack.intelligence.persons",
    "disruptions_for": "mettrack.intelligence.disruptions:list_for",
    "install_agenda_provider": "mettrack.intelligence.agenda_provider:install",
    "phone_or_none": "mettrack.intelligence.normalise",
    "postcode_or_none": "mettrack.intelligence.normalise",
    "registration_display": "mettrack.intelligence.normalise",
    "registration_or_none": "mettrack.intelligence.normalise",
    "seed_disruption_kinds": "mettrack.intelligence.disruption_catalogue:seed_defaults",
}
__all__ = [
    "case_panel_for",
    "cawn_section",
    "create_disruption",
    "create_location",
    "create_person",
    "disruptions_for",
    "install_agenda_provider",
    "phone_or_none",
    "postcode_or_none",
    "registration_display",
    "registration_or_none",
    "seed_disruption_kinds",
]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
