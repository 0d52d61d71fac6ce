"""Reading cases through the user's need-to-know scope. Every read is audited."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from mettrack import audit
from mettrack.domain.choices import CaseState
from mettrack.extensions import db
from mettrack.models import Case, CaseTeamMember, Child
from mettrack.permissions import Perm, can, case_scope, deny_record


@dataclass
class CasePage:
    items: list[Case]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_for(user, *, state: str | None = None, page: int = 1, per_page: int = 25) -> CasePage:
    """Who: any role with case.list. The cases within the user's scope, newest first.
    Writes one audit row naming the query and the ids shown."""
    query = select(Case).where(case_scope(user))
    if state:
        query = query.where(Case.state == CaseState(state).value)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.options(
            selectinload(Case.team).selectinload(CaseTeamMember.user),
            selectinload(Case.lead_professional),
        )
        .order_by(Case.opened_at.desc(), Case.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    audit.record(
        "case.listed",
        "case",
        detail={"query": {"state": state, "page": page, "per_page": per_page}, "ids": [c.id for c in items]},
        actor=user,
    )
    db.session.commit()
    return CasePage(items, total, page, per_page)


def get_for(user, case_id: int, *, action: str = "case.viewed") -> Case:
    """Who: any role with case.view. The case if within the user's scope; otherwise the
    attempt is audited and NotFound raised (the caller answers 404)."""
    if not can(user, Perm.CASE_VIEW):
        raise deny_record("case", case_id, action)
    case = db.session.scalar(select(Case).where(Case.id == case_id, case_scope(user)))
    if case is None:
        raise deny_record("case", case_id, action)
    audit.record(action, "case", case.id, actor=user)
    db.session.commit()
    return case


def child_of(case: Case) -> Child:
    return case.child


def get_child_for(user, child_id: int, *, action: str = "child.viewed") -> Child:
    """Who: any role with case.view. The child if the user may see at least one of the
    child's cases (need-to-know reaches a child through their cases); otherwise the
    attempt is audited and NotFound raised (the caller answers 404)."""
    if not can(user, Perm.CASE_VIEW):
        raise deny_record("child", child_id, action)
    visible_case = select(Case.id).where(Case.child_id == child_id, case_scope(user))
    child = db.session.scalar(select(Child).where(Child.id == child_id, visible_case.exists()))
    if child is None:
        raise deny_record("child", child_id, action)
    audit.record(action, "child", child.id, actor=user)
    db.session.commit()
    return child
