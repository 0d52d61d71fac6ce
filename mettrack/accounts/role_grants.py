"""Role grants that wait for a second person (accounts/rules.py; docs/security.md,
"Separation of duties"): an administrator asks, an active MET chair who neither asked nor
receives it approves or refuses. Until approved the account does not hold the role. Both
steps are audited (role_grant.requested, role_grant.approved / role_grant.refused).
"""

from dataclasses import dataclass

from sqlalchemy import select

from mettrack.accounts import rules
from mettrack.accounts.models import User
from mettrack.accounts.role_grant import RoleGrant
from mettrack.core import audit
from mettrack.core.choices import AuditOutcome, Role
from mettrack.core.clock import now
from mettrack.core.errors import NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import NotFound, Perm, require
from mettrack.core.unit_of_work import transaction

GRANT_DECISION = "decide on a role grant"


@transaction
def request_grants(user: User, roles, actor: User) -> list[RoleGrant]:
    """Who: an administrator, through create_user or update_user. One pending grant per
    role, none twice: a role already waiting is not asked for again."""
    waiting = {g.role for g in pending_for_user(user.id)}
    made = []
    for role in sorted(Role(r) for r in roles):
        if role.value in waiting:
            continue
        grant = RoleGrant(
            user_id=user.id, role=role.value, state=rules.GrantState.PENDING.value, requested_by_id=actor.id
        )
        db.session.add(grant)
        db.session.flush()
        audit.record(
            "role_grant.requested",
            "role_grant",
            grant.id,
            detail={"user_id": user.id, "role": role.value},
            actor=actor,
        )
        made.append(grant)
    return made


def pending_for_user(user_id: int) -> list[RoleGrant]:
    """The grants of this account still waiting (the admin's user page shows them)."""
    return list(
        db.session.scalars(
            select(RoleGrant)
            .where(RoleGrant.user_id == user_id, RoleGrant.state == rules.GrantState.PENDING.value)
            .order_by(RoleGrant.id)
        )
    )


@dataclass(frozen=True)
class WaitingGrant:
    grant: RoleGrant
    role_label: str
    can_decide: bool  # False: the approver asked for it, or receives it


def waiting_for(approver: User) -> list[WaitingGrant]:
    """Who: a MET chair. Every pending grant, oldest first, saying which they may decide."""
    require(approver, Perm.ROLE_GRANT_DECIDE, GRANT_DECISION)
    grants = db.session.scalars(
        select(RoleGrant).where(RoleGrant.state == rules.GrantState.PENDING.value).order_by(RoleGrant.id)
    )
    return [WaitingGrant(g, Role(g.role).label, _problem(approver, g) is None) for g in grants]


def _problem(approver: User, grant: RoleGrant) -> str | None:
    return rules.approval_problem(
        approver_id=approver.id,
        approver_roles=approver.roles,
        approver_active=approver.active,
        requested_by_id=grant.requested_by_id,
        grantee_id=grant.user_id,
    )


@transaction
def decide(approver: User, grant_id: int, approve: bool) -> RoleGrant:
    """Who: an active MET chair who neither asked for the grant nor receives it (403
    otherwise, audited). Approving gives the account the role, unless it can no longer
    hold it (deactivated since, or made an administrator): then 422, nothing changes."""
    require(approver, Perm.ROLE_GRANT_DECIDE, GRANT_DECISION)
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or grant.state != rules.GrantState.PENDING.value:
        raise NotFound("role_grant", grant_id)
    problem = _problem(approver, grant)
    if problem:
        audit.record_now(
            "role_grant.denied",
            "role_grant",
            grant.id,
            detail={"reason": "second_person"},
            outcome=AuditOutcome.DENIED,
            actor=approver,
        )
        raise NotAllowed(GRANT_DECISION, (problem,))
    user = grant.user
    role = Role(grant.role)
    if approve:
        if not user.active:
            raise ValidationError({"grant": "This account is deactivated: refuse the grant instead."})
        combined = rules.combination_problem(user.roles | {role})
        if combined:
            raise ValidationError({"roles": combined})
        user.set_roles(user.roles | {role})
    grant.state = (rules.GrantState.APPROVED if approve else rules.GrantState.REFUSED).value
    grant.decided_by_id, grant.decided_at = approver.id, now()
    audit.record(
        "role_grant.approved" if approve else "role_grant.refused",
        "role_grant",
        grant.id,
        detail={"user_id": user.id, "role": role.value, "requested_by_id": grant.requested_by_id},
        actor=approver,
    )
    return grant
