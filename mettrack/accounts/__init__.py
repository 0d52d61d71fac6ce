"""Users, agencies, sign-in, passwords and personal API tokens; the administrator's user pages.

What other features may use of this one is exported here, and only here (the import
contracts in pyproject.toml hold every other feature to it; docs/architecture.md).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mettrack.accounts.passwords import MIN_LENGTH, hash_password
    from mettrack.accounts.tokens import create_token, user_by_email, user_for_secret
    from mettrack.accounts.two_factor import rotate_key as rotate_two_factor_key
    from mettrack.accounts.users import UserInput, create_user, get_or_create_agency, set_active

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562)
# so that features which use each other do not load each other's whole package at start-up.
_EXPORTS = {
    "MIN_LENGTH": "mettrack.accounts.passwords",
    "UserInput": "mettrack.accounts.users",
    "create_token": "mettrack.accounts.tokens",
    "create_user": "mettrack.accounts.users",
    "get_or_create_agency": "mettrack.accounts.users",
    "hash_password": "mettrack.accounts.passwords",
    "rotate_two_factor_key": "mettrack.accounts.two_factor:rotate_key",
    "purge_stale_sign_in_failures": "mettrack.accounts.lockout:purge_stale",
    "set_active": "mettrack.accounts.users",
    "user_by_email": "mettrack.accounts.tokens",
    "user_for_secret": "mettrack.accounts.tokens",
}
__all__ = [
    "MIN_LENGTH",
    "UserInput",
    "create_token",
    "create_user",
    "get_or_create_agency",
    "hash_password",
    "rotate_two_factor_key",
    "purge_stale_sign_in_failures",
    "set_active",
    "user_by_email",
    "user_for_secret",
]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
