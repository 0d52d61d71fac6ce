"""The disruption catalogue: the kinds of disruption action (CAWN, Sexual Risk Order,
closure notice ...) an admin keeps on the generic reference-list admin pages
(reference/lists.py; the pages are disruption_pages.py's `kinds_bp`).

Seeded from intelligence/defaults.py by migration 0007 (the Child Criminal Exploitation
Prevention Order seeded disabled: an admin enables it once the provisions commence). An
admin adds a kind, changes its name, description, whether it has an expiry and whether it
needs the CAWN check, and its order; deactivates or reactivates it. A code never changes.
A deactivated kind stays on the actions that hold it but is no longer offered.

Who: reading the catalogue needs no case (it holds nothing about any child); changing it
needs reference.admin (Perm.REFERENCE_DATA_ADMIN). Changes are audited
(disruption_kind.added / .updated / .deactivated / .reactivated / .seeded).
"""

from collections.abc import Mapping

from sqlalchemy import func, select

from mettrack.core.extensions import db
from mettrack.core.form_input import parse_text, parse_yes_no
from mettrack.core.limits import max_length
from mettrack.intelligence.defaults import DISRUPTION_KINDS
from mettrack.intelligence.models import DisruptionKind
from mettrack.reference import ListRules, add_defaults, check_code, check_order
from mettrack.reference import add as reference_lists_add
from mettrack.reference import get as reference_lists_get
from mettrack.reference import set_active as reference_lists_set_active
from mettrack.reference import update as reference_lists_update

MAX_NAME = max_length(DisruptionKind.name)
MAX_DESCRIPTION = 2000
ORDER_STEP = 10  # as migration 0007 seeds them: room to put one between two others
FIELDS = ("code", "name", "description", "has_expiry", "checks_cawn", "sort_order")


def _default_rows() -> list[dict]:
    return [
        dict(
            code=code,
            name=name,
            description=description,
            has_expiry=expiry,
            checks_cawn=cawn,
            active=active,
            sort_order=(position + 1) * ORDER_STEP,
        )
        for position, (code, name, description, expiry, cawn, active) in enumerate(DISRUPTION_KINDS)
    ]


def _missing_rows() -> list[dict]:
    existing = set(db.session.scalars(select(DisruptionKind.code)))
    return [row for row in _default_rows() if row["code"] not in existing]


def seed_defaults() -> int:
    """Adds each default kind not there yet (by code), as migration 0007 does, and returns
    how many; one an admin changed or deactivated is left as it is. Flushes; the caller
    commits."""
    rows = _missing_rows()
    db.session.add_all(DisruptionKind(**row) for row in rows)
    db.session.flush()
    return len(rows)


def missing_defaults() -> int:
    return len(_missing_rows())


def list_all() -> list[DisruptionKind]:
    """Every kind, deactivated ones too, in catalogue order (the admin page)."""
    return list(
        db.session.scalars(select(DisruptionKind).order_by(DisruptionKind.sort_order, DisruptionKind.name))
    )


def get(kind_id: int) -> DisruptionKind:
    """The kind with this id (active or not), or NotFound. Reference data: no audit."""
    return reference_lists_get(RULES, kind_id)


def _check(data: Mapping, errors: dict, kind: DisruptionKind | None, fixed: dict) -> dict:
    values: dict = {}
    if kind is None:
        code = check_code(
            data,
            errors,
            DisruptionKind,
            example="closure_order",
            taken="A kind with this code already exists: choose another code",
        )
        if code is not None:
            values["code"] = code
    name = parse_text(data, "name", "The name", errors, max_length=MAX_NAME, required=True)
    if name is not None:
        values["name"] = name
    values["description"] = parse_text(
        data, "description", "The description", errors, max_length=MAX_DESCRIPTION
    )
    expiry = parse_yes_no(data, "has_expiry", "Say whether the action has an expiry date (yes or no)", errors)
    if expiry is not None:
        values["has_expiry"] = expiry
    cawn = parse_yes_no(
        data, "checks_cawn", "Say whether it needs the CAWN check of the child's age (yes or no)", errors
    )
    if cawn is not None:
        values["checks_cawn"] = cawn
    order = check_order(data, errors)
    if order is not None:
        values["sort_order"] = order
    return values


def _after_last(values: dict) -> int:
    return (db.session.scalar(select(func.max(DisruptionKind.sort_order))) or 0) + ORDER_STEP


RULES = ListRules(
    record_type="disruption_kind",
    model=DisruptionKind,
    fields=FIELDS,
    refusal="Your role does not allow changing the disruption catalogue",
    check=_check,
    added_detail=lambda kind: {"code": kind.code},
    row_detail=lambda kind: {"code": kind.code},
    next_order=_after_last,
    seed=seed_defaults,
)


def add_kind(user, data: Mapping) -> DisruptionKind:
    """Who: reference.admin. A new active kind: `code` (unique, never changed later),
    `name`, optional `description`, `has_expiry` and `checks_cawn` (yes/no), optional
    `sort_order` (default: after the last). Audited."""
    return reference_lists_add(RULES, user, data)


def update_kind(user, kind_id: int, data: Mapping) -> DisruptionKind:
    """Who: reference.admin. Changes the name, description, expiry, CAWN check and order
    (the code stays). Actions already recorded show the new name. Audited."""
    return reference_lists_update(RULES, user, kind_id, data)


def set_active(user, kind_id: int, active: bool) -> DisruptionKind:
    """Who: reference.admin. Deactivates (no longer offered; kept on actions that hold it)
    or enables a kind: the Child Criminal Exploitation Prevention Order, seeded disabled,
    is enabled this way once commenced. Audited."""
    return reference_lists_set_active(RULES, user, kind_id, active)


def add_starting_list(user) -> int:
    """Who: reference.admin. Adds the default kinds not there yet. Audited."""
    return add_defaults(RULES, user)
