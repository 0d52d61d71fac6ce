"""Specialist services assigned to a case and their acceptance.

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
        service_labels,
        views_of,
    )

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562)
# so that features which use each other do not load each other's whole package at start-up.
_EXPORTS = {
    "ASSIGNED": "mettrack.specialist_services.assignments",
    "SERVICE_STATES": "mettrack.specialist_services.assignments",
    "end": "mettrack.specialist_services.assignments",
    "get_for": "mettrack.specialist_services.assignments",
    "record": "mettrack.specialist_services.assignments",
    "service_labels": "mettrack.specialist_services.assignments",
    "views_of": "mettrack.specialist_services.assignments",
}
__all__ = [
    "ASSIGNED",
    "SERVICE_STATES",
    "end",
    "get_for",
    "record",
    "service_labels",
    "views_of",
]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
