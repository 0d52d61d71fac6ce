"""The agenda's rules, pure: which sections a case belongs in and why, in words a chair
reads at a glance ("referred on 12 March", "high risk", "review due 14 March", "missing 3
to 5 March"), and how a rebuilt agenda keeps the chair's changes.

A child appears once, in the first section that applies (SECTIONS order); the reasons of
the other sections that apply are listed with it. A rebuild merges the data with the
chair's edits (`merge`): an item the chair added stays (in "Added by the chair" when the
data no longer puts it on the agenda), a removed item stays removed with its reason, a
moved item keeps its position in its section; an item the data no longer asks for, that
the chair neither added nor removed, goes.

Positions count within a section (0 first): the agenda reads section by section.
"""

from dataclasses import dataclass, field
from datetime import date

from mettrack.core.choices import AgendaSection, NrmDecision
from mettrack.core.clock import MONTHS

# The sections in agenda order. ADDED_BY_CHAIR holds only what the chair added and the
# data does not put on the agenda.
SECTIONS: tuple[AgendaSection, ...] = (
    AgendaSection.NEW_REFERRALS,
    AgendaSection.HIGH_RISK,
    AgendaSection.REVIEW_DUE,
    AgendaSection.NEW_INFORMATION,
    AgendaSection.CLOSURE_PROPOSED,
    AgendaSection.OPEN_ACTIONS,
    AgendaSection.ADDED_BY_CHAIR,
)
SECTION_ORDER = {section.value: n for n, section in enumerate(SECTIONS)}
ADDED_BY_CHAIR_TEXT = "added by the chair"
MAX_REMOVE_REASON = 500

_RISK_RANK = {"high": 0, "medium": 1, "low": 2}


def day_text(day: date) -> str:
    """12 March."""
    return f"{day.day} {MONTHS[day.month - 1]}"


def span_text(start: date, end: date | None) -> str:
    """3 to 5 March; 28 February to 2 March; 3 March (one day); since 3 March (no end)."""
    if end is None:
        return f"since {day_text(start)}"
    if end == start:
        return day_text(start)
    if (end.year, end.month) == (start.year, start.month):
        return f"{start.day} to {day_text(end)}"
    return f"{day_text(start)} to {day_text(end)}"


def join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


@dataclass
class Facts:
    """What the data says about one case since the previous meeting (dates are London
    calendar days). The builder fills them in; `reasons_for` words them."""

    case_id: int
    risk_level: str | None = None
    referred_on: date | None = None  # referred since the previous meeting
    high_risk: bool = False
    review_due_on: date | None = None  # next review on or before the meeting date
    missing: list[tuple[date, date | None]] = field(default_factory=list)  # since the previous meeting
    assessed_on: list[date] = field(default_factory=list)  # new risk assessments
    intelligence_on: list[date] = field(default_factory=list)  # new intelligence
    closure_proposed: tuple[str, date] | None = None  # (by whom: role or agency, on)
    open_actions_from: list[date] = field(default_factory=list)  # meeting date of each open action


def reasons_for(facts: Facts) -> list[dict]:
    """[{"section": value, "text": ...}] in section order; empty when nothing applies."""
    reasons: list[dict] = []

    def add(section: AgendaSection, text: str) -> None:
        reasons.append({"section": section.value, "text": text})

    if facts.referred_on is not None:
        add(AgendaSection.NEW_REFERRALS, f"referred on {day_text(facts.referred_on)}")
    if facts.high_risk:
        add(AgendaSection.HIGH_RISK, "high risk")
    if facts.review_due_on is not None:
        add(AgendaSection.REVIEW_DUE, f"review due {day_text(facts.review_due_on)}")
    for start, end in sorted(facts.missing, key=lambda s: s[0]):
        add(AgendaSection.NEW_INFORMATION, f"missing {span_text(start, end)}")
    for day in sorted(set(facts.assessed_on)):
        add(AgendaSection.NEW_INFORMATION, f"new risk assessment on {day_text(day)}")
    if facts.intelligence_on:
        days = sorted(set(facts.intelligence_on))
        add(AgendaSection.NEW_INFORMATION, f"new intelligence on {join_words([day_text(d) for d in days])}")
    if facts.closure_proposed is not None:
        by, on = facts.closure_proposed
        add(AgendaSection.CLOSURE_PROPOSED, f"closure proposed by {by} on {day_text(on)}")
    if facts.open_actions_from:
        count = len(facts.open_actions_from)
        days = sorted(set(facts.open_actions_from))
        noun = "open action" if count == 1 else "open actions"
        add(AgendaSection.OPEN_ACTIONS, f"{count} {noun} from {join_words([day_text(d) for d in days])}")
    return reasons


