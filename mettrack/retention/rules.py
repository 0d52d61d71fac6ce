"""Retention rules: when a record is due for review (pure: no Flask, no database).

There is no single national retention period for the records a MET keeps: the partnership
decides, and its settings say (config.py, docs/retention.md). A record due for review is
offered to an administrator for deletion; nothing is deleted by a rule alone.
"""

from collections.abc import Iterator, Mapping
from datetime import date
from enum import StrEnum
from typing import Any


class CaseRule(StrEnum):
    AGE = "age"  # the child's birthday at RETENTION_CASE_AGE
    YEARS_AFTER_CLOSURE = "years_after_closure"  # RETENTION_CASE_YEARS after the case closed


# What an audit row and the review list say about the rule applied (no personal data).
RULE_WORDS = {
    "age": "The child's birthday at the set age",
    "years_after_closure": "A set number of years after the case closed",
    "years_after_closure_no_birth_date": "A set number of years after closure (no date of birth held)",
    "years_after_last_link": "A set number of years after the item was last linked",
}


def add_years(day: date, years: int) -> date:
    """`day` moved on `years` years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def case_review(
    *, closed_on: date | None, date_of_birth: date | None, rule: str, age: int, years: int
) -> tuple[date, str] | None:
    """When a case is due for review, and the rule applied; None while the case is open.

    Under the age rule a case is kept at least until the child's birthday at `age`, and
    never reviewed before it closed; with no date of birth held the years rule applies."""
    if closed_on is None:
        return None
    if CaseRule(rule) is CaseRule.AGE:
        if date_of_birth is None:
            return add_years(closed_on, years), "years_after_closure_no_birth_date"
        return max(add_years(date_of_birth, age), closed_on), "age"
    return add_years(closed_on, years), "years_after_closure"


def intelligence_review(*, last_linked_on: date, years: int) -> tuple[date, str]:
    """When an intelligence item is due for review: `years` after it was last linked to a
    case or subject (or submitted, when it never was)."""
    return add_years(last_linked_on, years), "years_after_last_link"


def is_due(review_on: date, today: date) -> bool:
    return review_on <= today


def _whole(value, name: str, low: int, high: int) -> tuple[int | None, str | None]:
    try:
        number = int(str(value).strip())
    except ValueError:
        return None, f"{name} must be a whole number from {low} to {high} (it is {value!r})"
    if not low <= number <= high:
        return None, f"{name} must be a whole number from {low} to {high} (it is {number})"
    return number, None


def settings(config: Mapping[str, Any]) -> dict:
    """The retention settings as numbers (checked at start-up by setting_problems)."""
    return {
        "rule": str(config.get("RETENTION_CASE_RULE", "age")).strip(),
        "age": int(str(config.get("RETENTION_CASE_AGE", 25)).strip()),
        "years": int(str(config.get("RETENTION_CASE_YEARS", 6)).strip()),
        "intelligence_years": int(str(config.get("RETENTION_INTELLIGENCE_YEARS", 6)).strip()),
    }


def setting_problems(config: Mapping[str, Any]) -> Iterator[str]:
    rule = str(config.get("RETENTION_CASE_RULE", "age")).strip()
    if rule not in {r.value for r in CaseRule}:
        yield f"RETENTION_CASE_RULE must be age or years_after_closure (it is {rule!r})"
    for name, default, low, high in (
        ("RETENTION_CASE_AGE", 25, 18, 100),
        ("RETENTION_CASE_YEARS", 6, 1, 100),
        ("RETENTION_INTELLIGENCE_YEARS", 6, 1, 100),
    ):
        _, problem = _whole(config.get(name, default), name, low, high)
        if problem:
            yield problem


# --- frozen meeting records (issued agendas, approved minutes)
#
# An issued agenda version and an approved minutes version are the record of a meeting
# with other children on it: deleting one child's case must not rewrite theirs. The copy
# of the deleted child's item is replaced by a placeholder naming nothing about the child;
# the item keeps its place and number, and its case id (a number, which the audit log
# keeps too) so that the versions still compare item by item. Another child's card keeps
# its item but loses the linked-children entries (name and case number) of the deleted
# child, in the copies and in the stored changes.

PLACEHOLDER_KEY = "retention_removed"


def placeholder(on: date) -> str:
    """What a redacted item says in place of the child's details."""
    return f"A record removed under the retention policy on {on.day} {on:%B %Y}"


def _agenda_item(item: dict, text: str) -> dict:
    return {
        "number": item.get("number"),
        "case_id": item.get("case_id"),
        PLACEHOLDER_KEY: True,
        "reasons": [],
        "card": {"case_id": item.get("case_id"), "name": text},
    }


