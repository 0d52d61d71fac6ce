"""Pure rules for issued agendas (no Flask, no database): docs/meetings-issue.md.

A snapshot is what an issued version stores of its agenda, as plain JSON:

    {"meeting": {"title", "starts_at", "starts_local", "duration_minutes", "place",
                 "online_link", "chair"},
     "sections": [{"section", "label", "items": [{"number", "case_id", "reasons": [{section,
                   text}], "card": {...}}]}]}

`changes_between` says what changed from one snapshot to the next: items added, removed or
moved to another section, and each card field that changed, per child (by case id). It is
computed over two copies of the same kind (both full, or both sanitised), so it never
holds more than they do. `card_rows` turns a card (meetings/cards.py) into the labelled
rows a page or the PDF shows.
"""

import re
from datetime import date

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}($|T)")

# Keys of a card that are not rows: the heading, ids, and a count the list shows.
_NOT_ROWS = frozenset({"case_id", "name", "lead_professional_id", "open_action_count"})

# Labels for the card's keys (meetings/cards.py); a key not named here is shown with its
# own name made readable, so a new key in the cards is shown rather than lost.
CARD_LABELS: dict[str, str] = {
    "age": "Age",
    "date_of_birth": "Date of birth",
    "address": "Address",
    "school": "School",
    "nhs_number": "NHS number",
    "exploitation_types": "Exploitation types",
    "flags": "Flags",
    "state": "State",
    "state_label": "State",
    "risk_level_label": "Risk level (agreed)",
    "risk_level": "Risk level (agreed)",
    "suggested_risk_level": "Risk level (suggested)",
    "suggested_risk_level_label": "Risk level (suggested)",
    "latest_assessment_on": "Latest risk assessment",
    "lead_professional": "Lead professional",
    "lead_agency": "Lead agency",
    "police_tier": "Police tier",
    "police_tier_label": "Police tier",
    "police_team": "Holding team",
    "police_team_label": "Holding team",
    "services": "Specialist services",
    "missing_now": "Missing now",
    "open_missing_episode": "Open missing episode",
    "rhi_status": "Return Home Interview",
    "rhi_overdue": "Return Home Interview overdue",
    "repeat_missing": "Missing repeatedly",
    "nrm_status": "NRM status",
    "linked_children": "Linked children",
    "places": "Places",
    "persons": "Persons of concern",
    "disruptions": "Disruption actions",
    "open_actions": "Open actions",
    "next_review_on": "Next review",
    "lead_update": "Lead professional's update",
}
# A code and its label: shown once, by the label when there is one.
_SHADOWED = {
    "state": "state_label",
    "risk_level": "risk_level_label",
    "suggested_risk_level": "suggested_risk_level_label",
    "police_tier": "police_tier_label",
    "police_team": "police_team_label",
}


def field_label(key: str) -> str:
    return CARD_LABELS.get(key) or key.replace("_", " ").capitalize()


def _date_text(value: str) -> str | None:
    """An ISO date (or the date of an ISO date-time) written out: "3 March 2011"."""
    if not _ISO_DATE.match(value):
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return f"{day.day} {day.strftime('%B %Y')}"


def value_text(value) -> str:
    """A card value as a reader sees it: dates written out, lists joined, yes for true."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return _date_text(value) or value
    if isinstance(value, list):
        return "; ".join(t for t in (value_text(v) for v in value) if t)
    if isinstance(value, dict):
        return _dict_text(value)
    return str(value)


def _dict_text(value: dict) -> str:
    if "due_on" in value and "history" in value:
        return _action_text(value)
    for key in ("description", "label", "name", "title", "text"):
        if value.get(key):
            extra = [
                value_text(v)
                for k, v in value.items()
                if k in ("author", "owner", "agency", "submitted_at") and _shown(v)
            ]
            main = value_text(value[key])
            return f"{main} ({', '.join(extra)})" if extra else main
    parts = [f"{field_label(k).lower()} {value_text(v)}" for k, v in value.items() if k != "id" and _shown(v)]
    return ", ".join(parts)


def _action_text(action: dict) -> str:
    """An open action with its history: what, who, by when, and what happened to it."""
    who = ", ".join(value_text(action[k]) for k in ("owner", "agency") if _shown(action.get(k)))
    text = action.get("description") or "An action"
    if who:
        text += f" ({who})"
    if action.get("due_on"):
        text += f", due {value_text(action['due_on'])}"
    history = []
    for event in action.get("history") or []:
        line = " ".join(value_text(event.get(k)) for k in ("kind_label", "on") if event.get(k))
        if event.get("note"):
            line += f": {event['note']}"
        if line:
            history.append(line)
    return f"{text}. History: {'; '.join(history)}" if history else text


def _shown(value) -> bool:
    return value not in (None, "", [], {}, False)


def card_rows(card: dict) -> list[tuple[str, str]]:
    """(label, text) for each key of the card that holds something, in the card's order."""
    rows = []
    for key, value in card.items():
        if key in _NOT_ROWS or not _shown(value):
            continue
        if key in _SHADOWED and _shown(card.get(_SHADOWED[key])):
            continue
        if key == "open_actions" and isinstance(value, list):
            rows.extend(("Open action", value_text(action)) for action in value)
            continue
        rows.append((field_label(key), value_text(value)))
    return rows


