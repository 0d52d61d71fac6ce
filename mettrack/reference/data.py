"""The lists a partnership keeps (domain.choices.ReferenceKind): police tiers and their
holding teams, and exit reasons (the specialist services have their own catalogue,
specialist_services/catalogue.py). They differ between partnerships and forces, so
they are rows an admin can change, seeded with the defaults in
mettrack/reference/defaults.py (by `flask db upgrade` on a new database).

Codes are what cases store; labels are what pages show. A deactivated item stays
readable on the cases that used it but is no longer offered.
"""

import re
from collections.abc import Mapping

from sqlalchemy import exists, func, select

from mettrack.cases.models import Case
from mettrack.core.choices import ReferenceKind
from mettrack.core.errors import NotAllowed  # noqa: F401  (what a refusal raises)
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_int, parse_text
from mettrack.core.limits import max_length
from mettrack.reference import defaults as reference_defaults
from mettrack.reference import lists as reference_lists
from mettrack.reference.models import ReferenceItem

# The default items (kind, code, label, parent_code) live with the other defaults, which
# the migrations seed too; named here as well because callers know them by this name.
DEFAULTS = reference_defaults.DEFAULT_REFERENCE_ITEMS

# The exit reason a lead professional's "no further action" closure records, and the one
# whose note is required because its label says nothing on its own.
NO_FURTHER_ACTION = "no_further_action"
OTHER = "other"


def seed_defaults() -> int:
    """Who: the CLI (`flask demo load`) and set-up (`flask db upgrade` adds the same rows).
    Adds each default item that is not there yet (by kind and code) and returns how many it
    added; an item an admin has changed or deactivated is left as it is. Flushes; the
    caller commits."""
    rows = _missing_default_rows()
    db.session.add_all(ReferenceItem(**row) for row in rows)
    db.session.flush()
    return len(rows)


def _missing_default_rows() -> list[dict]:
    existing = {
        (kind, code) for kind, code in db.session.execute(select(ReferenceItem.kind, ReferenceItem.code))
    }
    return reference_defaults.missing_rows(
        reference_defaults.reference_item_rows(), reference_defaults.reference_item_key, existing
    )


def list_active(kind: ReferenceKind | str, *, parent_code: str | None = None) -> list[ReferenceItem]:
    """The items of a list that are offered, in their order (for a police team: of one tier)."""
    query = select(ReferenceItem).where(ReferenceItem.kind == ReferenceKind(kind).value, ReferenceItem.active)
    if parent_code is not None:
        query = query.where(ReferenceItem.parent_code == parent_code)
    return list(db.session.scalars(query.order_by(ReferenceItem.sort_order, ReferenceItem.label)))


def active_item(kind: ReferenceKind | str, code: str | None) -> ReferenceItem | None:
    """The offered item with this code, or None for a blank, unknown or deactivated code."""
    if not code:
        return None
    return db.session.scalar(
        select(ReferenceItem).where(
            ReferenceItem.kind == ReferenceKind(kind).value, ReferenceItem.code == code, ReferenceItem.active
        )
    )


def label_for(kind: ReferenceKind | str, code: str | None) -> str:
    """The label to show for a stored code, deactivated or not; the code itself if unknown."""
    if not code:
        return ""
    label = db.session.scalar(
        select(ReferenceItem.label).where(
            ReferenceItem.kind == ReferenceKind(kind).value, ReferenceItem.code == code
        )
    )
    return label or code


# --- administration (reference/admin_pages.py) ------------------------------------------
# Who: reference.admin (Perm.REFERENCE_DATA_ADMIN). Reading the lists holds nothing about
# any child, so it is not audited; every change is. A code is what cases store, so it
# cannot change once anything uses it (nor for the codes the system itself names); a
# deactivated item stays readable on the cases that used it but is no longer offered.

KIND_SINGULAR: dict[ReferenceKind, str] = {
    ReferenceKind.POLICE_TIER: "police tier",
    ReferenceKind.POLICE_TEAM: "police holding team",
    ReferenceKind.EXIT_REASON: "exit reason",
}
# The longest code each list may hold: the column that stores it on a case.
MAX_CODE: dict[ReferenceKind, int] = {
    ReferenceKind.POLICE_TIER: max_length(Case.police_tier),
    ReferenceKind.POLICE_TEAM: max_length(ReferenceItem.code),  # Case.police_team holds more
    ReferenceKind.EXIT_REASON: max_length(ReferenceItem.code),  # Case.closure_reason holds more
}
MAX_LABEL = max_length(ReferenceItem.label)
MAX_ORDER = 10_000
ORDER_STEP = 10
ITEM_FIELDS = ("code", "label", "parent_code", "sort_order")  # the order the form shows them
# Codes the system names in its own rules (cases/transitions.py): never renamed.
SYSTEM_CODES = {
    (ReferenceKind.EXIT_REASON.value, NO_FURTHER_ACTION),
    (ReferenceKind.EXIT_REASON.value, OTHER),
}
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def kind_or_none(value) -> ReferenceKind | None:
    """The list named by `value` (a ReferenceKind value), or None if there is none."""
    try:
        return ReferenceKind(value)
    except ValueError:
        return None


def list_all(kind: ReferenceKind | str) -> list[ReferenceItem]:
    """Every item of a list, deactivated ones too, in their order (for the admin page)."""
    query = select(ReferenceItem).where(ReferenceItem.kind == ReferenceKind(kind).value)
    return list(db.session.scalars(query.order_by(ReferenceItem.sort_order, ReferenceItem.label)))


