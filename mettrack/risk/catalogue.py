"""The risk assessment toolkit's indicator catalogue: reference data an admin keeps.

Seeded from mettrack/risk/rules.py DEFAULT_INDICATORS (grouped as in practice: missing,
relationships, associations, behaviour, health, education, online) by `flask db upgrade`
on a new database (mettrack/reference/defaults.py). An admin adds an
indicator, changes its label, group or order, and deactivates or reactivates it. A code
never changes once made: it is stored with every rating and named by the API. A
deactivated indicator stays on the assessments that rated it but is no longer offered.

Who: reading the active catalogue needs no case (it holds nothing about any child);
changing it needs reference.admin (Perm.REFERENCE_DATA_ADMIN). Changes are audited.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from mettrack.core.choices import IndicatorGroup
from mettrack.core.errors import NotAllowed  # noqa: F401  (what a refusal raises)
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_text
from mettrack.core.limits import max_length
from mettrack.reference import (
    CODE_RE,  # noqa: F401  (assessments.py checks a rating's code with it)
    ListRules,
    check_code,
    check_order,
)
from mettrack.reference import add as reference_lists_add
from mettrack.reference import defaults as reference_defaults
from mettrack.reference import get as reference_lists_get
from mettrack.reference import set_active as reference_lists_set_active
from mettrack.reference import update as reference_lists_update
from mettrack.risk.models import RiskIndicator

MAX_CODE = max_length(RiskIndicator.code)
MAX_LABEL = max_length(RiskIndicator.label)
ORDER_STEP = reference_defaults.INDICATOR_ORDER_STEP  # room to put one between two others
FIELDS = ("code", "label", "group", "sort_order")  # the order the form shows them


def seed_defaults() -> int:
    """Who: the CLI (`flask demo load`) and set-up (`flask db upgrade` adds the same rows).
    Adds each default indicator that is not there yet (by code) and returns how many it
    added; one an admin has changed or deactivated is left as it is. Flushes; the caller
    commits."""
    rows = reference_defaults.missing_rows(
        reference_defaults.risk_indicator_rows(),
        reference_defaults.risk_indicator_key,
        db.session.scalars(select(RiskIndicator.code)),
    )
    db.session.add_all(RiskIndicator(**row) for row in rows)
    db.session.flush()
    return len(rows)


def _group_rank(group: str) -> int:
    groups = IndicatorGroup.values()
    return groups.index(group) if group in groups else len(groups)


def ordered(indicators) -> list[RiskIndicator]:
    return sorted(indicators, key=lambda i: (_group_rank(i.group), i.sort_order, i.label, i.id))


def list_active() -> list[RiskIndicator]:
    """The indicators an assessment offers, in form order (group, then order, then label)."""
    return ordered(db.session.scalars(select(RiskIndicator).where(RiskIndicator.active)))


def list_all() -> list[RiskIndicator]:
    """Every indicator, deactivated ones too, in form order (for the admin page)."""
    return ordered(db.session.scalars(select(RiskIndicator)))


@dataclass(frozen=True)
class GroupOfIndicators:
    group: IndicatorGroup
    indicators: list[RiskIndicator]

    @property
    def label(self) -> str:
        return self.group.label


def grouped(indicators: list[RiskIndicator]) -> list[GroupOfIndicators]:
    """Indicators grouped for a form or a page, groups in IndicatorGroup's order."""
    return [
        GroupOfIndicators(group, [i for i in indicators if i.group == group.value])
        for group in IndicatorGroup
        if any(i.group == group.value for i in indicators)
    ]


def group_choices() -> list[tuple[str, str]]:
    return IndicatorGroup.choices()


# --- admin (the generic list use cases, reference/lists.py)


def get(indicator_id: int) -> RiskIndicator:
    """The indicator with this id (active or not), or NotFound. Reference data: no audit."""
    return reference_lists_get(RULES, indicator_id)


def _check(data: Mapping, errors: dict, indicator: RiskIndicator | None, fixed: dict) -> dict:
    values = {}
    if indicator is None:
        code = check_code(
            data,
            errors,
            RiskIndicator,
            example="older_partner",
            taken="An indicator with this code already exists: choose another code",
        )
        if code is not None:
            values["code"] = code
    label = parse_text(data, "label", "The label", errors, max_length=MAX_LABEL, required=True)
    if label is not None:
        values["label"] = label
    group = data.get("group")
    if not isinstance(group, str) or group.strip() not in IndicatorGroup.values():
        errors["group"] = "Choose the group the indicator belongs to"
    else:
        values["group"] = group.strip()
    order = check_order(data, errors)
    if order is not None:
        values["sort_order"] = order
    return values


def _after_last_of_group(values: dict) -> int:
    last = db.session.scalar(
        select(func.max(RiskIndicator.sort_order)).where(RiskIndicator.group == values["group"])
    )
    return (last or 0) + ORDER_STEP


RULES = ListRules(
    record_type="risk_indicator",
    model=RiskIndicator,
    fields=FIELDS,
    refusal="Your role does not allow changing the risk indicators",
    check=_check,
    added_detail=lambda indicator: {"code": indicator.code, "group": indicator.group},
    next_order=_after_last_of_group,
)


def add_indicator(user, data: Mapping) -> RiskIndicator:
    """Who: reference.admin. A new active indicator: `code` (lower-case letters, digits
    and underscores; unique; never changed later), `label`, `group` (an IndicatorGroup
    value) and optional `sort_order` (default: after the group's last). Audited."""
    return reference_lists_add(RULES, user, data)


def update_indicator(user, indicator_id: int, data: Mapping) -> RiskIndicator:
    """Who: reference.admin. Changes the label, group and order (the code stays). Past
    assessments show the new label: change the wording, not the meaning. Audited."""
    return reference_lists_update(RULES, user, indicator_id, data)


def set_active(user, indicator_id: int, active: bool) -> RiskIndicator:
    """Who: reference.admin. Deactivates (no longer offered; kept on past assessments) or
    reactivates an indicator. Audited."""
    return reference_lists_set_active(RULES, user, indicator_id, active)
