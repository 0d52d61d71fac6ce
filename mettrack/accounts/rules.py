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
- So does a police reviewer's access to intelligence (every item, its source and every
  link): a case role in an agency whose sector is police gives it only once a MET chair
  approves a grant of the kind INTELLIGENCE_REVIEWER, however the account came to be one
  (a case role given, a move into a police agency, an agency's sector changed to police).
"""

import string
from collections.abc import Iterable
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

from mettrack.core.choices import AgencySector, ChoiceSet, Role

# The roles that read cases (Perm.CASE_VIEW; tests/unit/test_account_rules.py keeps the
# two lists equal).
CASE_READING_ROLES = frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL, Role.COORDINATOR, Role.PARTNER})
# Given only when a second person approves: the MET chair reads every child's record.
SECOND_PERSON_ROLES = frozenset({Role.MET_CHAIR})
# Who that second person is.
APPROVER_ROLE = Role.MET_CHAIR
# A grant that is not a role: a police user's access to review intelligence
# (core/permissions.is_intelligence_reviewer), approved as a role is.
INTELLIGENCE_REVIEWER = "intelligence_reviewer"
INTELLIGENCE_REVIEWER_LABEL = "Intelligence reviewer (police)"

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
    # An intelligence reviewer grant no longer needed before anyone decided: the account
    # left the police agency or its case role, or the agency's sector changed.
    WITHDRAWN = "withdrawn", "Withdrawn: no longer needed", "grey"


def grant_label(value: str) -> str:
    """What a grant gives, in words: a role's label, or the intelligence reviewer's."""
    if value == INTELLIGENCE_REVIEWER:
        return INTELLIGENCE_REVIEWER_LABEL
    return Role(value).label


def police_reviewer_access(roles: Iterable[Role], sector: str | None) -> bool:
    """Would these roles in an agency of this sector review intelligence once a MET chair
    approves: a role that reads cases, in a police agency."""
    return bool({Role(r) for r in roles} & CASE_READING_ROLES) and sector == AgencySector.POLICE.value


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


# Passwords (NCSC guidance; OWASP ASVS 5.0, 6.2): length, not composition rules; refused
# when a guesser would try it early: a password from the shipped list of the 10,000 most
# common ones, one of those with digits or symbols added, a short run repeated or a plain
# sequence, or the person's own name or e-mail address. No forced periodic change.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
# SecLists' Passwords/Common-Credentials/10k-most-common.txt (MIT licence; docs/security.md).
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt"
# Names and e-mail parts shorter than this ("Sam", "Lee", "new") are inside too many words
# to refuse on; "Sam Lee" is still refused as "samlee".
_MIN_PERSONAL_PART = 4
_AFFIX = string.digits + string.punctuation + " "
_REPEATED_RUN = 4  # "aaaaaaaaaaaa", "121212121212", "abcdabcdabcd"

PASSWORD_TOO_SHORT = f"Password must be at least {MIN_PASSWORD_LENGTH} characters"
PASSWORD_TOO_LONG = f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer"
PASSWORD_COMMON = (
    "Password is one of the most common passwords (or one of them with numbers or symbols "
    "added), which are tried first. Choose a few unrelated words instead"
)
PASSWORD_PATTERN = (
    "Password is a repeated character, a short run repeated or a sequence, which is easy to "
    "guess. Choose a few unrelated words instead"
)
PASSWORD_PERSONAL = "Password must not contain your name or e-mail address"


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lower case."""
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as f:
        return frozenset(line.strip().lower() for line in f if line.strip())


def _is_repeated_run(value: str) -> str | None:
    """The unit repeated to make `value` ("ab" for "abababab"), or None."""
    for size in range(1, len(value) // 2 + 1):
        if len(value) % size == 0 and value[:size] * (len(value) // size) == value:
            return value[:size]
    return None


def _is_sequence(value: str) -> bool:
    """Letters or digits one after another, either way ("123456789012", "lkjihgfedcba")."""
    if len(value) < 3 or not (value.isdigit() or (value.isascii() and value.isalpha())):
        return False
    cycle = string.digits if value.isdigit() else string.ascii_lowercase
    steps = {(cycle.index(b) - cycle.index(a)) % len(cycle) for a, b in zip(value, value[1:], strict=False)}
    return steps in ({1}, {len(cycle) - 1})


def _personal_parts(name: str, email: str) -> set[str]:
    local = email.partition("@")[0].lower()
    parts = {local, "".join(ch for ch in name.lower() if ch.isalnum())}
    for text in (name.lower(), local):
        word = ""
        for ch in text + " ":
            if ch.isalnum():
                word += ch
            else:
                parts.add(word)
                word = ""
    return {p for p in parts if len(p) >= _MIN_PERSONAL_PART}


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why this new password is refused, or None. `email` and `name` are the account's own
    (its new ones when they change together)."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return PASSWORD_TOO_SHORT
    if len(password) > MAX_PASSWORD_LENGTH:
        return PASSWORD_TOO_LONG
    lowered = password.lower()
    listed = common_passwords()
    core = lowered.strip(_AFFIX) or lowered
    unit = _is_repeated_run(lowered)
    if lowered in listed or core in listed or (unit is not None and unit in listed):
        return PASSWORD_COMMON
    if (unit is not None and len(unit) <= _REPEATED_RUN) or _is_sequence(lowered):
        return PASSWORD_PATTERN
    squashed = "".join(ch for ch in lowered if ch.isalnum())
    if any(part in lowered or part in squashed for part in _personal_parts(name or "", email or "")):
        return PASSWORD_PERSONAL
    return None


# Agency names. The user form chooses an agency from the list; a new one is an explicit,
# confirmed step, warned when its name is close to one that exists ("Barnardos" and
# "Barnardo's"), so that a slip of the keyboard never splits an agency's users in two.
# Names are compared by their key: case, punctuation and spacing ignored.
CLOSE_NAME_RATIO = 0.85  # difflib's ratio of the keys at or above which names are "close"


def agency_name_key(name: str) -> str:
    """ "Barnardo's", "barnardos" and " BARNARDO’S " all give "barnardos"; "Police - North"
    and "Police North" give "police north"."""
    kept = "".join(ch if ch.isalnum() or ch.isspace() else (" " if ch in "-/&,.;:" else "") for ch in name)
    return " ".join(kept.casefold().split())


def same_agency_name(name: str, other: str) -> bool:
    return agency_name_key(name) == agency_name_key(other)


def close_agency_names(name: str, existing: Iterable[str], ratio: float = CLOSE_NAME_RATIO) -> list[str]:
    """The existing names the same as or close to `name` once case, punctuation and spacing
    are ignored, closest first: those with the same key, then those whose keys have a
    similarity ratio (difflib.SequenceMatcher) of at least `ratio`, or where one key is the
    other with words added ("Barnardo's" and "Barnardo's ICTG")."""
    key = agency_name_key(name)
    if not key:
        return []
    scored = []
    for other in existing:
        other_key = agency_name_key(other)
        if not other_key:
            continue
        score = 1.0 if other_key == key else SequenceMatcher(None, key, other_key).ratio()
        contained = f" {key} " in f" {other_key} " or f" {other_key} " in f" {key} "
        if score >= ratio or contained:
            scored.append((-score, other.casefold(), other))
    return [other for _, _, other in sorted(scored)]
