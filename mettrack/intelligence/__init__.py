"""Intelligence: Community Partnership Information, grading and handling, locations and
persons of concern, disruption actions, peer links, hotspots and the association picture.

What other features may use of this one is exported here, and only here (the import
contracts in pyproject.toml hold every other feature to it; docs/architecture.md).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mettrack.intelligence.locations import create_location
    from mettrack.intelligence.normalise import (
        phone_or_none,
        postcode_or_none,
        registration_display,
        registration_or_none,
    )
    from mettrack.intelligence.persons import create_person

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562).
_EXPORTS: dict[str, str] = {
    "create_location": "mettrack.intelligence.locations",
    "create_person": "mettrack.intelligence.persons",
    "phone_or_none": "mettrack.intelligence.normalise",
    "postcode_or_none": "mettrack.intelligence.normalise",
    "registration_display": "mettrack.intelligence.normalise",
    "registration_or_none": "mettrack.intelligence.normalise",
}
__all__: list[str] = [
    "create_location",
    "create_person",
    "phone_or_none",
    "postcode_or_none",
    "registration_display",
    "registration_or_none",
]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
