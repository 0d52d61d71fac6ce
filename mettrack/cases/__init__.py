"""The case: what a viewer may see of it (projection.py) and its page (page.py).

What other features may use of this one is exported here, and only here (the import
contracts in pyproject.toml hold every other feature to it; docs/architecture.md).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mettrack.cases.access_reasons import AccessReasonRequired
    from mettrack.cases.access_reasons import required as access_reason_required
    from mettrack.cases.classification import classification_of, may_edit, save
    from mettrack.cases.classification import wanted_tags as classification_tags
    from mettrack.cases.lock import locked_case
    from mettrack.cases.page import offered_moves as page_offered_moves
    from mettrack.cases.page import screening_rows
    from mettrack.cases.projection import View, project, project_for
    from mettrack.cases.queries import (
        WHOLE_RECORD_NOTE,
        alert_condition,
        alerts_for,
        get_for,
        get_summary_for,
        record_visible,
        require,
        review_overdue,
        rhi_to_offer_case_condition,
    )
    from mettrack.cases.schemas import LifecycleCaseSchema
    from mettrack.cases.scopes import case_scope, case_summary_scope
    from mettrack.cases.team import (
        add_member,
        cases_to_reassign,
        change_lead,
        count_to_reassign,
        join_team,
        waiting_for_lead,
    )
    from mettrack.cases.transitions import (
        ACTION_FIELDS,
        MoveRefused,
        add_service,
        apply,
        check_role,
        current_version,
        parse_service,
    )
    from mettrack.cases.transitions import (
        offered_moves as transitions_offered_moves,
    )
    from mettrack.cases.workflow import move_for, needs, states_taking

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562)
# so that features which use each other do not load each other's whole package at start-up.
_EXPORTS = {
    "WHOLE_RECORD_NOTE": "mettrack.cases.queries",
    "cases_to_reassign": "mettrack.cases.team",
    "rhi_to_offer_case_condition": "mettrack.cases.queries",
    "alert_condition": "mettrack.cases.queries",
    "AccessReasonRequired": "mettrack.cases.access_reasons",
    "access_reason_required": "mettrack.cases.access_reasons:required",
    "ACTION_FIELDS": "mettrack.cases.transitions",
    "LifecycleCaseSchema": "mettrack.cases.schemas",
    "add_service": "mettrack.cases.transitions",
    "parse_service": "mettrack.cases.transitions",
    "MoveRefused": "mettrack.cases.transitions",
    "add_member": "mettrack.cases.team",
    "join_team": "mettrack.cases.team",
    "alerts_for": "mettrack.cases.queries",
    "apply": "mettrack.cases.transitions",
    "case_scope": "mettrack.cases.scopes",
    "case_summary_scope": "mettrack.cases.scopes",
    "change_lead": "mettrack.cases.team",
    "check_role": "mettrack.cases.transitions",
    "classification_of": "mettrack.cases.classification",
    "classification_tags": "mettrack.cases.classification:wanted_tags",
    "count_to_reassign": "mettrack.cases.team",
    "waiting_for_lead": "mettrack.cases.team",
    "current_version": "mettrack.cases.transitions",
    "get_for": "mettrack.cases.queries",
    "get_summary_for": "mettrack.cases.queries",
    "locked_case": "mettrack.cases.lock",
    "may_edit": "mettrack.cases.classification",
    "move_for": "mettrack.cases.workflow",
    "needs": "mettrack.cases.workflow",
    "page_offered_moves": "mettrack.cases.page:offered_moves",
    "project": "mettrack.cases.projection",
    "project_for": "mettrack.cases.projection",
    "View": "mettrack.cases.projection",
    "record_visible": "mettrack.cases.queries",
    "require": "mettrack.cases.queries",
    "review_overdue": "mettrack.cases.queries",
    "save": "mettrack.cases.classification",
    "screening_rows": "mettrack.cases.page",
    "states_taking": "mettrack.cases.workflow",
    "transitions_offered_moves": "mettrack.cases.transitions:offered_moves",
}
__all__ = [
    "WHOLE_RECORD_NOTE",
    "cases_to_reassign",
    "rhi_to_offer_case_condition",
    "alert_condition",
    "AccessReasonRequired",
    "access_reason_required",
    "ACTION_FIELDS",
    "LifecycleCaseSchema",
    "MoveRefused",
    "View",
    "add_member",
    "add_service",
    "alerts_for",
    "apply",
    "case_scope",
    "case_summary_scope",
    "change_lead",
    "check_role",
    "classification_of",
    "classification_tags",
    "count_to_reassign",
    "waiting_for_lead",
    "current_version",
    "get_for",
    "get_summary_for",
    "join_team",
    "locked_case",
    "may_edit",
    "move_for",
    "needs",
    "page_offered_moves",
    "parse_service",
    "project",
    "project_for",
    "record_visible",
    "require",
    "review_overdue",
    "save",
    "screening_rows",
    "states_taking",
    "transitions_offered_moves",
]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
