"""The agenda's pure rules: reason wording, the first section, and a rebuild merged with
the chair's edits (mettrack/meetings/agenda_rules.py)."""

from datetime import date

from mettrack.meetings import agenda_rules as rules
from mettrack.meetings.agenda_rules import Facts, Item


def test_reasons_are_worded_as_a_chair_reads_them():
    facts = Facts(
        case_id=1,
        referred_on=date(2026, 3, 12),
        high_risk=True,
        review_due_on=date(2026, 3, 14),
        missing=[(date(2026, 3, 3), date(2026, 3, 5)), (date(2026, 2, 27), date(2026, 3, 1))],
        assessed_on=[date(2026, 3, 4)],
        intelligence_on=[date(2026, 3, 2), date(2026, 3, 6)],
        closure_proposed=("the lead professional (Testtown Council)", date(2026, 3, 6)),
        open_actions_from=[date(2026, 3, 5), date(2026, 3, 5)],
    )
    assert [r["text"] for r in rules.reasons_for(facts)] == [
        "referred on 12 March",
        "high risk",
        "review due 14 March",
        "missing 27 February to 1 March",
        "missing 3 to 5 March",
        "new risk assessment on 4 March",
        "new intelligence on 2 March and 6 March",
        "closure proposed by the lead professional (Testtown Council) on 6 March",
        "2 open actions from 5 March",
    ]
    assert rules.section_of(rules.reasons_for(facts)) == "new_referrals"


def test_spans_and_single_reasons():
    assert rules.span_text(date(2026, 3, 3), None) == "since 3 March"
    assert rules.span_text(date(2026, 3, 3), date(2026, 3, 3)) == "3 March"
    only_action = rules.reasons_for(Facts(case_id=1, open_actions_from=[date(2026, 2, 24)]))
    assert only_action == [{"section": "open_actions", "text": "1 open action from 24 February"}]
    assert rules.reasons_for(Facts(case_id=1)) == []
    assert rules.section_of([]) == "added_by_chair"


def test_nrm_status_in_words():
    assert rules.nrm_status(None, None, None, None, None) is None
    assert rules.nrm_status(date(2026, 2, 1), None, None, None, None) == "referred on 1 February"
    assert rules.nrm_status(date(2026, 2, 1), "positive", date(2026, 2, 6), None, None) == (
        "reasonable grounds positive on 6 February"
    )
    assert (
        rules.nrm_status(date(2026, 2, 1), "positive", None, "pending", None) == "conclusive grounds awaited"
    )


def _built(*case_ids, section="high_risk"):
    return {c: ([{"section": section, "text": "high risk"}], rules.sort_key("high", c)) for c in case_ids}


def test_a_rebuild_keeps_added_removed_and_moved_items_and_drops_the_rest():
    saved = [
        Item(case_id=1, section="high_risk", reasons=[], position=2, moved_by_chair=True),
        Item(case_id=2, section="high_risk", reasons=[]),
        Item(case_id=3, section="high_risk", reasons=[], removed=True),
        Item(case_id=4, section="added_by_chair", reasons=[], added_by_chair=True),
        Item(case_id=5, section="review_due", reasons=[]),  # the data no longer asks for it
    ]
    items, deleted = rules.merge(saved, _built(1, 2, 3, 6, 7))
    assert deleted == [5]
    order = [(i.section, i.case_id, i.position, i.removed) for i in items]
    assert order == [
        ("high_risk", 2, 0, False),
        ("high_risk", 6, 1, False),
        ("high_risk", 1, 2, False),  # the chair put it third: it stays third
        ("high_risk", 7, 3, False),
        ("high_risk", 3, 4, True),
        ("added_by_chair", 4, 0, False),
    ]
    assert next(i for i in items if i.case_id == 4).reasons == rules.added_by_chair_reasons()


def test_moving_pins_the_item_within_its_section():
    items = [Item(case_id=c, section="high_risk", reasons=[], position=n) for n, c in enumerate((1, 2, 3))]
    shown = rules.moved(items, 3, step=-1)
    assert [i.case_id for i in shown] == [1, 3, 2]
    assert next(i for i in items if i.case_id == 3).moved_by_chair
    shown = rules.moved(items, 3, to=0)
    assert [i.case_id for i in shown] == [3, 1, 2]
    shown = rules.moved(items, 2, step=5)  # past the end: last
    assert [i.case_id for i in shown][-1] == 2
