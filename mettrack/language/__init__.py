"""The language check: phrases that blame the child, better words, the admin list.

What other features may use of this one is exported here, and only here (the import
contracts in pyproject.toml hold every other feature to it; docs/architecture.md).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mettrack.language.api import documents_language_check
    from mettrack.language.check import WordingFlagged, audit_detail, check_before_saving
    from mettrack.language.pages import save_anyway_ticked
    from mettrack.language.phrases import check_request, finding_dict, seed_defaults
    from mettrack.language.schemas import (
        LanguageCheckRequestSchema,
        LanguageCheckResultSchema,
        LanguageFindingSchema,
    )

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562)
# so that features which use each other do not load each other's whole package at start-up.
_EXPORTS = {
    "LanguageCheckRequestSchema": "mettrack.language.schemas",
    "LanguageCheckResultSchema": "mettrack.language.schemas",
    "LanguageFindingSchema": "mettrack.language.schemas",
    "WordingFlagged": "mettrack.language.check",
    "audit_detail": "mettrack.language.check",
    "check_before_saving": "mettrack.language.check",
    "check_request": "mettrack.language.phrases",
    "documents_language_check": "mettrack.language.api",
    "finding_dict": "mettrack.language.phrases",
    "save_anyway_ticked": "mettrack.language.pages",
    "seed_defaults": "mettrack.language.phrases",
}
__all__ = [
    "LanguageCheckRequestSchema",
    "LanguageCheckResultSchema",
    "LanguageFindingSchema",
    "WordingFlagged",
    "audit_detail",
    "check_before_saving",
    "check_request",
    "documents_language_check",
    "finding_dict",
    "save_anyway_ticked",
    "seed_defaults",
]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