def _unlinked(card: dict, case_id: int) -> tuple[dict, int]:
    """Another child's card without its `linked_children` entries naming case `case_id`
    (the full copy's entries carry the case id; the sanitised copy's name no child)."""
    entries = card.get("linked_children")
    if not entries:
        return card, 0
    kept = [e for e in entries if not (isinstance(e, dict) and e.get("case_id") == case_id)]
    removed = len(entries) - len(kept)
    return ({**card, "linked_children": kept} if removed else card), removed


def redact_agenda(snapshot: dict | None, case_id: int, text: str) -> tuple[dict | None, int]:
    """An issued agenda copy (the full or the sanitised one) with case `case_id`'s items
    replaced by the placeholder `text`, and the other children's cards without their
    linked-children entries naming that case; returns (the copy, how many items were
    replaced or unlinked). The input is not changed."""
    if not snapshot:
        return snapshot, 0
    changed = 0
    sections = []
    for section in snapshot.get("sections", []):
        items = []
        for item in section.get("items", []):
            if item.get(PLACEHOLDER_KEY):
                items.append(item)
            elif item.get("case_id") == case_id:
                items.append(_agenda_item(item, text))
                changed += 1
            else:
                card, removed = _unlinked(item.get("card") or {}, case_id)
                items.append({**item, "card": card} if removed else item)
                changed += bool(removed)
        sections.append({**section, "items": items})
    return {**snapshot, "sections": sections}, changed


def _without_case(value, case_id: int):
    """A stored field value (the entries joined by "; ") without the entries naming
    "(case #`case_id`)"."""
    if not isinstance(value, str):
        return value
    marker = f"(case #{case_id})"
    return "; ".join(part for part in value.split("; ") if marker not in part)


def _unlinked_fields(fields: list, case_id: int) -> tuple[list, int]:
    """A change's fields with the linked-children values not naming case `case_id`; a field
    that no longer differs is left out."""
    out, removed = [], 0
    for field in fields:
        if not isinstance(field, dict) or field.get("field") != "linked_children":
            out.append(field)
            continue
        before = _without_case(field.get("before"), case_id)
        after = _without_case(field.get("after"), case_id)
        if (before, after) == (field.get("before"), field.get("after")):
            out.append(field)
            continue
        removed += 1
        if before != after:
            out.append({**field, "before": before, "after": after})
    return out, removed


def redact_changes(changes: list | None, case_id: int, text: str) -> tuple[list | None, int]:
    """A version's stored changes with those of case `case_id` reduced to their kind and
    sections (no name, no field values), and the other children's linked-children values
    without that case (a change left with nothing changed is left out); returns (the
    changes, how many were reduced or unlinked)."""
    if not changes:
        return changes, 0
    replaced = 0
    out = []
    for change in changes:
        if change.get(PLACEHOLDER_KEY):
            out.append(change)
        elif change.get("case_id") == case_id:
            kept = {k: change[k] for k in ("kind", "section", "from_section", "to_section") if k in change}
            out.append({**kept, "case_id": case_id, "name": text, "fields": [], PLACEHOLDER_KEY: True})
            replaced += 1
        elif change.get("fields"):
            fields, removed = _unlinked_fields(change["fields"], case_id)
            if not removed:
                out.append(change)
                continue
            replaced += 1
            if fields or change.get("kind") != "changed":
                out.append({**change, "fields": fields})
        else:
            out.append(change)
    return out, replaced


def redact_minutes(content: dict | None, case_id: int, text: str) -> tuple[dict | None, int]:
    """Approved minutes with case `case_id`'s item replaced by the placeholder: no heading,
    reasons, discussion, decisions or actions of the child."""
    if not content:
        return content, 0
    replaced = 0
    items = []
    for item in content.get("items", []):
        if item.get("case_id") == case_id and not item.get(PLACEHOLDER_KEY):
            items.append(
                {
                    "case_id": case_id,
                    PLACEHOLDER_KEY: True,
                    "heading": text,
                    "section": item.get("section"),
                    "reasons": [],
                    "discussion": None,
                    "decisions": {},
                    "actions": [],
                }
            )
            replaced += 1
        else:
            items.append(item)
    return {**content, "items": items}, replaced


def intelligence_fate(
    link_targets: Mapping[int, list[tuple[str, int]]], case_id: int
) -> tuple[list[int], list[int]]:
    """For the items linked to case `case_id` (item id -> every link's (kind, target id),
    kind "case", "location" or "person"): (the items linked to this case only, to delete;
    the items with another link, to keep without this case's link and review)."""
    only, shared = [], []
    for item_id, targets in sorted(link_targets.items()):
        others = [t for t in targets if t != ("case", case_id)]
        (shared if others else only).append(item_id)
    return only, shared
