"""MET meetings: series and meetings, the agenda built from live data, issued versions
(full, sanitised, PDF), attendance, minutes whose decisions move cases, and actions that
roll forward (docs/meetings.md).

What other features may use of this one is exported here, and only here (the import
contracts in pyproject.toml hold every other feature to it; docs/architecture.md).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mettrack.meetings.actions import count_open_for as count_open_actions
    from mettrack.meetings.actions import mark_done as mark_action_done
    from mettrack.meetings.agenda import DraftAgenda, current_draft, draft_for
    from mettrack.meetings.agenda import add_case as add_agenda_case
    from mettrack.meetings.agenda import build as build_agenda
    from mettrack.meetings.agenda import preview as preview_agenda
    from mettrack.meetings.attendance import record as record_attendance
    from mettrack.meetings.cards import cards_for
    from mettrack.meetings.contributions import propose_closure
    from mettrack.meetings.contributions import save_update as save_lead_update
    from mettrack.meetings.intelligence_links import register as register_intelligence_provider
    from mettrack.meetings.issue import issue_agenda
    from mettrack.meetings.membership import meeting_for, meeting_scope
    from mettrack.meetings.minutes import apply_decisions
    from mettrack.meetings.minutes import approve as approve_minutes
    from mettrack.meetings.minutes import record_item as record_item_minutes
    from mettrack.meetings.pdf import build_pdf as build_agenda_pdf
    from mettrack.meetings.pdf import pdfs_to_enqueue
    from mettrack.meetings.schedule import create_meeting, create_series, my_meetings

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562)
# so that features which use each other do not load each other's whole package at start-up.
_EXPORTS = {
    "DraftAgenda": "mettrack.meetings.agenda",
    "add_agenda_case": "mettrack.meetings.agenda:add_case",
    "apply_decisions": "mettrack.meetings.minutes",
    "approve_minutes": "mettrack.meetings.minutes:approve",
    "build_agenda": "mettrack.meetings.agenda:build",
    "build_agenda_pdf": "mettrack.meetings.pdf:build_pdf",
    "cards_for": "mettrack.meetings.cards",
    "count_open_actions": "mettrack.meetings.actions:count_open_for",
    "create_meeting": "mettrack.meetings.schedule",
    "create_series": "mettrack.meetings.schedule",
    "current_draft": "mettrack.meetings.agenda",
    "draft_for": "mettrack.meetings.agenda",
    "issue_agenda": "mettrack.meetings.issue",
    "mark_action_done": "mettrack.meetings.actions:mark_done",
    "meeting_for": "mettrack.meetings.membership",
    "meeting_scope": "mettrack.meetings.membership",
    "my_meetings": "mettrack.meetings.schedule",
    "pdfs_to_enqueue": "mettrack.meetings.pdf",
    "preview_agenda": "mettrack.meetings.agenda:preview",
    "propose_closure": "mettrack.meetings.contributions",
    "record_attendance": "mettrack.meetings.attendance:record",
    "record_item_minutes": "mettrack.meetings.minutes:record_item",
    "register_intelligence_provider": "mettrack.meetings.intelligence_links:register",
    "save_lead_update": "mettrack.meetings.contributions:save_update",
}
__all__ = [
    "DraftAgenda",
    "add_agenda_case",
    "apply_decisions",
    "approve_minutes",
    "build_agenda",
    "build_agenda_pdf",
    "cards_for",
    "count_open_actions",
    "create_meeting",
    "create_series",
    "current_draft",
    "draft_for",
    "issue_agenda",
    "mark_action_done",
    "meeting_for",
    "meeting_scope",
    "my_meetings",
    "pdfs_to_enqueue",
    "preview_agenda",
    "propose_closure",
    "record_attendance",
    "record_item_minutes",
    "register_intelligence_provider",
    "save_lead_update",
]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
