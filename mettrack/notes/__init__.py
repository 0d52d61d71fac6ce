"""Case notes, checked for victim-blaming language before they are saved.

What other features may use of this one is exported here, and only here (the import
contracts in pyproject.toml hold every other feature to it; docs/architecture.md).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mettrack.notes.case_notes import SECTION_SIZE, add_note, count_for_case, newest_of

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562)
# so that features which use each other do not load each other's whole package at start-up.
_EXPORTS = {
    "SECTION_SIZE": "mettrack.notes.case_notes",
    "add_note": "mettrack.notes.case_notes",
    "count_for_case": "mettrack.notes.case_notes",
    "newest_of": "mettrack.notes.case_notes",
}
__all__ = [
    "SECTION_SIZE",
    "add_note",
    "count_for_case",
    "newest_of",
]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
