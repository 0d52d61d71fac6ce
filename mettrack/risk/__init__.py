"""The risk assessment toolkit: indicators, ratings, the suggested level (rules.py, pure).

What other features may use of this one is exported here, and only here (the import
contracts in pyproject.toml hold every other feature to it; docs/architecture.md).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mettrack.risk.assessments import record, review_cadence, summary_of
    from mettrack.risk.catalogue import list_active, seed_defaults

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562)
# so that features which use each other do not load each other's whole package at start-up.
_EXPORTS = {
    "list_active": "mettrack.risk.catalogue",
    "record": "mettrack.risk.assessments",
    "review_cadence": "mettrack.risk.assessments",
    "seed_defaults": "mettrack.risk.catalogue",
    "summary_of": "mettrack.risk.assessments",
}
__all__ = [
    "list_active",
    "record",
    "review_cadence",
    "seed_defaults",
    "summary_of",
]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
