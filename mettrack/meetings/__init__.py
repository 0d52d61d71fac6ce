"""MET meetings: series and meetings, the agenda built from live data, issued versions
(full, sanitised, PDF), attendance, minutes whose decisions move cases, and actions that
roll forward (docs/meetings.md).

What other features may use of this one is exported here, and only here (the import
contracts in pyproject.toml hold every other feature to it; docs/architecture.md).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mettrack.meetings.attendance import record as record_attendance
    from mettrack.meetings.membership import meeting_for, meeting_scope
    from mettrack.meetings.minutes import apply_decisions
    from mettrack.meetings.minutes import approve as approve_minutes
    from mettrack.meetings.minutes import record_item as record_item_minutes

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562)
# so that features which use each other do not load each other's whole package at start-up.
_EXPORTS = {
    "apply_decisions": "mettrack.meetings.minutes",
    "approve_minutes": "mettrack.meetings.minutes:approve",
    "meeting_for": "mettrack.meetings.membership",
    "meeting_scope": "mettrack.meetings.membership",
    "record_attendance": "mettrack.meetings.attendance:record",
    "record_item_minutes": "mettrack.meetings.minutes:record_item",
}
__all__ = [
    "apply_decisions",
    "approve_minutes",
    "meeting_for",
    "meeting_scope",
    "record_attendance",
    "record_item_minutes",
]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
