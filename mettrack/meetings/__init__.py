"""MET meetings: series and meetings, the agenda built from live data, issued versions
(full, sanitised, PDF), attendance, minutes whose decisions move cases, and actions that
roll forward (docs/meetings.md).

What other features may use of this one is exported here, and only here (the import
contracts in pyproject.toml hold every other feature to it; docs/architecture.md).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mettrack.meetings.agenda import DraftAgenda, current_draft, draft_for
    from mettrack.meetings.agenda import build as build_agenda
    from mettrack.meetings.agenda import preview as preview_agenda
    from mettrack.meetings.cards import cards_for
    from mettrack.meetings.intelligence_links import register as register_intelligence_provider
    from mettrack.meetings.membership import meeting_for, meeting_scope

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562)
# so that features which use each other do not load each other's whole package at start-up.
_EXPORTS = {
    "DraftAgenda": "mettrack.meetings.agenda",
    "build_agenda": "mettrack.meetings.agenda:build",
    "current_draft": "mettrack.meetings.agenda",
    "draft_for": "mettrack.meetings.agenda",
    "preview_agenda": "mettrack.meetings.agenda:preview",
    "cards_for": "mettrack.meetings.cards",
    "register_intelligence_provider": "mettrack.meetings.intelligence_links:register",
    "meeting_for": "mettrack.meetings.membership",
    "meeting_scope": "mettrack.meetings.membership",
}
__all__ = [
    "DraftAgenda",
    "build_agenda",
    "current_draft",
    "draft_for",
    "preview_agenda",
    "cards_for",
    "register_intelligence_provider",
    "meeting_for",
    "meeting_scope",
]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
