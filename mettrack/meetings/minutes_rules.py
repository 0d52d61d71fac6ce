"""Pure rules of a meeting's attendance and minutes (no Flask, no database): the quorum,
and which decisions on one child may go together (docs/meetings-minutes.md).

The quorum is the partnership's setting MET_QUORUM_AGENCIES: the agencies that must have
someone present before the meeting makes decisions. Each entry is matched against the
names of the agencies present, ignoring letter case, as a part of the name: the entry
"Constabulary" is met by "Hampshire and Isle of Wight Constabulary". The default below is
a partnership default (children's social care, the police and health, the three statutory
safeguarding partners of Working Together to Safeguard Children 2023), not a national rule.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DEFAULT_QUORUM_AGENCIES: tuple[str, ...] = ("Children's Social Care", "Constabulary", "Health")
MAX_QUORUM_ENTRY = 200
MAX_QUORUM_ENTRIES = 30


@dataclass(frozen=True)
class Quorum:
    required: tuple[str, ...]
    missing: tuple[str, ...]  # required entries with no one present, in the setting's order

    @property
    def quorate(self) -> bool:
        return not self.missing

    @property
    def message(self) -> str:
        if self.quorate:
            return "Quorate"
        return "Not quorate: no one present from " + _and_list(self.missing)

    def as_dict(self) -> dict:
        return {
            "quorate": self.quorate,
            "required": list(self.required),
            "missing": list(self.missing),
            "message": self.message,
        }


def quorum(required: Sequence[str], present_agencies: Iterable[str | None]) -> Quorum:
    """Whether the agencies present (the agency names of the people present, observers
    left out by the caller) meet the setting `required`."""
    present = [name.casefold() for name in present_agencies if name]
    missing = tuple(entry for entry in required if not any(entry.casefold() in name for name in present))
    return Quorum(tuple(required), missing)


def parse_quorum_setting(value) -> tuple[str, ...]:
    """The setting from the environment ("A; B; C", semicolons between agencies, as agency
    names hold commas) or from a settings class (a list or tuple of names)."""
    if isinstance(value, str):
        value = [part for part in value.split(";")]
    return tuple(str(part).strip() for part in value if str(part).strip())


def quorum_setting_problems(value) -> list[str]:
    """What is wrong with the MET_QUORUM_AGENCIES setting: [] when it can be used."""
    if isinstance(value, str) or not isinstance(value, list | tuple):
        return ["MET_QUORUM_AGENCIES must be a list of agency names"]
    problems = []
    if len(value) > MAX_QUORUM_ENTRIES:
        problems.append(f"MET_QUORUM_AGENCIES may name at most {MAX_QUORUM_ENTRIES} agencies")
    seen = set()
    for entry in value:
        if not isinstance(entry, str) or not entry.strip():
            problems.append("MET_QUORUM_AGENCIES: each entry must be an agency's name (not blank)")
        elif len(entry) > MAX_QUORUM_ENTRY:
            problems.append(f"MET_QUORUM_AGENCIES: an entry must be {MAX_QUORUM_ENTRY} characters or fewer")
        elif entry.strip().casefold() in seen:
            problems.append(f"MET_QUORUM_AGENCIES names {entry.strip()!r} twice")
        else:
            seen.add(entry.strip().casefold())
    return problems


@dataclass(frozen=True)
class Decisions:
    """What the minutes decide about one child (a field left empty decides nothing)."""

    risk_level: str | None = None
    police_tier: str | None = None
    police_team: str | None = None
    services: tuple[str, ...] = ()
    send_back_to_review: bool = False
    close: bool = False
    exit_reason: str | None = None
    next_review_on: object = None  # a date

    @property
    def any(self) -> bool:
        return bool(
            self.risk_level
            or self.police_tier
            or self.services
            or self.send_back_to_review
            or self.close
            or self.next_review_on
        )


def conflicts(d: Decisions) -> dict[str, str]:
    """Decisions that cannot go together, by the field to change. Closing the case goes
    with nothing that keeps it open; a team needs its tier and a tier its team."""
    errors = {}
    if d.close:
        if d.police_tier or d.police_team:
            errors["police_tier"] = "A case being closed gets no police tier: choose one or the other"
        if d.send_back_to_review:
            errors["send_back_to_review"] = "A case being closed is not sent back to review: choose one"
        if d.services:
            errors["services_requested"] = "A case being closed gets no specialist service: choose one"
        if d.risk_level or d.next_review_on:
            errors["next_review_on"] = "A case being closed has no risk level or next review to set"
        if not d.exit_reason:
            errors["exit_reason"] = "Choose the exit reason for closing the case"
    elif d.exit_reason:
        errors["exit_reason"] = "An exit reason goes with closing the case: tick Close the case or clear it"
    return errors


def _and_list(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
