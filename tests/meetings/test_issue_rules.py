"""meetings/version_rules.py: what changed between two snapshots, and a card's rows (pure:
no app, no database)."""

from mettrack.meetings import version_rules as rules


def _snapshot(*sections) -> dict:
    return {
        "meeting": {"title": "MET"},
        "sections": [
            {
                "section": code,
                "label": code.title(),
                "items": [{"number": 0, "case_id": c["case_id"], "reasons": [], "card": c} for c in cards],
            }
            for code, cards in sections
        ],
    }


def test_the_first_version_has_no_changes():
    assert rules.changes_between(None, _snapshot(("a", [{"case_id": 1, "name": "A"}]))) == []


def test_added_removed_moved_and_changed():
    before = _snapshot(
        ("a", [{"case_id": 1, "name": "A", "age": 14}, {"case_id": 2, "name": "B"}]),
        ("b", [{"case_id": 3, "name": "C"}]),
    )
    after = _snapshot(
        ("a", [{"case_id": 1, "name": "A", "age": 15}, {"case_id": 4, "name": "D"}]),
        ("c", [{"case_id": 3, "name": "C"}]),
    )
    changes = rules.changes_between(before, after)
    assert [(c["kind"], c["case_id"]) for c in changes] == [
        ("changed", 1),
        ("added", 4),
        ("moved", 3),
        ("removed", 2),
    ]
    assert changes[0]["fields"] == [{"field": "age", "label": "Age", "before": "14", "after": "15"}]
    assert (
        changes[2]["from_section"] == "B" and changes[2]["to_section"] == "C" and changes[2]["fields"] == []
    )
    assert rules.change_text(changes[0]) == "Changed: age"
    assert rules.change_text(changes[1]) == "Added, in A"
    assert rules.change_text(changes[2]) == "Moved from B to C"
    assert rules.change_text(changes[3]) == "Removed (was in A)"


def test_card_rows_skip_empty_and_shadowed_keys_and_write_dates_out():
    card = {
        "case_id": 1,
        "name": "AB",
        "age": 15,
        "date_of_birth": None,
        "risk_level": "high",
        "risk_level_label": "High",
        "flags": [],
        "missing_now": False,
        "repeat_missing": True,
        "next_review_on": "2026-03-14",
        "open_actions": [
            {
                "description": "Visit",
                "owner": "Olu Owner",
                "agency": "Police",
                "due_on": "2026-03-05",
                "status": "open",
                "history": [{"kind_label": "Raised", "on": "2026-02-24", "note": None}],
            }
        ],
        "lead_update": {
            "text": "Settled",
            "author": "Lena Lead",
            "submitted_at": "2026-03-01T09:00:00+00:00",
        },
        "something_new": "shown",
    }
    assert rules.card_rows(card) == [
        ("Age", "15"),
        ("Risk level (agreed)", "High"),
        ("Missing repeatedly", "Yes"),
        ("Next review", "14 March 2026"),
        ("Open action", "Visit (Olu Owner, Police), due 5 March 2026. History: Raised 24 February 2026"),
        ("Lead professional's update", "Settled (Lena Lead, 1 March 2026)"),
        ("Something new", "shown"),
    ]