def section_of(reasons: list[dict]) -> str:
    """The first section that applies (reasons are in section order)."""
    if not reasons:
        return AgendaSection.ADDED_BY_CHAIR.value
    return min((r["section"] for r in reasons), key=lambda s: SECTION_ORDER.get(s, len(SECTION_ORDER)))


def added_by_chair_reasons() -> list[dict]:
    return [{"section": AgendaSection.ADDED_BY_CHAIR.value, "text": ADDED_BY_CHAIR_TEXT}]


def sort_key(risk_level: str | None, case_id: int) -> tuple:
    """The order within a section before the chair moves anything: highest risk first,
    then the oldest case."""
    return (_RISK_RANK.get(risk_level or "", len(_RISK_RANK)), case_id)


@dataclass
class Item:
    """An item as saved (or to be saved): what `merge` reads and returns."""

    case_id: int
    section: str
    reasons: list[dict]
    position: int = 0
    moved_by_chair: bool = False
    added_by_chair: bool = False
    removed: bool = False
    from_data: bool = True
    sort_key: tuple = ()


def merge(saved: list[Item], built: dict[int, tuple[list[dict], tuple]]) -> tuple[list[Item], list[int]]:
    """The agenda after a rebuild: `saved` items (the chair's edits) and `built` (case id
    -> (reasons, sort key) from the data as of now). Returns the items to keep or add,
    positioned, and the case ids of saved items to delete."""
    result: list[Item] = []
    deleted: list[int] = []
    seen: set[int] = set()
    for item in saved:
        seen.add(item.case_id)
        if item.case_id in built:
            reasons, key = built[item.case_id]
            item.reasons, item.section, item.from_data, item.sort_key = (
                reasons,
                section_of(reasons),
                True,
                key,
            )
            result.append(item)
        elif item.added_by_chair or item.removed:
            item.from_data = False
            if item.added_by_chair:
                item.section, item.reasons = AgendaSection.ADDED_BY_CHAIR.value, added_by_chair_reasons()
            result.append(item)
        else:
            deleted.append(item.case_id)
    for case_id, (reasons, key) in built.items():
        if case_id not in seen:
            result.append(Item(case_id=case_id, section=section_of(reasons), reasons=reasons, sort_key=key))
    return position(result), deleted


def position(items: list[Item]) -> list[Item]:
    """Number the items within each section: the chair's moved items keep their
    positions, the rest fill the others in sort-key order. Removed items come last."""
    by_section: dict[str, list[Item]] = {}
    for item in items:
        by_section.setdefault(item.section, []).append(item)
    for section_items in by_section.values():
        shown = [i for i in section_items if not i.removed]
        flowing = sorted((i for i in shown if not i.moved_by_chair), key=lambda i: (i.sort_key, i.case_id))
        for pinned in sorted((i for i in shown if i.moved_by_chair), key=lambda i: (i.position, i.case_id)):
            flowing.insert(min(max(pinned.position, 0), len(flowing)), pinned)
        removed = sorted((i for i in section_items if i.removed), key=lambda i: (i.sort_key, i.case_id))
        for n, item in enumerate(flowing + removed):
            item.position = n
    return sorted(
        items, key=lambda i: (SECTION_ORDER.get(i.section, len(SECTION_ORDER)), i.removed, i.position)
    )


def moved(items: list[Item], case_id: int, *, to: int | None = None, step: int = 0) -> list[Item]:
    """The section's shown items after the chair moves one: to a position, or one step up
    (-1) or down (+1). The moved item is pinned there (moved_by_chair), and every other
    moved item of the section keeps its place relative to the others."""
    target = next(i for i in items if i.case_id == case_id)
    shown = sorted(
        (i for i in items if i.section == target.section and not i.removed), key=lambda i: i.position
    )
    index = shown.index(target)
    new = index + step if to is None else to
    new = min(max(new, 0), len(shown) - 1)
    shown.pop(index)
    shown.insert(new, target)
    for n, item in enumerate(shown):
        item.position = n
    target.moved_by_chair = True
    return shown


def nrm_status(referred_on, reasonable, reasonable_on, conclusive, conclusive_on) -> str | None:
    """The National Referral Mechanism's progress in words, or None when not referred (or
    withheld by the view)."""

    def decision(value) -> str:
        try:
            return NrmDecision(value).label.lower()
        except ValueError:
            return str(value)

    def on(day) -> str:
        return f" on {day_text(day)}" if day else ""

    if conclusive:
        return f"conclusive grounds {decision(conclusive)}{on(conclusive_on)}"
    if reasonable:
        return f"reasonable grounds {decision(reasonable)}{on(reasonable_on)}"
    if referred_on:
        return f"referred{on(referred_on)}"
    return None
