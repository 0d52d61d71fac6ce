"""The lists an administrator keeps (reference data, risk indicators, the language list,
and later the disruption and service catalogues) change in the same ways: add, change,
deactivate, reactivate, add the defaults. This module is those use cases once; each list
says what it holds and how its input is checked in a `ListRules`.

Who: reference.admin (Perm.REFERENCE_DATA_ADMIN) for every change. A refusal is audited
on its own connection and raised as NotAllowed; every change is audited in its own unit
of work, which commits once. Rows are never deleted: a deactivated row stays readable on
the records that hold it but is no longer offered.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mettrack.core import audit
from mettrack.core.choices import AuditOutcome
from mettrack.core.errors import NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_int, parse_text
from mettrack.core.limits import max_length
from mettrack.core.permissions import Perm, can
from mettrack.core.unit_of_work import transaction

CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_ORDER = 10_000


def _nothing(row) -> dict:
    return {}


@dataclass(frozen=True)
class ListRules:
    """One admin list. `record_type` names its audit rows (`<record_type>.added` ...)."""

    record_type: str
    model: type
    fields: tuple[str, ...]  # the order the form shows them, and errors are listed in
    refusal: str  # what a role without reference.admin is told
    # (data, errors, row or None when new, fixed values of a new row) -> the checked values;
    # a message per field in `errors` for what is wrong.
    check: Callable[[Mapping, dict, Any, dict], dict]
    added_detail: Callable[[Any], dict] = _nothing  # what the audit row of an addition names
    row_detail: Callable[[Any], dict] = _nothing  # ... of a change, deactivation, reactivation
    next_order: Callable[[dict], int] | None = None  # a new row's sort_order when none is given
    # The database's unique index refused the values (two admins at the same moment).
    duplicate: Callable[[Any], dict] | None = None  # (the row) -> errors
    belongs: Callable[[Any], bool] = field(default=lambda row: True)  # a row this list shows
    seed: Callable[[], int] | None = None  # adds the missing defaults, returns how many


def check_code(data: Mapping, errors: dict, model, *, example: str, taken: str) -> str | None:
    """A new row's `code` from the form, lower-cased: letters, digits and underscores, not
    already used by a row of `model`. None, with errors["code"], when it is not that;
    `example` is a code like it, `taken` what is said when another row has it."""
    code = parse_text(data, "code", "The code", errors, max_length=max_length(model.code), required=True)
    if code is None:
        return None
    code = code.lower()
    if not CODE_RE.match(code):
        errors["code"] = (
            "The code must start with a letter and use only lower-case letters, digits and "
            f"underscores, like {example}"
        )
    elif db.session.scalar(select(model.id).where(model.code == code)):
        errors["code"] = taken
    else:
        return code
    return None


def check_order(data: Mapping, errors: dict) -> int | None:
    """The form's `sort_order`, a whole number from 0 to MAX_ORDER; None when blank or wrong
    (then with errors["sort_order"])."""
    order = parse_int(data, "sort_order", "The order", errors)
    if order is not None and not 0 <= order <= MAX_ORDER:
        errors["sort_order"] = f"The order must be a whole number from 0 to {MAX_ORDER}"
        return None
    return order


def require_admin(rules: ListRules, user, record_id=None) -> None:
    if not can(user, Perm.REFERENCE_DATA_ADMIN):
        action = f"{rules.record_type}.change.denied"
        audit.record_now(action, rules.record_type, record_id, outcome=AuditOutcome.DENIED, actor=user)
        raise NotAllowed(action, (rules.refusal,))


def get(rules: ListRules, record_id: int):
    """The row with this id (active or not), or NotFound. Reference data: no audit."""
    row = db.session.get(rules.model, record_id)
    if row is None or not rules.belongs(row):
        raise NotFound(rules.record_type, record_id)
    return row


def _refuse(rules: ListRules, errors: dict) -> None:
    ordered = {f: errors[f] for f in rules.fields if f in errors}
    raise ValidationError(ordered | {f: m for f, m in errors.items() if f not in rules.fields})


def _flush(rules: ListRules, row) -> None:
    try:
        db.session.flush()
    except IntegrityError:
        if rules.duplicate is None:
            raise
        _refuse(rules, rules.duplicate(row))


@transaction
def add(rules: ListRules, user, data: Mapping, **fixed):
    """Who: reference.admin. A new, offered row from the form's `data` (and `fixed`
    values the page sets, such as a reference item's kind). Audited."""
    require_admin(rules, user)
    errors: dict[str, str] = {}
    values = {**fixed, **rules.check(data, errors, None, fixed)}
    if errors:
        _refuse(rules, errors)
    if rules.next_order is not None and "sort_order" not in values:
        values["sort_order"] = rules.next_order(values)
    row = rules.model(active=True, **values)
    db.session.add(row)
    _flush(rules, row)
    detail = rules.added_detail(row) or None
    audit.record(f"{rules.record_type}.added", rules.record_type, row.id, detail=detail, actor=user)
    return row


@transaction
def update(rules: ListRules, user, record_id: int, data: Mapping):
    """Who: reference.admin. Changes what the list's check allows to change; records
    that hold the row show the change. Audited, naming the fields changed."""
    require_admin(rules, user, record_id)
    row = get(rules, record_id)
    errors: dict[str, str] = {}
    values = rules.check(data, errors, row, {})
    if errors:
        _refuse(rules, errors)
    changed = sorted(name for name, value in values.items() if getattr(row, name) != value)
    for name, value in values.items():
        setattr(row, name, value)
    _flush(rules, row)
    detail = {**rules.row_detail(row), "fields": changed}
    audit.record(f"{rules.record_type}.updated", rules.record_type, row.id, detail=detail, actor=user)
    return row


@transaction
def set_active(rules: ListRules, user, record_id: int, active: bool):
    """Who: reference.admin. Deactivates a row (no longer offered; records that hold it
    still show it) or reactivates it. Audited when it changes."""
    require_admin(rules, user, record_id)
    row = get(rules, record_id)
    if row.active != active:
        row.active = active
        action = f"{rules.record_type}.{'reactivated' if active else 'deactivated'}"
        audit.record(action, rules.record_type, row.id, detail=rules.row_detail(row) or None, actor=user)
    return row


@transaction
def add_defaults(rules: ListRules, user) -> int:
    """Who: reference.admin. Adds the list's defaults that are not there yet (one an
    admin changed or deactivated is left as it is) and returns how many. Audited."""
    require_admin(rules, user)
    added = rules.seed()
    audit.record(f"{rules.record_type}.seeded", rules.record_type, None, detail={"added": added}, actor=user)
    return added
