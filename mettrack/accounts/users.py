"""Users and agencies: sign-in, creating, editing, deactivating, password changes."""

import secrets
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from mettrack import reminders
from mettrack.accounts import rules
from mettrack.accounts.agency import Agency
from mettrack.accounts.api_token import ApiToken
from mettrack.accounts.models import User, UserRole
from mettrack.accounts.passwords import hash_password, verify_password
from mettrack.accounts.role_grant import RoleGrant
from mettrack.accounts.role_grants import pending_for_user, request_grants, sync_police_reviewer
from mettrack.accounts.tokens import list_tokens, revoke_all_for_user
from mettrack.cases.models import Case
from mettrack.core import audit
from mettrack.core.choices import OPEN_STATES, AuditOutcome, Role
from mettrack.core.clock import now
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.limits import max_length
from mettrack.core.permissions import NotFound
from mettrack.core.sessions import end_sessions_for_user
from mettrack.core.unit_of_work import transaction

SIGN_IN_FAILED = (
    "Enter a correct e-mail address and password. "
    "If your account has been deactivated, contact your administrator."
)


def normalise_email(value: str | None, field: str = "email") -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: "Enter an e-mail address"})
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationError(
            {field: "Enter an e-mail address in the correct format, like name@example.org"}
        ) from None


@transaction
def authenticate(email: str | None, password: str | None) -> User:
    """Who: anyone. Returns the active user whose password matches; otherwise raises
    ValidationError with one message that does not say whether the account exists."""
    errors = {}
    if not (email or "").strip():
        errors["email"] = "Enter your e-mail address"
    if not password:
        errors["password"] = "Enter your password"
    if errors:
        raise ValidationError(errors)
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        audit.record_now(
            "auth.sign_in_failed",
            "user" if user else None,
            user.id if user else None,
            outcome=AuditOutcome.DENIED,
            actor="anonymous",
        )
        raise ValidationError({"email": SIGN_IN_FAILED})
    # Nothing is written for a right password here: the page records the first step
    # (accept_password) or the whole sign-in (complete_sign_in), as the case may be.
    return user


@transaction
def accept_password(user: User, next_step: str) -> None:
    """Who: someone who has just given this user's password, when a second step follows
    (`next_step`: "two_factor", or "enrol" to set it up). Nobody is signed in yet: the row
    is auth.password_accepted, and neither auth.signed_in nor the last sign-in time is
    written until the second step is passed (complete_sign_in)."""
    audit.record("auth.password_accepted", "user", user.id, detail={"next_step": next_step}, actor=user)


@transaction
def complete_sign_in(user: User, two_factor: str | None = None) -> None:
    """Who: the user, once sign-in is complete: at once after the password when there is
    no second step, otherwise after it (`two_factor`: "app", "recovery" or "enrolled").
    Records the last sign-in time and auth.signed_in."""
    user.last_sign_in_at = now()
    detail = {"two_factor": two_factor} if two_factor else None
    audit.record("auth.signed_in", "user", user.id, detail=detail, actor=user)


def get_or_create_agency(name: str) -> Agency:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"agency": "Enter the agency's name"})
    if len(name) > max_length(Agency.name):
        raise ValidationError(
            {"agency": f"Agency name must be {max_length(Agency.name)} characters or fewer"}
        )
    agency = db.session.scalar(select(Agency).where(func.lower(Agency.name) == name.lower()))
    if agency is None:
        agency = Agency(name=name)
        db.session.add(agency)
        db.session.flush()
    return agency


@dataclass
class UserInput:
    email: str | None
    name: str | None
    roles: list[str]
    agency: str | None


