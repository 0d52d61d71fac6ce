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
        # Syntax only: no DNS look-up (the server may have none), and the reserved `.test`
        # domain is accepted (test_environment), as the demo's and a training copy's
        # addresses use it; `.local`, `.localhost`, `.invalid`, `.onion` and `.arpa` stay
        # refused (docs/security.md, "Accounts").
        return validate_email(value, check_deliverability=False, test_environment=True).normalized.lower()
    except EmailNotValidError:
        raise ValidationError(
            {field: "Enter an e-mail address in the correct format, like name@example.org"}
        ) from None


def check_password(email: str | None, password: str | None) -> User | None:
    """The active user whose password matches, or None (commits nothing: the sign-in use
    case, accounts/lockout.authenticate, records the outcome in its one transaction).
    Raises ValidationError when a field is blank: no password was checked."""
    errors = {}
    if not (email or "").strip():
        errors["email"] = "Enter your e-mail address"
    if not password:
        errors["password"] = "Enter your password"
    if errors:
        raise ValidationError(errors)
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    return user if ok and user is not None and user.active else None


def record_sign_in_failed(user_id: int | None) -> None:
    """A wrong password, an unknown address (`user_id` None) or a deactivated account, in
    the sign-in's own transaction (commits nothing)."""
    audit.record(
        "auth.sign_in_failed",
        "user" if user_id is not None else None,
        user_id,
        outcome=AuditOutcome.DENIED,
        actor="anonymous",
    )


def record_password_accepted(user: User, next_step: str | None) -> None:
    """The right password, in the sign-in's own transaction (commits nothing). When a second
    step follows (`next_step`: "two_factor", or "enrol" to set it up) nobody is signed in
    yet: the row is auth.password_accepted, and neither auth.signed_in nor the last sign-in
    time is written until the second step is passed (record_signed_in, from
    accounts/two_factor.py). Otherwise the sign-in is complete now."""
    if next_step:
        audit.record("auth.password_accepted", "user", user.id, detail={"next_step": next_step}, actor=user)
    else:
        record_signed_in(user)


def record_signed_in(user: User, two_factor: str | None = None) -> None:
    """Sign-in complete (commits nothing: called inside the password's or the second step's
    use case; `two_factor`: "app", "recovery" or "enrolled"). Records the last sign-in time
    and auth.signed_in."""
    user.last_sign_in_at = now()
    detail = {"two_factor": two_factor} if two_factor else None
    audit.record("auth.signed_in", "user", user.id, detail=detail, actor=user)


def _agency_name(name: str | None, field: str, errors: dict) -> str | None:
    name = " ".join((name or "").split())
    if not name:
        errors[field] = "Enter the new agency's name" if field == "new_agency" else "Enter the agency's name"
        return None
    if len(name) > max_length(Agency.name):
        errors[field] = f"Agency name must be {max_length(Agency.name)} characters or fewer"
        return None
    return name


def _agency_named(name: str) -> Agency | None:
    """The agency whose name is this one, ignoring case, punctuation and spacing."""
    for agency in list_agencies():
        if rules.same_agency_name(agency.name, name):
            return agency
    return None


def _add_agency(name: str, actor, via: str | None, *, audited: bool = True) -> Agency:
    """Adds the agency (commits nothing), audited agency.added naming `actor`. Only
    get_or_create_agency passes audited=False: see there."""
    agency = Agency(name=name)
    db.session.add(agency)
    db.session.flush()
    if audited:
        audit.record(
            "agency.added", "agency", agency.id, detail={"sector": agency.sector, "via": via}, actor=actor
        )
    return agency


def get_or_create_agency(name: str) -> Agency:
    """The demo's and the tests' way to an agency by name: created if new, unaudited.
    Not audited on purpose: it is seed data (the demo loader, the test factories, the
    benchmarks), with no person acting, and it runs inside a caller's request in tests,
    where an actor-less row would be credited to whoever is signed in. Every agency a
    person adds goes through the audited use cases (accounts/agency_admin.py, the user
    form)."""
    errors: dict[str, str] = {}
    name = _agency_name(name, "agency", errors)
    if errors:
        raise ValidationError(errors)
    agency = _agency_named(name)
    if agency is None:
        agency = _add_agency(name, None, None, audited=False)
    return agency


@dataclass
class UserInput:
    """What an account is made or changed from. The agency is given one of two ways:

    - `agency_id` (the admin pages): an id from the list of agencies, or NEW_AGENCY with
      `new_agency`, the new agency's name; the new agency is added only when
      `confirm_new_agency` is that same name (the page's "Yes, add it" box), and never
      when its name is the same as an existing one's once case, punctuation and spacing
      are ignored (accounts/rules.py);
    - `agency`, a name (the command line): an existing agency's name, in any case,
      punctuation or spacing; a new name is added, unless it is close to an existing one
      and `confirm_new_agency` is not set (`--new-agency`)."""

    email: str | None
    name: str | None
    roles: list[str]
    agency: str | None = None
    agency_id: str | int | None = None
    new_agency: str | None = None
    confirm_new_agency: str | bool | None = None


NEW_AGENCY = "new"  # agency_id's value for "an agency not in the list"


class UserNotSaved(ValidationError):
    """The account's fields have problems (`errors`). When one of them is that a new
    agency waits for confirmation, `new_agency` is its name and `close_agencies` the
    existing names close to it, for the page to ask."""

    def __init__(self, errors: dict[str, str], new_agency: str | None = None, close_agencies=()):
        super().__init__(errors)
        self.new_agency = new_agency
        self.close_agencies = list(close_agencies)


