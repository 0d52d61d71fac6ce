"""The pure retention rules: review dates per record type, and the settings' checks."""

from datetime import date

import pytest

from config import Config
from mettrack import create_app
from mettrack.retention import rules


def test_a_case_under_the_age_rule_is_reviewed_at_the_childs_25th_birthday():
    review = rules.case_review(
        closed_on=date(2026, 5, 1), date_of_birth=date(2010, 2, 3), rule="age", age=25, years=6
    )
    assert review == (date(2035, 2, 3), "age")


def test_a_case_is_never_reviewed_before_it_closed():
    review = rules.case_review(
        closed_on=date(2040, 5, 1), date_of_birth=date(2010, 2, 3), rule="age", age=25, years=6
    )
    assert review == (date(2040, 5, 1), "age")


def test_without_a_date_of_birth_the_years_rule_applies():
    review = rules.case_review(closed_on=date(2026, 5, 1), date_of_birth=None, rule="age", age=25, years=6)
    assert review == (date(2032, 5, 1), "years_after_closure_no_birth_date")


def test_years_after_closure():
    review = rules.case_review(
        closed_on=date(2024, 2, 29),
        date_of_birth=date(2010, 1, 1),
        rule="years_after_closure",
        age=25,
        years=7,
    )
    assert review == (date(2031, 2, 28), "years_after_closure")


def test_an_open_case_has_no_review_date():
    assert (
        rules.case_review(closed_on=None, date_of_birth=date(2000, 1, 1), rule="age", age=25, years=6) is None
    )


def test_intelligence_is_reviewed_years_after_its_last_link():
    assert rules.intelligence_review(last_linked_on=date(2026, 1, 9), years=6) == (
        date(2032, 1, 9),
        "years_after_last_link",
    )


def test_settings_are_checked_naming_each_setting():
    assert list(rules.setting_problems({})) == []
    problems = list(
        rules.setting_problems(
            {
                "RETENTION_CASE_RULE": "forever",
                "RETENTION_CASE_AGE": "ten",
                "RETENTION_CASE_YEARS": "0",
                "RETENTION_INTELLIGENCE_YEARS": "6",
            }
        )
    )
    assert len(problems) == 3
    assert problems[0].startswith("RETENTION_CASE_RULE")
    assert problems[1].startswith("RETENTION_CASE_AGE")
    assert problems[2].startswith("RETENTION_CASE_YEARS")


@pytest.mark.parametrize(
    ("name", "value"),
    [("RETENTION_CASE_RULE", "forever"), ("RETENTION_CASE_AGE", "ten"), ("RETENTION_INTELLIGENCE_YEARS", 0)],
)
def test_the_app_will_not_start_with_an_unusable_retention_setting(name, value):
    with pytest.raises(RuntimeError, match=name):
        create_app({name: value})


def test_the_zero_setup_defaults_need_no_setting():
    assert list(rules.setting_problems(vars(Config))) == []
    assert rules.settings(vars(Config)) == {"rule": "age", "age": 25, "years": 6, "intelligence_years": 6}


def test_a_redacted_agenda_keeps_the_other_items_and_the_numbering():
    from mettrack.retention import rules as r

    snapshot = {
        "meeting": {"title": "MET"},
        "sections": [
            {
                "section": "high_risk",
                "label": "High risk",
                "items": [
                    {
                        "number": 1,
                        "case_id": 7,
                        "reasons": [{"text": "x"}],
                        "card": {"name": "A B", "dob": "2011"},
                    },
                    {"number": 2, "case_id": 8, "reasons": [], "card": {"name": "C D"}},
                ],
            }
        ],
    }
    text = r.placeholder(date(2060, 6, 1))
    assert text == "A record removed under the retention policy on 1 June 2060"
    out, n = r.redact_agenda(snapshot, 7, text)
    assert n == 1 and snapshot["sections"][0]["items"][0]["card"]["name"] == "A B"  # input unchanged
    first, second = out["sections"][0]["items"]
    assert first == {
        "number": 1,
        "case_id": 7,
        "retention_removed": True,
        "reasons": [],
        "card": {"case_id": 7, "name": text},
    }
    assert second == snapshot["sections"][0]["items"][1]
    assert r.redact_agenda(out, 7, text)[1] == 0  # done once only
    changes, n = r.redact_changes(
        [{"kind": "changed", "case_id": 7, "name": "A B", "fields": [{"before": "x", "after": "y"}]}], 7, text
    )
    assert n == 1 and changes[0]["fields"] == [] and changes[0]["name"] == text


def test_which_intelligence_goes_with_the_case():
    from mettrack.retention.rules import intelligence_fate

    links = {1: [("case", 7)], 2: [("case", 7), ("case", 8)], 3: [("case", 7), ("location", 4)]}
    assert intelligence_fate(links, 7) == ([1], [2, 3])


def test_redaction_takes_the_case_out_of_the_other_childrens_linked_children():
    from mettrack.retention import rules as r

    text = r.placeholder(date(2060, 6, 1))
    link = {"label": "A B (case #7): friend, likely", "case_id": 7}
    other = {"label": "E F (case #9): friend, likely", "case_id": 9}
    card = {"name": "C D", "linked_children": [link, other]}
    item = {"number": 1, "case_id": 8, "reasons": [], "card": card}
    snapshot = {"sections": [{"section": "s", "label": "S", "items": [item]}]}
    out, n = r.redact_agenda(snapshot, 7, text)
    assert n == 1 and out["sections"][0]["items"][0]["card"] == {"name": "C D", "linked_children": [other]}
    assert item["card"]["linked_children"] == [link, other]  # input unchanged
    assert r.redact_agenda(out, 7, text)[1] == 0
    changes = [
        {
            "kind": "changed",
            "case_id": 8,
            "name": "C D",
            "fields": [
                {"field": "linked_children", "label": "Linked children", "before": "", "after": link["label"]}
            ],
        },
        {
            "kind": "moved",
            "case_id": 9,
            "name": "E F",
            "from_section": "S",
            "to_section": "T",
            "fields": [
                {
                    "field": "linked_children",
                    "label": "Linked children",
                    "before": "",
                    "after": f"{link['label']}; G H (case #10): friend, likely",
                }
            ],
        },
    ]
    out, n = r.redact_changes(changes, 7, text)
    assert n == 2 and "case #7" not in str(out)
    left = {**changes[1]["fields"][0], "after": "G H (case #10): friend, likely"}
    assert out == [{**changes[1], "fields": [left]}]  # the change that was only the link is left out