def _validated(data: UserInput, user_id: int | None = None) -> tuple[str, str, set[Role]]:
    errors = {}
    try:
        email = normalise_email(data.email)
        clash = db.session.scalar(select(User.id).where(func.lower(User.email) == email))
        if clash is not None and clash != user_id:
            errors["email"] = "A user with this e-mail address already exists"
    except ValidationError as e:
        errors.update(e.errors)
        email = ""
    name = (data.name or "").strip()
    if not name:
        errors["name"] = "Enter the user's full name"
    elif len(name) > max_length(User.name):
        errors["name"] = f"Name must be {max_length(User.name)} characters or fewer"
    roles = set()
    for value in data.roles or []:
        try:
            roles.add(Role(value))
        except ValueError:
            errors["roles"] = f"Unknown role {value!r}: choose from {', '.join(Role)}"
    if not roles and "roles" not in errors:
        errors["roles"] = "Choose at least one role"
    if "roles" not in errors and (problem := rules.combination_problem(roles)):
        errors["roles"] = problem
    if not (data.agency or "").strip():
        errors["agency"] = "Enter the user's agency"
    if errors:
        raise ValidationError(errors)
    return email, name, roles


@transaction
def sign_out(user: User) -> None:
    """Who: the signed-in user, signing out. Audited as auth.signed_out (the page then
    ends the session)."""
    audit.record("auth.signed_out", "user", user.id, actor=user)


@transaction
def create_user(data: UserInput, password: str | None, actor=None, must_change: bool = True) -> User:
    """Who: an admin (pages) or an operator (CLI). Creates an active user. With no
    password, a random one is set and the user must reset it through an admin.

    An admin's account for a MET chair is made without that role and with a grant a
    MET chair approves (accounts/rules.py). The operator at the server's command line is
    the partnership's first chair's only way in, and is trusted with it."""
    email, name, roles = _validated(data)
    waiting: set[Role] = set()
    if isinstance(actor, User):
        roles, waiting = rules.split_grant(set(), roles)
    if password is not None:
        problem = rules.password_problem(password, email=email, name=name)
        if problem:
            raise ValidationError({"password": problem})
    agency = get_or_create_agency(data.agency)
    user = User(
        email=email,
        name=name,
        agency=agency,
        password_hash=hash_password(password or secrets.token_urlsafe(24)),
        must_change_password=must_change,
    )
    user.set_roles(roles)
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", "user", user.id, detail={"roles": sorted(roles)}, actor=actor)
    if waiting:
        request_grants(user, waiting, actor)
    sync_police_reviewer(user, actor)  # a police user's access to intelligence waits too
    return user


@transaction
def update_user(user: User, data: UserInput, actor=None) -> User:
    """Who: an admin. Changes e-mail, name, roles and agency (accounts/rules.py): an
    admin gives themself no role and cannot take the admin role from themself (that is
    how a partnership ends up with no admin); a role that needs a second person waits for
    a MET chair's approval, and the rest of the change is saved at once."""
    email, name, roles = _validated(data, user_id=user.id)
    if problem := rules.own_roles_problem(user.roles, roles, is_self=_is_self(actor, user)):
        raise ValidationError({"roles": problem})
    waiting: set[Role] = set()
    if isinstance(actor, User):
        roles, waiting = rules.split_grant(user.roles, roles)
    agency = get_or_create_agency(data.agency)  # may refuse: before anything changes
    before = sorted(user.roles)
    user.email, user.name = email, name
    user.agency = agency
    user.set_roles(roles)
    audit.record(
        "user.updated", "user", user.id, detail={"roles_before": before, "roles": sorted(roles)}, actor=actor
    )
    if waiting:
        request_grants(user, waiting, actor)
    # A case role given in a police agency, or a move into one, waits for a MET chair
    # before it reviews intelligence; leaving either ends that access.
    sync_police_reviewer(user, actor)
    return user


@transaction
def set_active(user: User, active: bool, actor=None) -> int:
    """Who: an admin. Deactivating ends every session of the user at once; an admin
    cannot deactivate themself. Returns how many open cases the user leads: the MET
    chair must reassign those of a deactivated lead professional (DESIGN.md).

    Both ways revoke the user's API tokens: at deactivation so that none outlives the
    account, at reactivation so that none made before (or missed by an older release)
    comes back with it; the user makes new ones."""
    if not active and _is_self(actor, user):
        raise ValidationError(
            {"confirm": "You cannot deactivate your own account. Ask another administrator."}
        )
    user.active = active
    user.deactivated_at = None if active else now()
    ended = 0 if active else end_sessions_for_user(user.id)
    revoke_all_for_user(user, "reactivated" if active else "deactivated", actor=actor)
    led = open_cases_led_by(user.id)
    audit.record(
        "user.reactivated" if active else "user.deactivated",
        "user",
        user.id,
        detail={"sessions_ended": ended, "open_cases_led": led},
        actor=actor,
    )
    return led