def _quoted(names: list[str]) -> str:
    quoted = [f"“{n}”" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _chosen_agency(data: UserInput, errors: dict) -> tuple[Agency | None, str | None, list[str]]:
    """(the existing agency chosen, or the confirmed name of a new one to add, and the
    names close to an unconfirmed new one). Problems go in `errors`, by field."""
    if data.agency is not None and data.agency_id is None:  # by name: the command line
        name = _agency_name(data.agency, "agency", errors)
        if name is None:
            return None, None, []
        if (agency := _agency_named(name)) is not None:
            return agency, None, []
        close = rules.close_agency_names(name, [a.name for a in list_agencies()])
        if close and not data.confirm_new_agency:
            errors["agency"] = (
                f"No agency is called “{name}”, and {_quoted(close)} is close to it. Give the "
                "existing agency's name, or confirm that this is a new agency (--new-agency)"
            )
            return None, None, close
        return None, name, []
    choice = str(data.agency_id if data.agency_id is not None else "").strip()
    if not choice:
        errors["agency"] = "Choose the user's agency"
        return None, None, []
    if choice != NEW_AGENCY:
        agency = db.session.get(Agency, int(choice)) if choice.isdigit() and len(choice) < 10 else None
        if agency is None:
            errors["agency"] = "Choose an agency from the list"
        return agency, None, []
    name = _agency_name(data.new_agency, "new_agency", errors)
    if name is None:
        return None, None, []
    if (agency := _agency_named(name)) is not None:
        errors["new_agency"] = f"An agency called “{agency.name}” already exists: choose it from the list"
        return None, None, []
    close = rules.close_agency_names(name, [a.name for a in list_agencies()])
    if " ".join(str(data.confirm_new_agency or "").split()) != name:
        errors["new_agency"] = (
            f"“{name}” is close to {_quoted(close)}: choose that agency from the list if you meant it, "
            f"or tick “Yes, add {name} as a new agency”"
            if close
            else f"Confirm that “{name}” is a new agency: tick “Yes, add {name} as a new agency”"
        )
        return None, name, close
    return None, name, []


@dataclass
class _Valid:
    email: str
    name: str
    roles: set[Role]
    agency: Agency | None  # an existing agency, or None with:
    new_agency: str | None  # the confirmed name of one to add


def _validated(data: UserInput, user_id: int | None = None) -> _Valid:
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
    agency, new_agency, close = _chosen_agency(data, errors)
    if errors:
        unconfirmed = new_agency if "new_agency" in errors or close else None
        raise UserNotSaved(errors, unconfirmed, close)
    return _Valid(email, name, roles, agency, new_agency)


def _agency_of(valid: _Valid, actor) -> Agency:
    if valid.agency is not None:
        return valid.agency
    return _add_agency(valid.new_agency, actor, "user_form" if isinstance(actor, User) else "command_line")


@transaction
def sign_out(user: User) -> None:
    """Who: the signed-in user, signing out. Audited as auth.signed_out (the page then
    ends the session)."""
    audit.record("auth.signed_out", "user", user.id, actor=user)


@transaction
def create_user(data: UserInput, password: str | None, actor=None, must_change: bool = True) -> User:
    """Who: an operator (CLI), or an admin through add_user. Creates an active user. With
    no password, a random one nobody knows is set.

    An admin's account for a MET chair is made without that role and with a grant a
    MET chair approves (accounts/rules.py). The operator at the server's command line is
    the partnership's first chair's only way in, and is trusted with it."""
    user, _ = _create(data, password, actor, must_change, check_password=True)
    return user


def _create(
    data: UserInput, password, actor, must_change: bool, check_password: bool
) -> tuple[User, set[Role]]:
    valid = _validated(data)
    roles, waiting = valid.roles, set()
    if isinstance(actor, User):
        roles, waiting = rules.split_grant(set(), roles)
    if password is not None and check_password:
        problem = rules.password_problem(password, email=valid.email, name=valid.name)
        if problem:
            raise ValidationError({"password": problem})
    user = User(
        email=valid.email,
        name=valid.name,
        agency=_agency_of(valid, actor),
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
    return user, roles | waiting


def _one_time_password() -> str:
    return "-".join(secrets.token_hex(3) for _ in range(4))


@transaction
def add_user(data: UserInput, actor) -> tuple[User, str]:
    """Who: an admin (the add-user page). Creates the account with its first password,
    returned to show once: random, to be changed at the first sign-in (the admin never
    types one). Like a reset, the user is told by e-mail when the account is for a role
    that reads cases, a MET chair's waiting grant included, so that an account made to
    read cases through is noticed (docs/security.md, "Separation of duties")."""
    temporary = _one_time_password()
    user, roles = _create(data, temporary, actor, must_change=True, check_password=False)
    told = bool(roles & rules.CASE_READING_ROLES)
    audit.record("user.first_password_set", "user", user.id, detail={"user_told": told}, actor=actor)
    if told:
        reminders.notify_account_created(user.id)
    return user, temporary


@transaction
def update_user(user: User, data: UserInput, actor=None) -> User:
    """Who: an admin. Changes e-mail, name, roles and agency (accounts/rules.py): an
    admin gives themself no role and cannot take the admin role from themself (that is
    how a partnership ends up with no admin); a role that needs a second person waits for
    a MET chair's approval, and the rest of the change is saved at once."""
    valid = _validated(data, user_id=user.id)
    email, name, roles = valid.email, valid.name, valid.roles
    if problem := rules.own_roles_problem(user.roles, roles, is_self=_is_self(actor, user)):
        raise ValidationError({"roles": problem})
    waiting: set[Role] = set()
    if isinstance(actor, User):
        roles, waiting = rules.split_grant(user.roles, roles)
    agency = _agency_of(valid, actor)
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
    temporary = _one_time_password()
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
