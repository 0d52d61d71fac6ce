"""Intelligence: Community Partnership Information, grading and handling, locations and
persons of concern, disruption actions, peer links, hotspots and the association picture.

What other features may use of this one is exported here, and only here (the import
contracts in pyproject.toml hold every other feature to it; docs/architecture.md).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mettrack.intelligence.cawn import cawn_section
    from mettrack.intelligence.disruption_catalogue import seed_defaults as seed_disruption_kinds
    from mettrack.intelligence.disruptions import create as create_disruption
    from mettrack.intelligence.disruptions import list_for as disruptions_for

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562).
_EXPORTS: dict[str, str] = {
    "cawn_section": "mettrack.intelligence.cawn",
    "create_disruption": "mettrack.intelligence.disruptions:create",
    "disruptions_for": "mettrack.intelligence.disruptions:list_for",
    "seed_disruption_kinds": "mettrack.intelligence.disruption_catalogue:seed_defaults",
}
__all__: list[str] = ["cawn_section", "create_disruption", "disruptions_for", "seed_disruption_kinds"]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