@transaction
def reset_password(user: User, actor=None) -> str:
    """Who: an admin. Sets a one-time password, returned to show once; the user must
    choose a new one at next sign-in. Ends the user's sessions and revokes their API
    tokens. An admin changes their own password on their account page instead (a reset
    would sign them out).

    The user is told by e-mail when they hold a role that reads cases, so that an admin
    who resets a chair's password to sign in as them is noticed (docs/security.md)."""
    if _is_self(actor, user):
        raise ValidationError(
            {"confirm": "You cannot reset your own password here. Change it from your account page."}
        )
    temporary = "-".join(secrets.token_hex(3) for _ in range(4))
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    end_sessions_for_user(user.id)
    revoke_all_for_user(user, "password_reset", actor=actor)
    told = bool(user.roles & rules.CASE_READING_ROLES)
    audit.record("user.password_reset", "user", user.id, detail={"user_told": told}, actor=actor)
    if told:
        reminders.notify_password_reset(user.id)
    return temporary


@transaction
def change_password(
    user: User, current: str, new: str, confirm: str, keep_session_id: int | None = None
) -> None:
    """Who: the user themself. Ends the user's other sessions: whoever knew the old
    password is signed out everywhere but here."""
    errors = {}
    if not verify_password(user.password_hash, current or ""):
        errors["current_password"] = "Your current password is not correct"
    problem = rules.password_problem(new or "", email=user.email, name=user.name)
    if problem:
        errors["new_password"] = problem
    elif new == current:
        errors["new_password"] = "Choose a password different from your current one"
    if new != confirm:
        errors["confirm_password"] = "The passwords do not match"
    if errors:
        raise ValidationError(errors)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    ended = end_sessions_for_user(user.id, keep_session_id=keep_session_id)
    audit.record("user.password_changed", "user", user.id, detail={"other_sessions_ended": ended}, actor=user)


def _is_self(actor, user: User) -> bool:
    return getattr(actor, "id", None) is not None and actor.id == user.id


# Reading users for the admin pages. Only admins reach these (Perm.USER_ADMIN on the views).


def user_for_admin(user_id: int) -> User:
    """The user with this id, or NotFound (the page answers 404)."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("user", user_id)
    return user


@dataclass
class UserFilters:
    agency_id: int | None = None
    role: Role | None = None
    active: bool | None = None  # None: active and deactivated alike


@dataclass
class UserPage:
    items: list[User]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_users(filters: UserFilters, page: int = 1, per_page: int = 25) -> UserPage:
    """Who: an admin. Users by name, filtered by agency, role and active or not."""
    query = select(User)
    if filters.agency_id is not None:
        query = query.where(User.agency_id == filters.agency_id)
    if filters.role is not None:
        query = query.where(
            select(UserRole.user_id)
            .where(UserRole.user_id == User.id, UserRole.role == Role(filters.role).value)
            .exists()
        )
    if filters.active is not None:
        query = query.where(User.active.is_(filters.active))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.order_by(func.lower(User.name), User.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return UserPage(list(items), total, page, per_page)


def list_agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(func.lower(Agency.name))))


def open_cases_led_by(user_id: int) -> int:
    """How many open cases this user is lead professional for: a count only, as an admin
    sees no case content."""
    return db.session.scalar(
        select(func.count())
        .select_from(Case)
        .where(Case.lead_professional_id == user_id, Case.state.in_([s.value for s in OPEN_STATES]))
    )


@dataclass
class UserOverview:
    user: User
    tokens: list[ApiToken]
    open_cases_led: int
    waiting_grants: list[RoleGrant]


def user_overview(user_id: int) -> UserOverview:
    """Who: an admin. The user, their API tokens (newest first), the number of open
    cases they lead and the roles waiting for a MET chair's approval; NotFound when there
    is no such user."""
    user = user_for_admin(user_id)
    return UserOverview(user, list_tokens(user.id), open_cases_led_by(user.id), pending_for_user(user.id))