def get_item(item_id: int) -> ReferenceItem:
    """The item with this id (active or not), or NotFound. Reference data: no audit."""
    return reference_lists.get(RULES, item_id)


def code_in_use(item: ReferenceItem) -> bool:
    """Whether anything stores this item's code: a case (police tier or team, exit
    reason), or (for a tier) one of its teams."""
    kind = ReferenceKind(item.kind)
    code = item.code
    if kind is ReferenceKind.POLICE_TIER:
        condition = exists().where(Case.police_tier == code)
        teams = exists().where(
            ReferenceItem.kind == ReferenceKind.POLICE_TEAM.value, ReferenceItem.parent_code == code
        )
        return bool(db.session.scalar(select(condition)) or db.session.scalar(select(teams)))
    if kind is ReferenceKind.POLICE_TEAM:
        condition = exists().where(Case.police_team == code)
    else:
        condition = exists().where(Case.closure_reason == code)
    return bool(db.session.scalar(select(condition)))


def code_locked(item: ReferenceItem) -> bool:
    """Whether the item's code may no longer change (used, or named by the system)."""
    return (item.kind, item.code) in SYSTEM_CODES or code_in_use(item)


def tier_choices() -> list[tuple[str, str]]:
    """(code, label) of every police tier, offered or not (a team's parent)."""
    return [
        (item.code, item.label + ("" if item.active else " (deactivated)"))
        for item in list_all(ReferenceKind.POLICE_TIER)
    ]


def _check(data: Mapping, errors: dict, item: ReferenceItem | None, fixed: dict) -> dict:
    kind = ReferenceKind(item.kind if item is not None else fixed["kind"])
    values: dict = {}
    singular = KIND_SINGULAR[kind]
    if item is None or ("code" in data and not code_locked(item)):
        code = parse_text(data, "code", "The code", errors, max_length=MAX_CODE[kind], required=True)
        if code is not None:
            code = code.lower()
            taken = db.session.scalar(
                select(ReferenceItem.id).where(
                    ReferenceItem.kind == kind.value,
                    ReferenceItem.code == code,
                    ReferenceItem.id != (item.id if item else -1),
                )
            )
            if not _CODE_RE.match(code):
                errors["code"] = (
                    "The code must start with a letter and use only lower-case letters, digits and "
                    "underscores, like npt_east"
                )
            elif taken:
                errors["code"] = f"A {singular} with this code already exists: choose another code"
            else:
                values["code"] = code
    label = parse_text(data, "label", "The label", errors, max_length=MAX_LABEL, required=True)
    if label is not None:
        values["label"] = label
    if kind is ReferenceKind.POLICE_TEAM:
        parent = data.get("parent_code")
        tiers = {code for code, _ in tier_choices()}
        if not isinstance(parent, str) or parent.strip() not in tiers:
            errors["parent_code"] = "Choose the police tier this team holds cases for"
        else:
            values["parent_code"] = parent.strip()
    order = parse_int(data, "sort_order", "The order", errors)
    if order is not None and not 0 <= order <= MAX_ORDER:
        errors["sort_order"] = f"The order must be a whole number from 0 to {MAX_ORDER}"
    elif order is not None:
        values["sort_order"] = order
    return values


def _after_last(values: dict) -> int:
    last = db.session.scalar(
        select(func.max(ReferenceItem.sort_order)).where(ReferenceItem.kind == values["kind"])
    )
    return (last or 0) + ORDER_STEP


def _kind_and_code(item: ReferenceItem) -> dict:
    return {"kind": item.kind, "code": item.code}


def _code_taken(item: ReferenceItem) -> dict:
    singular = KIND_SINGULAR[ReferenceKind(item.kind)]
    return {"code": f"A {singular} with this code already exists: choose another code"}


RULES = reference_lists.ListRules(
    record_type="reference_item",
    model=ReferenceItem,
    fields=ITEM_FIELDS,
    refusal="Your role does not allow changing reference data",
    check=_check,
    added_detail=_kind_and_code,
    row_detail=_kind_and_code,
    next_order=_after_last,
    duplicate=_code_taken,  # the same code added at the same moment by another admin
    belongs=lambda item: kind_or_none(item.kind) is not None,
    seed=seed_defaults,
)


def add_item(user, kind: ReferenceKind | str, data: Mapping) -> ReferenceItem:
    """Who: reference.admin. A new, offered item of a list: `code` (lower-case letters,
    digits and underscores; unique in its list), `label`, for a police team its tier
    (`parent_code`), and an optional `sort_order` (default: after the last). Audited."""
    return reference_lists.add(RULES, user, data, kind=ReferenceKind(kind).value)


def update_item(user, item_id: int, data: Mapping) -> ReferenceItem:
    """Who: reference.admin. Changes an item's label, order and (a team's) tier; its code
    too while nothing uses it. Cases show the new label: change the wording, not the
    meaning. Audited."""
    return reference_lists.update(RULES, user, item_id, data)


def set_item_active(user, item_id: int, active: bool) -> ReferenceItem:
    """Who: reference.admin. Deactivates an item (no longer offered; cases that hold it
    still show it) or reactivates it. Audited."""
    return reference_lists.set_active(RULES, user, item_id, active)


def add_missing_defaults(user) -> int:
    """Who: reference.admin. Adds the default items not there yet (seed_defaults), for
    setting up a new partnership, and returns how many. Audited."""
    return reference_lists.add_defaults(RULES, user)


def missing_defaults() -> int:
    """How many default items are not there (for the admin page)."""
    return len(_missing_default_rows())
