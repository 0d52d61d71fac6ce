"""What the lists of places and of persons of concern share (locations.list_for,
persons.list_for): the paging rules, and one page of the records within the user's reach,
by name, audited with the ids shown. Each list says how a record becomes a row."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import func, select

from mettrack.core import audit
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, require

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PAGE = 100_000

Row = TypeVar("Row")


@dataclass(frozen=True)
class Listing(Generic[Row]):
    items: list[Row]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def check_paging(page, per_page) -> None:
    errors = {}
    if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= MAX_PAGE:
        errors["page"] = f"Give the page as a whole number from 1 to {MAX_PAGE}"
    if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= MAX_PER_PAGE:
        errors["per_page"] = f"Give the number per page as a whole number from 1 to {MAX_PER_PAGE}"
    if errors:
        raise ValidationError(errors)


def listed(
    user,
    model,
    scope: Callable,
    record_type: str,
    row: Callable[[object], Row],
    *,
    page: int,
    per_page: int,
) -> Listing[Row]:
    """Who: intel.view. A page of `model`'s records within `scope(user)`, by name, each made
    a row by `row`. Audited as <record_type>.listed with the ids shown. The caller's unit
    of work commits."""
    action = f"{record_type}.listed"
    require(user, Perm.INTEL_VIEW, action)
    check_paging(page, per_page)
    where = scope(user)
    total = db.session.scalar(select(func.count(model.id)).where(where)) or 0
    records = db.session.scalars(
        select(model)
        .where(where)
        .order_by(model.name, model.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = [row(record) for record in records]
    audit.record(
        action,
        record_type,
        detail={"page": page, "per_page": per_page, "ids": [r.id for r in items]},
        actor=user,
    )
    return Listing(items, total, page, per_page)
