"""The reference data every installation starts with, as the rows it is stored as: the
reference lists (police tiers and holding teams, exit reasons), the
risk indicator catalogue (risk.DEFAULT_INDICATORS) and the language list
(data/phrases.csv).

Pure data, no Flask or database, because two readers must add the same rows: the
migration that seeds a new database (`flask db upgrade`, migrations/versions/
0003_default_reference_data.py) and the services' seed functions (`flask demo load`, the
admins' "add the default items" buttons). Each row is added only while its natural key is
missing, so a default an admin has changed or deactivated is never overwritten or
duplicated.
"""

from collections.abc import Callable, Hashable, Iterable, Mapping

from mettrack.core.choices import ReferenceKind
from mettrack.language.rules import load_seed_phrases, phrase_key
from mettrack.risk.rules import DEFAULT_INDICATORS

# (kind, code, label, parent_code): a police team's parent is the tier it holds cases for.
# Examples for a partnership to rename or deactivate: tiers and teams differ between forces.
DEFAULT_REFERENCE_ITEMS: tuple[tuple[ReferenceKind, str, str, str | None], ...] = (
    (ReferenceKind.POLICE_TIER, "high", "High: Hants MET Team or High Harm", None),
    (ReferenceKind.POLICE_TIER, "medium", "Medium: Neighbourhood Policing Team", None),
    (ReferenceKind.POLICE_TEAM, "hants_met_team", "Hants MET Team", "high"),
    (ReferenceKind.POLICE_TEAM, "high_harm_team", "High Harm Team", "high"),
    (ReferenceKind.POLICE_TEAM, "npt_north", "Neighbourhood Policing Team (North)", "medium"),
    (ReferenceKind.POLICE_TEAM, "npt_south", "Neighbourhood Policing Team (South)", "medium"),
    (ReferenceKind.EXIT_REASON, "risk_reduced", "Risk reduced", None),
    (ReferenceKind.EXIT_REASON, "moved_out_of_area", "Moved out of area", None),
    (ReferenceKind.EXIT_REASON, "turned_18", "Turned 18", None),
    (ReferenceKind.EXIT_REASON, "no_further_action", "No further action", None),
    (ReferenceKind.EXIT_REASON, "other", "Other", None),
)

# Gaps between the default indicators' orders leave room for an admin's own in between.
INDICATOR_ORDER_STEP = 10

Row = dict[str, object]


def reference_item_key(row: Mapping) -> tuple[str, str]:
    """A reference item's natural key: its list and code (unique together)."""
    return (row["kind"], row["code"])


def risk_indicator_key(row: Mapping) -> str:
    """A risk indicator's natural key: its code, which never changes once made."""
    return row["code"]


def language_phrase_key(row: Mapping) -> str:
    """A language list entry's natural key: the phrase ignoring letter case and spacing."""
    return phrase_key(row["phrase"])


def reference_item_rows() -> list[Row]:
    """The default reference_items rows, in the order the lists show them."""
    return [
        {
            "kind": kind.value,
            "code": code,
            "label": label,
            "parent_code": parent,
            "active": True,
            "sort_order": order,
        }
        for order, (kind, code, label, parent) in enumerate(DEFAULT_REFERENCE_ITEMS)
    ]


def risk_indicator_rows() -> list[Row]:
    """The default risk_indicators rows, in the order the catalogue lists them."""
    return [
        {
            "code": indicator.code,
            "group": indicator.group.value,
            "label": indicator.label,
            "active": True,
            "sort_order": order * INDICATOR_ORDER_STEP,
        }
        for order, indicator in enumerate(DEFAULT_INDICATORS, start=1)
    ]


def language_phrase_rows() -> list[Row]:
    """The default language_phrases rows, from data/phrases.csv."""
    return [
        {"phrase": entry.phrase, "suggestion": entry.suggestion, "why": entry.why or None, "active": True}
        for entry in load_seed_phrases()
    ]


def missing_rows(
    rows: Iterable[Row], key: Callable[[Mapping], Hashable], existing_keys: Iterable[Hashable]
) -> list[Row]:
    """The rows whose key is not among `existing_keys`, each key once (the first row)."""
    seen = set(existing_keys)
    missing = []
    for row in rows:
        if key(row) not in seen:
            seen.add(key(row))
            missing.append(row)
    return missing
