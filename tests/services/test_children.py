"""mettrack/children/records.py: scoped reads, likely duplicates, create and update.
Names are invented."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from mettrack.children import records as svc
from mettrack.children.models import Child
from mettrack.children.records import ChildInput
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import NotFound
from mettrack.screening.screenings import screen_child
from tests import factories

VALID_NHS = "9434765919"
DOB = date(2012, 5, 17)


def rows(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
    )


def count_children() -> int:
    return db.session.scalar(select(func.count()).select_from(Child))


def full_input(**overrides) -> ChildInput:
    fields = dict(
        first_name="Tamsin",
        last_name="Okoro",
        aliases="Tam\nTammy Vale",
        date_of_birth=("17", "5", "2012"),
        gender="female",
        ethnicity="Black British",
        address="12 Invented Road, Southsea",
        school="Harbourside Academy",
        parent_carer_contacts="Ada Okoro (mother) 07700 900123",
        looked_after=True,
        looked_after_status="s20",
        social_worker="Sam Fielding, Adolescent Service",
        nhs_number="943 476 5919",
        local_identifier="LCS-0042",
        consistent_child_identifier="CCI-7781",
    )
    return ChildInput(**(fields | overrides))


@pytest.fixture
def partner(app_ctx):
    return factories.user(roles=[Role.PARTNER], agency="Harbourside Academy")


def test_child_is_created_with_every_field_and_audited(partner):
    child = svc.create_child(partner, full_input())
    assert (child.first_name, child.last_name, child.date_of_birth) == ("Tamsin", "Okoro", DOB)
    assert child.aliases == "Tam\nTammy Vale"
    assert child.nhs_number == VALID_NHS
    assert (child.looked_after, child.looked_after_status) == (True, "s20")
    assert child.consistent_child_identifier == "CCI-7781"
    assert child.created_by_id == partner.id
    assert not child.__dict__.get("cases")  # recording a child opens no case
    [row] = rows("child.created")
    assert (row.actor_user_id, row.record_id, row.outcome) == (partner.id, str(child.id), "ok")


BAD_INPUT = [
    ("no first name", {"first_name": "  "}, "first_name", "Enter the child's first name"),
    ("no last name", {"last_name": None}, "last_name", "Enter the child's last name"),
    ("name too long", {"first_name": "A" * 101}, "first_name", "100 characters or fewer"),
    ("name not text", {"last_name": 42}, "last_name", "must be text"),
    ("date in the future", {"date_of_birth": ("1", "1", "2099")}, "date_of_birth", "today or in the past"),
    (
        "date over 25 years ago",
        {"date_of_birth": ("1", "1", "1990")},
        "date_of_birth",
        "within the last 25 years",
    ),
    ("31 February", {"date_of_birth": ("31", "2", "2012")}, "date_of_birth", "must be a real date"),
    ("letters in a date", {"date_of_birth": ("x", "2", "2012")}, "date_of_birth", "must be a real date"),
    ("two-digit year", {"date_of_birth": ("1", "2", "12")}, "date_of_birth", "year in 4 digits"),
    ("date without a month", {"date_of_birth": ("1", "", "2012")}, "date_of_birth", "must include a month"),
    ("ISO date that is not one", {"date_of_birth": "2012-02-30"}, "date_of_birth", "must be a real date"),
    ("20-digit day", {"date_of_birth": ("9" * 20, "2", "2012")}, "date_of_birth", "must be a real date"),
    ("20-digit month", {"date_of_birth": ("1", "9" * 20, "2012")}, "date_of_birth", "must be a real date"),
    ("Arabic-Indic digits", {"date_of_birth": ("١", "٢", "٢٠١٢")}, "date_of_birth", "must be a real date"),
    ("full-width digits", {"date_of_birth": ("０１", "2", "2012")}, "date_of_birth", "must be a real date"),
    ("ISO date in other digits", {"date_of_birth": "２０１２-02-01"}, "date_of_birth", "must be a real date"),
    ("a number for a date", {"date_of_birth": 20120201}, "date_of_birth", "must be a date"),
    ("NHS number with letters", {"nhs_number": "94347659AB"}, "nhs_number", "10 digits"),
    ("NHS number too short", {"nhs_number": "943476591"}, "nhs_number", "10 digits"),
    ("NHS number in full-width digits", {"nhs_number": "９４３４７６５９１９"}, "nhs_number", "10 digits"),
    ("NHS number check digit", {"nhs_number": "9434765918"}, "nhs_number", "valid NHS number"),
    ("looked after, no order", {"looked_after_status": ""}, "looked_after_status", "Choose the order"),
    ("looked after, unknown order", {"looked_after_status": "s99"}, "looked_after_status", "from the list"),
    ("address too long", {"address": "x" * 501}, "address", "500 characters or fewer"),
    ("too many aliases", {"aliases": "\n".join(f"Name{i}" for i in range(21))}, "aliases", "20 other names"),
]


@pytest.mark.parametrize(("case", "overrides", "field", "message"), BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input_names_the_field_and_saves_nothing(partner, case, overrides, field, message):
    with pytest.raises(ValidationError) as raised:
        svc.create_child(partner, full_input(**overrides))
    assert field in raised.value.errors
    assert message in raised.value.errors[field]
    assert count_children() == 0
    assert rows("child.created") == []


def test_date_of_birth_today_in_london_is_accepted_though_it_is_yesterday_in_utc(partner):
    set_now(datetime(2026, 6, 30, 23, 30, tzinfo=UTC))  # 00:30 on 1 July in London
    child = svc.create_child(partner, full_input(date_of_birth="2026-07-01"))
    assert child.date_of_birth == date(2026, 7, 1)


def test_a_status_sent_for_a_child_not_looked_after_is_not_kept(partner):
    child = svc.create_child(partner, full_input(looked_after=False, looked_after_status="s20"))
    assert (child.looked_after, child.looked_after_status) == (False, None)


@pytest.mark.parametrize(
    ("first", "last", "aliases"),
    [
        ("Muhammad", "Farouqi", ""),  # spelling variant
        ("Farouqi", "Mohammed", ""),  # first and last swapped
        ("Mo", "Farouqi", ""),  # a known alias of the existing child
        ("Kit", "Lorne", "Mohammed Farouqi"),  # the new record's alias is the existing name
    ],
    ids=["spelling variant", "swapped", "alias", "alias of the new record"],
)
def test_likely_duplicate_is_not_created_without_confirmation(partner, first, last, aliases):
    existing = factories.child(first_name="Mohammed", last_name="Farouqi", date_of_birth=DOB, aliases="Mo")
    factories.case(members=[partner], child_obj=existing)
    data = full_input(
        first_name=first, last_name=last, aliases=aliases, nhs_number="", consistent_child_identifier=""
    )
    with pytest.raises(svc.LikelyDuplicate) as raised:
        svc.create_child(partner, data)
    assert "confirmed_no_match" in raised.value.errors
    assert [c.id for c, _ in raised.value.report.visible] == [existing.id]
    assert count_children() == 1

    child = svc.create_child(partner, data, confirmed_no_match=True)
    assert count_children() == 2
    [row] = rows("child.created")
    assert json.loads(row.detail) == {"confirmed_no_match_with": [existing.id]}
    assert child.id != existing.id


def test_same_nhs_number_is_a_likely_duplicate_whatever_the_name(partner):
    factories.child(first_name="Ann", last_name="Lee", nhs_number=VALID_NHS)
    with pytest.raises(svc.LikelyDuplicate):
        svc.create_child(partner, full_input())


def test_hidden_match_is_a_hint_naming_only_the_lead_agency_and_is_audited(partner):
    police = factories.user(roles=[Role.LEAD_PROFESSIONAL], agency="Hampshire and Isle of Wight Constabulary")
    old_lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], agency="Early Help and Prevention")
    hidden = factories.child(first_name="Tamsyn", last_name="Okoro", date_of_birth=DOB)
    factories.case(lead=old_lead, child_obj=hidden, state=CaseState.CLOSED)
    set_now(datetime(2030, 1, 1, tzinfo=UTC))  # the later case: its lead's agency is named
    factories.case(lead=police, child_obj=hidden)
    set_now(None)
    mine = factories.child(first_name="Tamsin", last_name="Okoro", date_of_birth=DOB)
    factories.case(members=[partner], child_obj=mine)

    report = svc.find_likely_matches(partner, full_input(nhs_number="", consistent_child_identifier=""))

    assert [c.id for c, _ in report.visible] == [mine.id]
    police_name = "Hampshire and Isle of Wight Constabulary"
    assert report.hints == [svc.MatchHint(lead_agency=police_name, contact_agency=police_name)]
    assert set(vars(report.hints[0])) == {"lead_agency", "contact_agency"}  # no name, id or birth date
    [hint_row] = rows("child.match_hint")
    assert (hint_row.actor_user_id, hint_row.record_id, hint_row.outcome) == (
        partner.id,
        str(hidden.id),
        "ok",
    )
    [shown] = rows("child.matches_shown")
    assert json.loads(shown.detail) == {"ids": [mine.id]}


def test_hint_for_a_child_with_no_case_names_the_agency_that_recorded_them(partner):
    school = factories.user(
        roles=[Role.PARTNER], agency="Portsmouth City Council Children's Social Care (MASH)"
    )
    svc.create_child(school, full_input(nhs_number="", consistent_child_identifier=""))
    report = svc.find_likely_matches(partner, full_input(nhs_number="", consistent_child_identifier=""))
    assert report.visible == []
    assert report.hints == [
        svc.MatchHint(
            lead_agency=None, contact_agency="Portsmouth City Council Children's Social Care (MASH)"
        )
    ]


def test_hint_for_a_case_a_partner_screening_opened_names_the_screeners_agency(partner):
    police = factories.user(roles=[Role.PARTNER], agency="Hampshire and Isle of Wight Constabulary")
    hidden = svc.create_child(police, full_input(nhs_number="", consistent_child_identifier=""))
    answers = {"went_missing": "yes", "controlling_relationship": "no", "frequents_exploitation_areas": "no"}
    opened = screen_child(police, hidden.id, answers, date(2026, 3, 2)).case
    assert opened.lead_professional_id is None and opened.lead_agency_id is None  # a partner leads nothing

    report = svc.find_likely_matches(partner, full_input(nhs_number="", consistent_child_identifier=""))

    assert report.visible == []
    assert report.hints == [
        svc.MatchHint(lead_agency=None, contact_agency="Hampshire and Isle of Wight Constabulary")
    ]
    assert [r.record_id for r in rows("child.match_hint")] == [str(hidden.id)]


def test_a_child_with_no_case_is_seen_by_its_recorder_and_the_chair_only(partner):
    chair = factories.user(roles=[Role.MET_CHAIR])
    other = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    child = svc.create_child(partner, full_input())
    assert svc.get_for(partner, child.id).id == child.id
    assert svc.get_for(chair, child.id).id == child.id
    with pytest.raises(NotFound):
        svc.get_for(other, child.id)
    # Once a case exists, need-to-know follows the case's team.
    factories.case(lead=other, child_obj=db.session.get(Child, child.id))
    assert svc.get_for(other, child.id).id == child.id
    with pytest.raises(NotFound):
        svc.get_for(partner, child.id)
    denied = rows("child.viewed.denied")
    # (denials name the signed-in user of the request: see the web and API tests)
    assert [(r.record_id, r.outcome) for r in denied] == [(str(child.id), "denied")] * 2
    assert len(rows("child.viewed")) == 3


def test_update_saves_changes_and_audits_the_fields_changed(partner):
    child = svc.create_child(partner, full_input())
    svc.update_child(partner, child.id, full_input(school="Northern Parade Juniors"), child.version)
    db.session.expire_all()
    assert db.session.get(Child, child.id).school == "Northern Parade Juniors"
    [row] = rows("child.updated")
    assert json.loads(row.detail) == {"fields": ["school"]}


def test_second_save_from_the_same_version_is_a_conflict_and_the_first_stays(partner):
    child = svc.create_child(partner, full_input())
    read_version = child.version
    svc.update_child(partner, child.id, full_input(school="First School"), read_version)
    with pytest.raises(Conflict):
        svc.update_child(partner, child.id, full_input(school="Second School"), read_version)
    db.session.expire_all()
    assert db.session.get(Child, child.id).school == "First School"
    assert len(rows("child.updated")) == 1


def test_two_saves_at_once_from_the_same_version_one_wins_the_other_conflicts(app, postgres):
    import threading

    with app.app_context():
        chair = factories.user(roles=[Role.MET_CHAIR])
        child = factories.case(state=CaseState.REFERRED).child
        chair_id, child_id, version = chair.id, child.id, child.version
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(school):
        from mettrack.accounts.models import User

        with app.app_context():
            user = db.session.get(User, chair_id)
            barrier.wait()
            try:
                svc.update_child(user, child_id, {"school": school}, version)
                outcomes[school] = "saved"
            except Conflict:
                outcomes[school] = "conflict"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=(school,)) for school in ("School A", "School B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    [winner] = [school for school, outcome in outcomes.items() if outcome == "saved"]
    with app.app_context():
        saved = db.session.get(Child, child_id)
        assert (saved.school, saved.version) == (winner, version + 1)
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "child.updated")) == 1


def test_partial_update_changes_only_the_fields_sent(partner):
    child = svc.create_child(partner, full_input())
    svc.update_child(partner, child.id, {"gender": "non-binary"}, child.version)
    db.session.expire_all()
    saved = db.session.get(Child, child.id)
    assert (saved.gender, saved.school, saved.looked_after_status) == (
        "non-binary",
        "Harbourside Academy",
        "s20",
    )


def test_update_of_a_child_outside_need_to_know_is_not_found_and_audited(partner):
    hidden = factories.case().child
    with pytest.raises(NotFound):
        svc.update_child(partner, hidden.id, full_input(), hidden.version)
    [row] = rows("child.updated.denied")
    assert (row.record_id, row.outcome) == (str(hidden.id), "denied")


def test_update_with_bad_input_saves_nothing(partner):
    child = svc.create_child(partner, full_input())
    with pytest.raises(ValidationError) as raised:
        svc.update_child(partner, child.id, full_input(first_name="", nhs_number="123"), child.version)
    assert set(raised.value.errors) == {"first_name", "nhs_number"}
    db.session.expire_all()
    assert db.session.get(Child, child.id).first_name == "Tamsin"


@pytest.mark.parametrize("version", [None, "", "1.9", 1.9, True, "١", "１", "-1", 0, 10**30, "9" * 30])
def test_update_with_an_unreadable_version_names_the_version_and_saves_nothing(partner, version):
    child = svc.create_child(partner, full_input())
    with pytest.raises(ValidationError) as raised:
        svc.update_child(partner, child.id, full_input(school="Northern Parade Juniors"), version)
    assert set(raised.value.errors) == {"version"}
    assert "reload the page" in raised.value.errors["version"]
    db.session.expire_all()
    assert db.session.get(Child, child.id).school == "Harbourside Academy"
