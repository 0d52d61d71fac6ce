"""Reminders (the beat scan, the send task's use cases, e-mail), in-app notifications and
the chair's reminder log.

What other features may use of this one is exported here, and only here (the import
contracts in pyproject.toml hold every other feature to it; docs/architecture.md).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mettrack.reminders.delivery import (
        deliver,
        failed_count,
        make_due,
        notify_account_created,
        notify_password_reset,
        notify_retention_review,
        notify_role_grant_decided,
        to_enqueue,
    )
    from mettrack.reminders.notifications import unread_count

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562)
# so that features which use each other do not load each other's whole package at start-up.
_EXPORTS = {
    "unread_count": "mettrack.reminders.notifications",
    "deliver": "mettrack.reminders.delivery",
    "failed_count": "mettrack.reminders.delivery",
    "make_due": "mettrack.reminders.delivery",
    "notify_account_created": "mettrack.reminders.delivery",
    "notify_password_reset": "mettrack.reminders.delivery",
    "notify_role_grant_decided": "mettrack.reminders.delivery",
    "notify_retention_review": "mettrack.reminders.delivery",
    "to_enqueue": "mettrack.reminders.delivery",
}
__all__ = [
    "unread_count",
    "deliver",
    "failed_count",
    "make_due",
    "notify_account_created",
    "notify_password_reset",
    "notify_role_grant_decided",
    "notify_retention_review",
    "to_enqueue",
]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
