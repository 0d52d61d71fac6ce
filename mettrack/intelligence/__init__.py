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

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562).
_EXPORTS: dict[str, str] = {
    "case_panel_for": "mettrack.intelligence.case_panel:panel_for",
    "install_agenda_provider": "mettrack.intelligence.agenda_provider:install",
}
__all__: list[str] = [
    "case_panel_for",
    "install_agenda_provider",
]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
