"""Role grants that wait for a second person (accounts/rules.py; docs/security.md,
"Separation of duties"): an administrator asks, an active MET chair who neither asked nor
receives it approves or refuses. Until approved the account does not hold the role. Both
steps are audited (role_grant.requested, role_grant.approved / role_grant.refused), and
the account's holder is told of the decision (a notice naming no child).

A police reviewer's access to intelligence is granted the same way (rules.INTELLIGENCE_REVIEWER):
sync_police_reviewer, called by every change that can make an account a police user with
a case role (its roles, its agency, its agency's sector), asks for the grant; approving it
sets User.intelligence_review_approved, which core/permissions.is_intelligence_reviewer
requires. When the account stops being one, the flag is cleared (role_grant.lapsed) and a
waiting grant withdrawn (role_grant.withdrawn), so coming back needs a new approval.
"""

from dataclasses import dataclass

from sqlalchemy import select

from mettrack import reminders
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
        made.append(_request(user, role.value, actor))
    return made


def _request(user: User, value: str, actor) -> RoleGrant:
    """The one place a grant is made (commits nothing). Asked for by an administrator
    (`actor` a user), it waits (role_grant.requested). Given by an operator at the
    command line (`actor` not a user), who is trusted with the first accounts, it is
    approved at once and recorded as theirs (role_grant.approved, by operator); the
    caller gives what it grants."""
    by_operator = not isinstance(actor, User)
    state = rules.GrantState.APPROVED if by_operator else rules.GrantState.PENDING
    grant = RoleGrant(
        user_id=user.id,
        role=value,
        state=state.value,
        requested_by_id=None if by_operator else actor.id,
        decided_at=now() if by_operator else None,
        note=OPERATOR_NOTE if by_operator else None,
    )
    db.session.add(grant)
    db.session.flush()
    detail = {"user_id": user.id, "role": value}
    if by_operator:
        detail["by"] = "operator"
        audit.record("role_grant.approved", "role_grant", grant.id, detail=detail, actor=actor)
    else:
        audit.record("role_grant.requested", "role_grant", grant.id, detail=detail, actor=actor)
    return grant


NO_LONGER_POLICE = "This account is no longer a police user with a case role: refuse the grant instead."
OPERATOR_NOTE = "Given at the server's command line by the operator, who is trusted with the first accounts."


def sync_police_reviewer(user: User, actor) -> None:
    """Who: the use case that changed the account's roles or agency, or its agency's sector,
    in its own transaction (this commits nothing). A police user with a case role who is not
    yet approved gets a waiting intelligence reviewer grant (one at most; none for a MET
    chair, who reviews anyway); an account no longer one loses its approval and any grant
    still waiting. An operator at the command line (`actor` not a user) is trusted, as with
    the first MET chair: the access is given at once and recorded as theirs."""
    db.session.flush()
    sector = user.agency.sector if user.agency is not None else None
    waiting = [g for g in pending_for_user(user.id) if g.role == rules.INTELLIGENCE_REVIEWER]
    detail = {"user_id": user.id, "role": rules.INTELLIGENCE_REVIEWER}
    if not rules.police_reviewer_access(user.roles, sector):
        if user.intelligence_review_approved:
            user.intelligence_review_approved = False
            audit.record("role_grant.lapsed", "user", user.id, detail=detail, actor=actor)
        for grant in waiting:
            grant.state, grant.decided_at = rules.GrantState.WITHDRAWN.value, now()
            audit.record("role_grant.withdrawn", "role_grant", grant.id, detail=detail, actor=actor)
        return
    if user.intelligence_review_approved or waiting or Role.MET_CHAIR in user.roles:
        return
    grant = _request(user, rules.INTELLIGENCE_REVIEWER, actor)
    if grant.state == rules.GrantState.APPROVED.value:
        user.intelligence_review_approved = True


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
    return [WaitingGrant(g, g.label, _problem(approver, g) is None) for g in grants]


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
    if approve:
        if not user.active:
            raise ValidationError({"grant": "This account is deactivated: refuse the grant instead."})
        if grant.role == rules.INTELLIGENCE_REVIEWER:
            # Withdrawn automatically when the account stops being one; checked again here.
            if not rules.police_reviewer_access(user.roles, user.agency.sector):
                raise ValidationError({"grant": NO_LONGER_POLICE})
            user.intelligence_review_approved = True
        else:
            role = Role(grant.role)
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
        detail={"user_id": user.id, "role": grant.role, "requested_by_id": grant.requested_by_id},
        actor=approver,
    )
    reminders.notify_role_grant_decided(user.id, grant.id)  # names no child
    return grant
