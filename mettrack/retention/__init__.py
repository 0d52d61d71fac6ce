"""Retention and subject access: when records are due for review, legal holds, confirmed
deletion, and the export of everything held about one child (docs/retention.md).

What other features may use of this one is exported here, and only here (the import
contracts in pyproject.toml hold every other feature to it; docs/architecture.md).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mettrack.retention.review import scan

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562).
_EXPORTS = {
    "scan": "mettrack.retention.review",
}
__all__ = ["scan"]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