def items_of(snapshot: dict | None) -> dict[int, dict]:
    """Each item of a snapshot by case id, with its section."""
    found = {}
    for section in (snapshot or {}).get("sections", []):
        for item in section["items"]:
            found[item["case_id"]] = {
                **item,
                "section": section["section"],
                "section_label": section["label"],
            }
    return found


def changes_between(previous: dict | None, current: dict) -> list[dict]:
    """What changed from `previous` (None: the first version) to `current`, in the current
    agenda's order, then the removed items. Each change: {"kind": added | removed | moved |
    changed, "case_id", "name", ...}: moved has `from_section`/`to_section` (labels);
    changed (and moved) has `fields`: [{"field", "label", "before", "after"}]; the card's
    case_id and the reasons are not fields (a reason follows from the data)."""
    if previous is None:
        return []
    before, after = items_of(previous), items_of(current)
    changes = []
    for case_id, item in after.items():
        old = before.get(case_id)
        name = item["card"].get("name")
        if old is None:
            changes.append(
                {"kind": "added", "case_id": case_id, "name": name, "section": item["section_label"]}
            )
            continue
        fields = _card_changes(old["card"], item["card"])
        if old["section"] != item["section"]:
            changes.append(
                {
                    "kind": "moved",
                    "case_id": case_id,
                    "name": name,
                    "from_section": old["section_label"],
                    "to_section": item["section_label"],
                    "fields": fields,
                }
            )
        elif fields:
            changes.append({"kind": "changed", "case_id": case_id, "name": name, "fields": fields})
    for case_id, old in before.items():
        if case_id not in after:
            changes.append(
                {
                    "kind": "removed",
                    "case_id": case_id,
                    "name": old["card"].get("name"),
                    "section": old["section_label"],
                }
            )
    return changes


def _card_changes(old: dict, new: dict) -> list[dict]:
    changed = []
    for key in [*new, *(k for k in old if k not in new)]:
        if key == "case_id":
            continue
        if old.get(key) != new.get(key):
            changed.append(
                {
                    "field": key,
                    "label": field_label(key),
                    "before": value_text(old.get(key)),
                    "after": value_text(new.get(key)),
                }
            )
    return changed


def change_text(change: dict) -> str:
    """One line saying what changed, without the child's name (the page shows it)."""
    kind = change["kind"]
    if kind == "added":
        return f"Added, in {change['section']}"
    if kind == "removed":
        return f"Removed (was in {change['section']})"
    fields = ", ".join(f["label"].lower() for f in change.get("fields", []))
    if kind == "moved":
        moved = f"Moved from {change['from_section']} to {change['to_section']}"
        return f"{moved}; changed: {fields}" if fields else moved
    return f"Changed: {fields}" if fields else "Changed"


def display_sections(agenda: dict) -> list[dict]:
    """A snapshot's sections as a page or the PDF shows them: each item's number, case id,
    name (initials in the sanitised copy), reasons' texts and card rows."""
    return [
        {
            "section": section["section"],
            "label": section["label"],
            "items": [
                {
                    "number": item["number"],
                    "case_id": item["case_id"],
                    "name": item["card"].get("name"),
                    "reasons": [r["text"] for r in item.get("reasons", []) if r.get("text")],
                    "rows": card_rows(item["card"]),
                    # A record deleted under the retention policy: a placeholder, no case to open.
                    "removed": bool(item.get("retention_removed")),
                }
                for item in section["items"]
            ],
        }
        for section in agenda.get("sections", [])
    ]


def display_changes(changes: list[dict]) -> list[dict]:
    """Each change as a page shows it: the name (initials in the sanitised copy) and a line."""
    return [{"name": c.get("name"), "case_id": c.get("case_id"), "text": change_text(c)} for c in changes]


def item_count(agenda: dict) -> int:
    return sum(len(s["items"]) for s in agenda.get("sections", []))
