"""Reference data lists an administrator keeps (police tiers and teams, services, exit
reasons ...) and the generic reference-list admin.

What other features may use of this one is exported here, and only here (the import
contracts in pyproject.toml hold every other feature to it; docs/architecture.md).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mettrack.reference.data import (
        NO_FURTHER_ACTION,
        OTHER,
        active_item,
        label_for,
        list_active,
        seed_defaults,
    )
    from mettrack.reference.list_pages import (
        CODE_COLUMN,
        AdminList,
        Column,
        FormField,
        Section,
        code_field,
        register,
    )
    from mettrack.reference.lists import (
        CODE_RE,
        ListRules,
        add,
        add_defaults,
        check_code,
        check_order,
        get,
        set_active,
        update,
    )

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562)
# so that features which use each other do not load each other's whole package at start-up.
_EXPORTS = {
    "AdminList": "mettrack.reference.list_pages",
    "CODE_COLUMN": "mettrack.reference.list_pages",
    "CODE_RE": "mettrack.reference.lists",
    "Column": "mettrack.reference.list_pages",
    "FormField": "mettrack.reference.list_pages",
    "ListRules": "mettrack.reference.lists",
    "NO_FURTHER_ACTION": "mettrack.reference.data",
    "OTHER": "mettrack.reference.data",
    "Section": "mettrack.reference.list_pages",
    "active_item": "mettrack.reference.data",
    "add": "mettrack.reference.lists",
    "add_defaults": "mettrack.reference.lists",
    "code_field": "mettrack.reference.list_pages",
    "check_code": "mettrack.reference.lists",
    "check_order": "mettrack.reference.lists",
    "get": "mettrack.reference.lists",
    "label_for": "mettrack.reference.data",
    "list_active": "mettrack.reference.data",
    "register": "mettrack.reference.list_pages",
    "seed_defaults": "mettrack.reference.data",
    "set_active": "mettrack.reference.lists",
    "update": "mettrack.reference.lists",
}
__all__ = [
    "AdminList",
    "CODE_COLUMN",
    "CODE_RE",
    "Column",
    "FormField",
    "ListRules",
    "NO_FURTHER_ACTION",
    "OTHER",
    "Section",
    "active_item",
    "add",
    "add_defaults",
    "check_code",
    "check_order",
    "code_field",
    "get",
    "label_for",
    "list_active",
    "register",
    "seed_defaults",
    "set_active",
    "update",
]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
