"""A case's exploitation types, flags, places of harm and NRM details through
services.case_classification: each field's validation naming the field, the NRM date
rules, who may change them, the version check, and the audit row."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from mettrack.cases import classification as case_classification
from mettrack.cases import team as case_team
from mettrack.cases.models import Case, CaseTag
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import Conflict, NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import NotFound
from tests import factories

TODAY = date(2026, 3, 2)
NO_NRM = {name: None for name in case_classification.NRM_FIELDS}


@pytest.fixture(autouse=True)
def _clock(app_ctx):
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    return app_ctx


@pytest.fixture
def people():
    chair = factories.user(roles=[Role.MET_CHAIR])
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    partner = factories.user(roles=[Role.PARTNER])
    case = factories.case(lead=lead, members=[partner], state=CaseState.MET_REVIEW)
    return {"chair": chair, "lead": lead, "partner": partner, "case": case}


def _data(**changes) -> dict:
    return {"exploitation_types": ["cce"], "flags": [], "harm_locations": [], **NO_NRM, **changes}


def _stored(case_id: int) -> tuple:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    tags = sorted(
        (t.kind, t.value) for t in db.session.scalars(select(CaseTag).where(CaseTag.case_id == case_id))
    )
    return case.version, tags, tuple(getattr(case, n) for n in case_classification.NRM_FIELDS)


@pytest.mark.parametrize("who", ["chair", "lead"])
def test_the_chair_or_the_lead_records_types_flags_places_and_nrm(people, who):
    case = people["case"]
    data = _data(
        exploitation_types=["cse", "cce"],
        flags=["county_lines", "trafficking"],
        harm_locations=["hotel"],
        nrm_referred_on="2026-01-10",
        nrm_reasonable_grounds="positive",
        nrm_reasonable_grounds_on=("20", "1", "2026"),
        nrm_conclusive_grounds="pending",
    )
    version = case.version
    saved = case_classification.save(people[who], case.id, data, version)

    assert saved.version == version + 1
    c = case_classification.classification_of(saved)
    assert c.exploitation_types == ("cse", "cce")
    assert c.flags == ("trafficking", "county_lines")  # in the list's order
    assert c.harm_locations == ("hotel",)
    assert c.nrm == {
        "referred_on": date(2026, 1, 10),
        "reasonable_grounds": "positive",
        "reasonable_grounds_on": date(2026, 1, 20),
        "conclusive_grounds": "pending",
        "conclusive_grounds_on": None,
    }
    # The last: the factory recorded the type the case was referred with.
    row = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.classified").order_by(AuditEvent.seq)
    ).all()[-1]
    assert row.actor_user_id == people[who].id and row.record_id == str(case.id)
    detail = json.loads(row.detail)
    assert "cse" not in row.detail  # the fields changed, never their values
    assert detail["changed"] == [
        "exploitation_types",
        "flags",
        "harm_locations",
        "nrm_referred_on",
        "nrm_reasonable_grounds",
        "nrm_reasonable_grounds_on",
        "nrm_conclusive_grounds",
    ]


def test_saving_replaces_the_whole_classification(people):
    case = people["case"]
    v = case.version
    case_classification.save(people["lead"], case.id, _data(flags=["online", "gang_ocg"]), v)
    case_classification.save(
        people["lead"], case.id, _data(exploitation_types=["cse"], flags=["online"]), v + 1
    )
    assert _stored(case.id)[1] == [("exploitation_type", "cse"), ("flag", "online")]


def test_saving_nothing_new_keeps_the_version(people):
    case = people["case"]
    v = case.version
    case_classification.save(people["lead"], case.id, _data(), v)
    case_classification.save(people["lead"], case.id, _data(), v + 1)
    assert _stored(case.id)[0] == v + 1


def test_a_stale_version_is_a_conflict_and_changes_nothing(people):
    case = people["case"]
    v = case.version
    case_classification.save(people["chair"], case.id, _data(flags=["online"]), v)
    before = _stored(case.id)
    with pytest.raises(Conflict):
        case_classification.save(people["lead"], case.id, _data(harm_locations=["hotel"]), v)
    assert _stored(case.id) == before


@pytest.mark.parametrize("version", [None, "", "two", -3, True, 1.5, "99999999999999999999"], ids=repr)
def test_a_bad_version_is_named(people, version):
    with pytest.raises(ValidationError) as refused:
        case_classification.save(people["chair"], people["case"].id, _data(), version)
    assert set(refused.value.errors) == {"version"}


def test_a_partner_on_the_team_may_not_change_it(people):
    case = people["case"]
    with pytest.raises(NotAllowed):
        case_classification.save(people["partner"], case.id, _data(), case.version)
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.classified.denied")).all()


def test_a_lead_professional_who_is_only_a_member_may_not_change_it(people):
    case = people["case"]
    member = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case_team.add_member(people["chair"], case.id, {"user_id": member.id})
    with pytest.raises(NotAllowed):
        case_classification.save(member, case.id, _data(), case.version)
    assert not case_classification.may_edit(member, case)
    assert case_classification.may_edit(people["lead"], case)


def test_a_lead_professional_outside_the_case_gets_not_found(people):
    outsider = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    with pytest.raises(NotFound):
        case_classification.save(outsider, people["case"].id, _data(), 1)
    with pytest.raises(NotFound):
        case_classification.classification_for(outsider, people["case"].id)


# --- exploitation types ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "required"),
    [
        (CaseState.SCREENED, False),
        (CaseState.REFERRED, True),
        (CaseState.MET_REVIEW, True),
        (CaseState.POLICE_TIERED, True),
        (CaseState.SERVICE_ASSIGNED, True),
        (CaseState.CLOSED, False),
    ],
)
def test_an_exploitation_type_is_required_from_referral_while_open(people, state, required):
    case = factories.case(lead=people["lead"], state=state)
    data = _data(exploitation_types=[], flags=["online"])
    if required:
        with pytest.raises(ValidationError) as refused:
            case_classification.save(people["chair"], case.id, data, case.version)
        assert refused.value.errors == {"exploitation_types": case_classification.TYPE_REQUIRED}
        # The case keeps the type it was referred with (the factory's CSE): nothing was saved.
        assert case_classification.classification_of(case).exploitation_types == ("cse",)
    else:
        case_classification.save(people["chair"], case.id, data, case.version)
        assert _stored(case.id)[1] == [("flag", "online")]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("exploitation_types", ["cse", "sexual"], "Choose each exploitation type from: cse, cce"),
        ("exploitation_types", "cse", None),  # a single value is taken as a list of one
        ("exploitation_types", [1], "Choose each exploitation type from: cse, cce"),
        ("flags", ["county lines"], "Choose each flag from: trafficking, county_lines"),
        ("flags", [None], "Choose each flag from"),
        ("harm_locations", ["park"], "Choose each place of harm from: online, public_place"),
        ("harm_locations", [{"a": 1}], "Choose each place of harm from"),
    ],
)
def test_a_bad_code_names_its_field(people, field, value, message):
    case = people["case"]
    data = _data(**{field: value})
    if message is None:
        case_classification.save(people["chair"], case.id, data, case.version)
        return
    before = _stored(case.id)
    with pytest.raises(ValidationError) as refused:
        case_classification.save(people["chair"], case.id, data, case.version)
    assert refused.value.errors[field].startswith(message)
    assert _stored(case.id) == before


def test_a_list_missing_from_a_script_is_named(people):
    data = _data()
    del data["flags"]
    with pytest.raises(ValidationError) as refused:
        case_classification.save(people["chair"], people["case"].id, data, people["case"].version)
    assert refused.value.errors == {"flags": "Send flags as a list (an empty list for none)"}


# --- the NRM rules -----------------------------------------------------------------------

NRM_CASES = [
    # (fields, {field: part of the message}) ; {} means accepted
    ({}, {}),
    ({"nrm_referred_on": "2026-03-02"}, {}),
    ({"nrm_referred_on": "2026-01-05", "nrm_reasonable_grounds": "pending"}, {}),
    (
        {
            "nrm_referred_on": "2026-01-05",
            "nrm_reasonable_grounds": "positive",
            "nrm_reasonable_grounds_on": "2026-01-05",
            "nrm_conclusive_grounds": "negative",
            "nrm_conclusive_grounds_on": "2026-01-05",
        },
        {},
    ),
    (
        {
            "nrm_referred_on": "2026-01-05",
            "nrm_reasonable_grounds": "negative",
            "nrm_reasonable_grounds_on": "2026-02-01",
        },
        {},
    ),
    ({"nrm_referred_on": "2026-03-03"}, {"nrm_referred_on": "must be today or in the past"}),
    ({"nrm_referred_on": "2008-12-31"}, {"nrm_referred_on": "cannot be before April 2009"}),
    ({"nrm_referred_on": "2026-02-31"}, {"nrm_referred_on": "must be a real date"}),
    ({"nrm_referred_on": 20260101}, {"nrm_referred_on": "must be a date"}),
    ({"nrm_referred_on": ("5", "", "2026")}, {"nrm_referred_on": "must include a month"}),
    ({"nrm_referred_on": ("5", "1", "26")}, {"nrm_referred_on": "year in 4 digits"}),
    ({"nrm_referred_on": ("99999999999999999999", "1", "2026")}, {"nrm_referred_on": "real date"}),
    ({"nrm_referred_on": ("²", "1", "2026")}, {"nrm_referred_on": "real date"}),
    ({"nrm_referred_on": ("5", "99999999999999999999", "2026")}, {"nrm_referred_on": "real date"}),
    ({"nrm_referred_on": ("０５", "1", "2026")}, {"nrm_referred_on": "real date"}),
    ({"nrm_referred_on": "２０２６-01-05"}, {"nrm_referred_on": "real date"}),
    ({"nrm_reasonable_grounds": "pending"}, {"nrm_referred_on": "a decision is recorded without it"}),
    (
        {"nrm_referred_on": "2026-01-05", "nrm_reasonable_grounds": "maybe"},
        {"nrm_reasonable_grounds": "Choose the reasonable grounds decision from: pending, positive"},
    ),
    (
        {"nrm_referred_on": "2026-01-05", "nrm_reasonable_grounds": "positive"},
        {"nrm_reasonable_grounds_on": "Enter the date of the reasonable grounds decision"},
    ),
    (
        {
            "nrm_referred_on": "2026-01-05",
            "nrm_reasonable_grounds": "pending",
            "nrm_reasonable_grounds_on": "2026-01-09",
        },
        {"nrm_reasonable_grounds": "or remove its date"},
    ),
    (
        {"nrm_referred_on": "2026-01-05", "nrm_reasonable_grounds_on": "2026-01-09"},
        {"nrm_reasonable_grounds": "or remove its date"},
    ),
    (
        {
            "nrm_referred_on": "2026-01-05",
            "nrm_reasonable_grounds": "positive",
            "nrm_reasonable_grounds_on": "2026-01-04",
        },
        {"nrm_reasonable_grounds_on": "cannot be before the referral (5 January 2026)"},
    ),
    (
        {
            "nrm_referred_on": "2026-01-05",
            "nrm_reasonable_grounds": "positive",
            "nrm_reasonable_grounds_on": "2026-04-01",
        },
        {"nrm_reasonable_grounds_on": "must be today or in the past"},
    ),
    (
        {
            "nrm_referred_on": "2026-01-05",
            "nrm_reasonable_grounds": "pending",
            "nrm_conclusive_grounds": "pending",
        },
        {"nrm_conclusive_grounds": "follows a positive reasonable grounds decision"},
    ),
    (
        {
            "nrm_referred_on": "2026-01-05",
            "nrm_reasonable_grounds": "negative",
            "nrm_reasonable_grounds_on": "2026-01-09",
            "nrm_conclusive_grounds": "positive",
            "nrm_conclusive_grounds_on": "2026-02-09",
        },
        {"nrm_conclusive_grounds": "follows a positive reasonable grounds decision"},
    ),
    (
        {
            "nrm_referred_on": "2026-01-05",
            "nrm_reasonable_grounds": "positive",
            "nrm_reasonable_grounds_on": "2026-01-09",
            "nrm_conclusive_grounds": "positive",
        },
        {"nrm_conclusive_grounds_on": "Enter the date of the conclusive grounds decision"},
    ),
    (
        {
            "nrm_referred_on": "2026-01-05",
            "nrm_reasonable_grounds": "positive",
            "nrm_reasonable_grounds_on": "2026-01-09",
            "nrm_conclusive_grounds": "positive",
            "nrm_conclusive_grounds_on": "2026-01-08",
        },
        {"nrm_conclusive_grounds_on": "cannot be before the reasonable grounds decision (9 January 2026)"},
    ),
    (
        {
            "nrm_referred_on": "2026-01-05",
            "nrm_reasonable_grounds": "positive",
            "nrm_reasonable_grounds_on": "2026-01-09",
            "nrm_conclusive_grounds_on": "2026-01-18",
        },
        {"nrm_conclusive_grounds": "or remove its date"},
    ),
]


@pytest.mark.parametrize(("fields", "expected"), NRM_CASES)
def test_the_nrm_date_rules(people, fields, expected):
    case = people["case"]
    before = _stored(case.id)
    data = _data(**fields)
    if not expected:
        case_classification.save(people["lead"], case.id, data, case.version)
        return
    with pytest.raises(ValidationError) as refused:
        case_classification.save(people["lead"], case.id, data, case.version)
    errors = refused.value.errors
    assert set(errors) == set(expected), errors
    for field, part in expected.items():
        assert part in errors[field]
    assert _stored(case.id) == before


def test_every_bad_field_is_named_at_once_in_form_order(people):
    data = _data(
        exploitation_types=["x"],
        harm_locations=["y"],
        nrm_referred_on="2099-01-01",
        nrm_conclusive_grounds="z",
    )
    with pytest.raises(ValidationError) as refused:
        case_classification.save(people["lead"], people["case"].id, data, people["case"].version)
    assert list(refused.value.errors) == [
        "exploitation_types",
        "harm_locations",
        "nrm_referred_on",
        "nrm_conclusive_grounds",
    ]
