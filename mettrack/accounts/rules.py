"""Separation of duties: who may hold, give and approve which roles. Pure rules over plain
values (docs/security.md, "Separation of duties"); accounts/users.py and
accounts/role_grants.py apply them, so the pages, the API and the command line refuse
alike and say the same words.

- An administrator manages accounts but reads no case: an account never holds `admin`
  together with a role that reads cases (a person who could give themselves access
  could read every child's record).
- Nobody gives themselves a role: an administrator's own roles are changed by another.
- Some roles open every child's record: giving one needs a second person. The
  administrator's grant waits until an active MET chair, who neither asked for it nor
  receives it, approves it.
"""

from collections.abc import Iterable

from mettrack.core.choices import ChoiceSet, Role

# The roles that read cases (Perm.CASE_VIEW; tests/unit/test_account_rules.py keeps the
# two lists equal).
CASE_READING_ROLES = frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL, Role.COORDINATOR, Role.PARTNER})
# Given only when a second person approves: the MET chair reads every child's record.
SECOND_PERSON_ROLES = frozenset({Role.MET_CHAIR})
# Who that second person is.
APPROVER_ROLE = Role.MET_CHAIR

ADMIN_WITH_CASE_ROLE = (
    "An administrator cannot also hold a role that reads cases (MET chair, lead professional, "
    "coordinator or partner agency practitioner). Choose one or the other; a person who needs "
    "both has two accounts."
)
SELF_GRANT = "You cannot give yourself a role. Ask another administrator."
SELF_ADMIN_REMOVAL = "You cannot remove your own administrator role. Ask another administrator."


class GrantState(ChoiceSet):
    PENDING = "pending", "Waiting for a MET chair", "yellow"
    APPROVED = "approved", "Approved", "green"
    REFUSED = "refused", "Refused", "red"


def combination_problem(roles: Iterable[Role]) -> str | None:
    """Why an account cannot hold these roles together, or None."""
    roles = {Role(r) for r in roles}
    if Role.ADMIN in roles and roles & CASE_READING_ROLES:
        return ADMIN_WITH_CASE_ROLE
    return None


def own_roles_problem(before: Iterable[Role], after: Iterable[Role], *, is_self: bool) -> str | None:
    """Why someone changing their own account's roles from `before` to `after` is refused,
    or None. They may keep them, and give up any but `admin`."""
    if not is_self:
        return None
    before, after = {Role(r) for r in before}, {Role(r) for r in after}
    if Role.ADMIN in before and Role.ADMIN not in after:
        return SELF_ADMIN_REMOVAL
    if after - before:
        return SELF_GRANT
    return None


def split_grant(before: Iterable[Role], wanted: Iterable[Role]) -> tuple[set[Role], set[Role]]:
    """(the roles the account holds at once, the new roles that wait for a second person).
    Taking a role away never waits."""
    before, wanted = {Role(r) for r in before}, {Role(r) for r in wanted}
    waiting = (wanted - before) & SECOND_PERSON_ROLES
    return wanted - waiting, waiting


def approval_problem(
    *,
    approver_id: int,
    approver_roles: Iterable[Role],
    approver_active: bool,
    requested_by_id: int | None,
    grantee_id: int,
) -> str | None:
    """Why this person may not decide on a waiting grant, or None."""
    if not approver_active or APPROVER_ROLE not in {Role(r) for r in approver_roles}:
        return "Only an active MET chair can approve or refuse a role grant."
    if approver_id == grantee_id:
        return "You cannot approve a role for yourself."
    if approver_id == requested_by_id:
        return "You asked for this grant: another MET chair must approve or refuse it."
    return None
