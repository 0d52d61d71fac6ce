"""Case notes, the language list and the reference data administration, through the
services: what is saved, what is refused with the field named, and the audit rows."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from mettrack.cases.models import Case
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import ReferenceKind, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.demo.notes import DEMO_NOTES
from mettrack.language import phrases as language_phrases
from mettrack.language.models import LanguagePhrase
from mettrack.language.rules import check, load_seed_phrases
from mettrack.notes import case_notes as notes
from mettrack.notes.models import CaseNote
from mettrack.reference import data as reference_data
from mettrack.reference.models import ReferenceItem
from tests import factories

FLAGGED = "Mum says she keeps going missing and is putting herself at risk at weekends."
CLEAN = "Home visit with mum. A safety plan was agreed and the school will share attendance daily."


@pytest.fixture
def seeded(app_ctx):
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    language_phrases.seed_defaults()
    db.session.commit()
    return app_ctx


@pytest.fixture
def lead(seeded):
    return factories.user(roles=[Role.LEAD_PROFESSIONAL])


def _notes() -> list[CaseNote]:
    return list(db.session.scalars(select(CaseNote).order_by(CaseNote.id)))


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- the language list


def test_seeding_is_idempotent_and_leaves_admins_changes(app_ctx):
    assert language_phrases.seed_defaults() == len(load_seed_phrases())
    db.session.commit()
    entry = db.session.scalar(select(LanguagePhrase).where(LanguagePhrase.phrase == "streetwise"))
    entry.active = False
    entry.suggestion = "changed by an admin"
    db.session.commit()

    assert language_phrases.seed_defaults() == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(LanguagePhrase)) == len(load_seed_phrases())
    db.session.refresh(entry)
    assert not entry.active and entry.suggestion == "changed by an admin"


def test_check_text_uses_only_active_phrases(seeded):
    admin = factories.user(roles=[Role.ADMIN])
    assert [f.phrase for f in language_phrases.check_text("He is STREETWISE.")] == ["streetwise"]
    entry = db.session.scalar(select(LanguagePhrase).where(LanguagePhrase.phrase == "streetwise"))

    language_phrases.set_active(admin, entry.id, False)

    assert language_phrases.check_text("He is STREETWISE.") == []
    assert [a.record_id for a in _audit("language_phrase.deactivated")] == [str(entry.id)]


def test_admin_adds_a_phrase_and_its_word_forms_are_then_found(seeded):
    admin = factories.user(roles=[Role.ADMIN])

    entry = language_phrases.add_phrase(
        admin, {"phrase": "  choosing   to stay out ", "suggestion": "being kept out", "why": ""}
    )

    assert entry.phrase == "choosing to stay out" and entry.why is None
    findings = language_phrases.check_text("Carers say she chose to stay out again.")
    assert [(f.text, f.suggestion) for f in findings] == [("chose to stay out", "being kept out")]
    assert len(_audit("language_phrase.added")) == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"phrase": "", "suggestion": "x"}, "phrase", "Enter the phrase"),
        ({"phrase": "Child   PROSTITUTE", "suggestion": "x"}, "phrase", "already in the list"),
        ({"phrase": "!!!", "suggestion": "x"}, "phrase", "at least one word"),
        ({"phrase": "x" * 201, "suggestion": "x"}, "phrase", "200 characters or fewer"),
        ({"phrase": "fresh phrase", "suggestion": "  "}, "suggestion", "Enter the suggested wording"),
        ({"phrase": "fresh phrase", "suggestion": 7}, "suggestion", "must be text"),
    ],
)
def test_a_bad_phrase_is_refused_naming_the_field(seeded, data, field, message):
    admin = factories.user(roles=[Role.ADMIN])
    before = db.session.scalar(select(func.count()).select_from(LanguagePhrase))

    with pytest.raises(ValidationError) as refused:
        language_phrases.add_phrase(admin, data)

    assert message in refused.value.errors[field]
    assert db.session.scalar(select(func.count()).select_from(LanguagePhrase)) == before


def test_editing_a_phrase_may_keep_its_own_text_but_not_take_anothers(seeded):
    admin = factories.user(roles=[Role.ADMIN])
    entry = db.session.scalar(select(LanguagePhrase).where(LanguagePhrase.phrase == "streetwise"))

    language_phrases.update_phrase(admin, entry.id, {"phrase": "Streetwise", "suggestion": "vulnerable"})
    assert entry.phrase == "Streetwise" and entry.suggestion == "vulnerable"
    with pytest.raises(ValidationError) as refused:
        language_phrases.update_phrase(admin, entry.id, {"phrase": "promiscuous", "suggestion": "x"})
    assert "phrase" in refused.value.errors
    db.session.refresh(entry)
    assert entry.phrase == "Streetwise"


def test_only_an_admin_changes_the_list(seeded):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])

    with pytest.raises(language_phrases.NotAllowed):
        language_phrases.add_phrase(lead, {"phrase": "new one", "suggestion": "x"})

    assert _audit("language_phrase.change.denied")


def test_check_request_names_the_text_field():
    for bad in (None, "   ", 5, "x" * (language_phrases.MAX_CHECK_TEXT + 1)):
        with pytest.raises(ValidationError) as refused:
            language_phrases.check_request({"text": bad})
        assert "text" in refused.value.errors


# --- notes


def test_clean_note_is_saved_at_once_and_audited(lead):
    case = factories.case(lead=lead)

    outcome = notes.add_note(lead, case.id, f"  {CLEAN}\r\nSecond line.  ")

    assert outcome.saved and outcome.findings == []
    [note] = _notes()
    assert note.body == f"{CLEAN}\nSecond line." and note.author_id == lead.id
    assert json.loads(note.flagged_phrases) == []
    [row] = _audit("note.added")
    assert row.record_type == "case_note" and row.record_id == str(note.id)
    assert json.loads(row.detail) == {"case_id": case.id, "flagged": 0, "saved_anyway": False}
    assert CLEAN not in row.detail


def test_flagged_note_is_not_saved_until_the_writer_confirms(lead):
    case = factories.case(lead=lead)

    outcome = notes.add_note(lead, case.id, FLAGGED)

    assert not outcome.saved and _notes() == []
    assert [(f.text, f.phrase) for f in outcome.findings] == [
        ("keeps going missing", "keeps going missing"),
        ("putting herself at risk", "putting themselves at risk"),
    ]
    assert all(f.suggestion for f in outcome.findings)
    assert _audit("note.added") == []

    saved = notes.add_note(lead, case.id, FLAGGED, save_anyway=True)

    [note] = _notes()
    assert saved.note.id == note.id
    assert notes.flagged_phrases(note) == ["keeps going missing", "putting herself at risk"]
    assert json.loads(note.flagged_phrases)[1]["suggestion"].startswith("may have been groomed")
    assert json.loads(_audit("note.added")[0].detail)["saved_anyway"] is True


def test_save_anyway_on_clean_text_records_nothing_flagged(lead):
    case = factories.case(lead=lead)

    outcome = notes.add_note(lead, case.id, CLEAN, save_anyway=True)

    assert outcome.saved and notes.flagged(outcome.note) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Enter the note"),
        ("  \n ", "Enter the note"),
        (None, "Enter the note"),
        (42, "must be text"),
        ("x" * (notes.MAX_BODY + 1), "10000 characters or fewer"),
    ],
)
def test_bad_body_is_refused_naming_the_field(lead, body, message):
    case = factories.case(lead=lead)

    with pytest.raises(ValidationError) as refused:
        notes.add_note(lead, case.id, body)

    assert message in refused.value.errors["body"]
    assert _notes() == []


def test_a_note_of_the_maximum_length_is_saved(lead):
    case = factories.case(lead=lead)

    assert notes.add_note(lead, case.id, "a" * notes.MAX_BODY).saved


def test_a_case_outside_need_to_know_is_not_found_and_the_attempt_audited(lead):
    hidden = factories.case(lead=None)

    with pytest.raises(NotFound):
        notes.add_note(lead, hidden.id, CLEAN)
    with pytest.raises(NotFound):
        notes.list_for(lead, hidden.id)

    assert _notes() == []
    denied = db.session.scalars(select(AuditEvent.action).where(AuditEvent.outcome == "denied")).all()
    assert "note.add.denied" in denied and "notes.list.denied" in denied


def test_an_analyst_may_not_write_or_read_notes(seeded):
    analyst = factories.user(roles=[Role.ANALYST])
    case = factories.case(lead=factories.user())

    # A role refusal is 403 (DESIGN.md), before the case is looked at.
    with pytest.raises(NotAllowed):
        notes.add_note(analyst, case.id, CLEAN)
    with pytest.raises(NotFound):
        notes.list_for(analyst, case.id)
    assert _notes() == []


def test_notes_are_listed_newest_first_and_the_read_is_audited(lead):
    case = factories.case(lead=lead)
    for day in (1, 3, 2):
        set_now(datetime(2026, 3, day, 9, 0, tzinfo=UTC))
        notes.add_note(lead, case.id, f"Note of day {day}")

    _case, listed = notes.list_for(lead, case.id)

    assert [n.body for n in listed] == ["Note of day 3", "Note of day 2", "Note of day 1"]
    row = _audit("notes.listed")[-1]
    assert row.record_id == str(case.id)
    assert json.loads(row.detail) == {"ids": [n.id for n in listed]}


def test_the_service_offers_no_way_to_change_or_delete_a_note():
    public = {name for name in dir(notes) if not name.startswith("_")}
    assert not {n for n in public if n.startswith(("update", "edit", "delete", "remove"))}


def test_the_demo_notes_pass_the_language_check():
    seed = load_seed_phrases()
    for entries in DEMO_NOTES.values():
        for _days, _who, text in entries:
            assert check(text, seed) == [], text


# --- reference data administration


@pytest.fixture
def admin(app_ctx):
    reference_data.seed_defaults()
    db.session.commit()
    return factories.user(roles=[Role.ADMIN])


def _item(kind: ReferenceKind, code: str) -> ReferenceItem:
    return db.session.scalar(
        select(ReferenceItem).where(ReferenceItem.kind == kind.value, ReferenceItem.code == code)
    )


def test_admin_adds_a_team_to_a_tier_and_it_is_offered_last(admin):
    item = reference_data.add_item(
        admin, ReferenceKind.POLICE_TEAM, {"code": "NPT_East", "label": "NPT (East)", "parent_code": "medium"}
    )

    assert item.code == "npt_east" and item.active
    offered = reference_data.list_active(ReferenceKind.POLICE_TEAM, parent_code="medium")
    assert offered[-1].code == "npt_east"
    assert json.loads(_audit("reference_item.added")[0].detail) == {"kind": "police_team", "code": "npt_east"}


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        (ReferenceKind.EXIT_REASON, {"code": "", "label": "x"}, "code"),
        (ReferenceKind.EXIT_REASON, {"code": "risk_reduced", "label": "x"}, "code"),
        (ReferenceKind.EXIT_REASON, {"code": "9lives", "label": "x"}, "code"),
        (ReferenceKind.EXIT_REASON, {"code": "has space", "label": "x"}, "code"),
        (ReferenceKind.POLICE_TIER, {"code": "t" * 41, "label": "x"}, "code"),
        (ReferenceKind.EXIT_REASON, {"code": "fine", "label": ""}, "label"),
        (ReferenceKind.POLICE_TEAM, {"code": "fine", "label": "x", "parent_code": "nope"}, "parent_code"),
        (ReferenceKind.POLICE_TEAM, {"code": "fine", "label": "x"}, "parent_code"),
        (ReferenceKind.EXIT_REASON, {"code": "fine", "label": "x", "sort_order": "-3"}, "sort_order"),
        (ReferenceKind.EXIT_REASON, {"code": "fine", "label": "x", "sort_order": "first"}, "sort_order"),
    ],
)
def test_a_bad_item_is_refused_naming_the_field(admin, kind, data, field):
    before = db.session.scalar(select(func.count()).select_from(ReferenceItem))

    with pytest.raises(ValidationError) as refused:
        reference_data.add_item(admin, kind, data)

    assert field in refused.value.errors
    assert db.session.scalar(select(func.count()).select_from(ReferenceItem)) == before


def test_a_code_may_change_until_a_case_uses_it(admin):
    item = reference_data.add_item(admin, ReferenceKind.EXIT_REASON, {"code": "new_reason", "label": "New"})
    reference_data.update_item(admin, item.id, {"code": "renamed", "label": "Renamed", "sort_order": "3"})
    assert (item.code, item.label, item.sort_order) == ("renamed", "Renamed", 3)

    case = factories.case(lead=factories.user())
    db.session.get(Case, case.id).closure_reason = "renamed"
    db.session.commit()

    assert reference_data.code_locked(item)
    reference_data.update_item(admin, item.id, {"code": "again", "label": "Relabelled"})
    assert (item.code, item.label) == ("renamed", "Relabelled")  # the code is ignored


def test_a_tier_with_teams_and_the_systems_own_codes_are_locked(admin):
    assert reference_data.code_locked(_item(ReferenceKind.POLICE_TIER, "high"))
    assert reference_data.code_locked(_item(ReferenceKind.EXIT_REASON, "other"))
    assert not reference_data.code_locked(_item(ReferenceKind.EXIT_REASON, "turned_18"))


def test_a_deactivated_item_is_not_offered_but_still_labels_cases(admin):
    team = _item(ReferenceKind.POLICE_TEAM, "npt_north")

    reference_data.set_item_active(admin, team.id, False)

    assert reference_data.active_item(ReferenceKind.POLICE_TEAM, "npt_north") is None
    assert "npt_north" not in {i.code for i in reference_data.list_active(ReferenceKind.POLICE_TEAM)}
    assert reference_data.label_for(ReferenceKind.POLICE_TEAM, "npt_north") == team.label
    reference_data.set_item_active(admin, team.id, True)
    assert reference_data.active_item(ReferenceKind.POLICE_TEAM, "npt_north") is not None
    assert [
        a.action
        for a in db.session.scalars(
            select(AuditEvent).where(AuditEvent.record_type == "reference_item").order_by(AuditEvent.seq)
        )
    ] == [
        "reference_item.deactivated",
        "reference_item.reactivated",
    ]


def test_only_an_admin_changes_reference_data(admin):
    chair = factories.user(roles=[Role.MET_CHAIR])
    item = _item(ReferenceKind.EXIT_REASON, "turned_18")

    with pytest.raises(reference_data.NotAllowed):
        reference_data.set_item_active(chair, item.id, False)

    db.session.refresh(item)
    assert item.active
    assert _audit("reference_item.change.denied")


def test_unknown_item_is_not_found(admin):
    with pytest.raises(NotFound):
        reference_data.update_item(admin, 999_999, {"label": "x"})


def test_demo_load_seeds_the_language_list_and_a_few_notes_by_team_members(app_ctx):
    from mettrack.cases.models import CaseTeamMember
    from mettrack.demo.load import load_demo
    from tests.demo_data import load_demo_snapshot

    load_demo_snapshot()
    count = db.session.scalar(select(func.count()).select_from(CaseNote))
    load_demo()

    assert count == sum(len(v) for v in DEMO_NOTES.values())
    assert db.session.scalar(select(func.count()).select_from(CaseNote)) == count  # idempotent
    assert db.session.scalar(select(func.count()).select_from(LanguagePhrase)) == len(load_seed_phrases())
    for note in _notes():
        assert language_phrases.check_text(note.body) == []
        team = db.session.scalars(
            select(CaseTeamMember.user_id).where(CaseTeamMember.case_id == note.case_id)
        )
        assert note.author_id in set(team)
