"""Disruption actions: the use cases (intelligence/disruptions.py), the CAWN check through
them, bad input naming the field with nothing saved, access and audit rows."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CawnSection, DisruptionStatus
from mettrack.core.errors import Conflict, NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.intelligence import disruptions
from mettrack.intelligence.models import DisruptionAction
from tests.intelligence.disruption_helpers import make_world


@pytest.fixture
def world(app_ctx):
    return make_world()


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(DisruptionAction))


class _Row:
    def __init__(self, event: AuditEvent):
        self.record_id = int(event.record_id) if event.record_id else None
        self.actor_id = event.actor_user_id
        self.detail = json.loads(event.detail or "{}")


def _audit(action: str) -> list[_Row]:
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
    return [_Row(r) for r in rows]


def sro(world, **more):
    return {
        "kind": "sro",
        "person_id": str(world["person"].id),
        "status": "in_force",
        "starts_on": "2026-03-01",
        "expires_on": "2028-03-01",
        "details": "Granted at the magistrates' court.",
        "protected_case_ids": [world["cases"]["young"].id],
        **more,
    }


def test_a_police_officer_creates_an_sro_audited_with_ids_only(world):
    saved = disruptions.create(world["officer"], sro(world))
    view = saved.action
    assert view.kind_code == "sro" and view.status == DisruptionStatus.IN_FORCE.value
    assert view.owner_agency_id == world["officer"].agency_id  # the reviewer's own by default
    assert view.expires_on == date(2028, 3, 1) and view.cawn_section is None
    assert [p.name for p in view.protected] == ["Ayla Example"]
    (row,) = _audit("disruption.created")
    assert row.record_id == view.id and row.actor_id == world["officer"].id
    assert row.detail["case_ids"] == [world["cases"]["young"].id]
    assert "Dale" not in str(row.detail) and "Ayla" not in str(row.detail) and "court" not in str(row.detail)


def test_a_cawn_for_a_child_under_16_cites_section_2(world):
    saved = disruptions.create(
        world["officer"],
        {
            "kind": "cawn",
            "person_id": world["person"].id,
            "protected_case_ids": [world["cases"]["young"].id],
            "status": "in_force",
            "starts_on": "2026-06-01",
            "expires_on": "2026-12-01",
        },
    )
    assert saved.action.cawn_section == CawnSection.CHILD_ABDUCTION_ACT_S2.value
    assert "under 16" in saved.cawn_reason
    assert db.session.get(DisruptionAction, saved.action.id).cawn_section == "s2_caa_1984"


def test_a_cawn_for_a_16_year_old_in_care_cites_section_49(world):
    saved = disruptions.create(
        world["officer"],
        {
            "kind": "cawn",
            "location_id": world["place"].id,
            "protected_case_ids": [world["cases"]["care16"].id],
        },
    )
    assert saved.action.cawn_section == CawnSection.CHILDREN_ACT_S49.value


@pytest.mark.parametrize(("who", "words"), [("adult", "18 or over"), ("s20", "section 20 does not qualify")])
def test_a_cawn_neither_section_covers_is_refused_naming_the_field(world, who, words):
    with pytest.raises(ValidationError) as refused:
        disruptions.create(
            world["officer"],
            {"kind": "cawn", "person_id": world["person"].id, "protected_case_ids": [world["cases"][who].id]},
        )
    assert list(refused.value.errors) == ["protected_case_ids"]
    assert words in refused.value.errors["protected_case_ids"]
    assert _count() == 0 and not _audit("disruption.created")


def test_a_cawn_names_exactly_one_child(world):
    two = [world["cases"]["young"].id, world["cases"]["care16"].id]
    for given in ([], two):
        with pytest.raises(ValidationError) as refused:
            disruptions.create(
                world["officer"],
                {"kind": "cawn", "person_id": world["person"].id, "protected_case_ids": given},
            )
        assert "exactly one child" in refused.value.errors["protected_case_ids"]
    assert _count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "no_such_kind"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"person_id": "999999"}, "person_id"),
        ({"person_id": "abc"}, "person_id"),
        ({"person_id": None, "location_id": None}, "person_id"),
        ({"location_id": 999999}, "location_id"),
        ({"owner_agency_id": "999999"}, "owner_agency_id"),
        ({"owner_user_id": "999999"}, "owner_user_id"),
        ({"status": "granted"}, "status"),
        ({"expires_on": "2026-02-01"}, "expires_on"),  # before the start
        ({"expires_on": ""}, "expires_on"),  # in force, an order with an expiry
        ({"starts_on": "2026-02-30"}, "starts_on"),
        ({"protected_case_ids": [999999]}, "protected_case_ids"),
        ({"protected_case_ids": "12"}, "protected_case_ids"),
        ({"details": "x" * 5001}, "details"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(world, change, field):
    with pytest.raises(ValidationError) as refused:
        disruptions.create(world["officer"], sro(world, **change))
    assert field in refused.value.errors
    assert _count() == 0


def test_a_disabled_kind_is_not_offered_until_an_admin_enables_it(world):
    with pytest.raises(ValidationError) as refused:
        disruptions.create(world["officer"], sro(world, kind="ccepo"))
    assert "kind" in refused.value.errors
    assert "ccepo" not in [code for code, _ in disruptions.form_options(world["officer"])["kinds"]]


def test_only_reviewers_write(world):
    for who in ("lead", "stranger"):
        with pytest.raises(NotAllowed):
            disruptions.create(world[who], sro(world))
    assert _count() == 0


def test_a_children_they_cannot_see_are_refused(world):
    """The chair sees every case; an officer only their teams': a case they are not on is
    refused by name of field, without saying whose it is."""
    from tests import factories

    other = factories.case(lead=world["lead"])
    with pytest.raises(ValidationError) as refused:
        disruptions.create(world["officer"], sro(world, protected_case_ids=[other.id]))
    assert "protected_case_ids" in refused.value.errors
    assert disruptions.create(world["chair"], sro(world, protected_case_ids=[other.id])).action.id


def test_update_records_the_fields_changed_and_the_status(world):
    made = disruptions.create(world["officer"], sro(world)).action
    saved = disruptions.update(
        world["chair"], made.id, {"version": made.version, "status": "expired", "ended_on": "2028-03-01"}
    )
    assert saved.action.status == "expired" and saved.action.ended_on == date(2028, 3, 1)
    assert saved.action.details == "Granted at the magistrates' court."  # left as it was
    (row,) = _audit("disruption.updated")
    assert row.detail == {
        "fields": ["ended_on", "status"],
        "status": "expired",
        "previous_status": "in_force",
    }
    with pytest.raises(Conflict):
        disruptions.update(world["chair"], made.id, {"version": made.version, "details": "stale"})


def test_update_with_bad_input_changes_nothing(world):
    made = disruptions.create(world["officer"], sro(world)).action
    with pytest.raises(ValidationError) as refused:
        disruptions.update(world["officer"], made.id, {"version": made.version, "expires_on": "2025-01-01"})
    assert "expires_on" in refused.value.errors
    assert db.session.get(DisruptionAction, made.id).expires_on == date(2028, 3, 1)


def test_a_closed_cawn_keeps_its_section_after_the_child_turns_18(world):
    made = disruptions.create(
        world["officer"],
        {
            "kind": "cawn",
            "person_id": world["person"].id,
            "protected_case_ids": [world["cases"]["care16"].id],
        },
    ).action
    child = world["cases"]["care16"].child
    child.date_of_birth = date(2000, 1, 1)
    db.session.commit()
    saved = disruptions.update(world["officer"], made.id, {"version": made.version, "status": "withdrawn"})
    assert saved.action.cawn_section == CawnSection.CHILDREN_ACT_S49.value
    with pytest.raises(ValidationError) as refused:
        disruptions.update(world["officer"], made.id, {"version": saved.action.version, "status": "in_force"})
    assert "18 or over" in refused.value.errors["protected_case_ids"]


def test_readers_see_what_their_need_to_know_reaches(world):
    made = disruptions.create(world["officer"], sro(world)).action
    # The lead leads the protected child's case: they see the action and the child's name.
    view = disruptions.get_for(world["lead"], made.id)
    assert view.protected[0].name == "Ayla Example" and not view.may_edit
    assert [v.id for v in disruptions.list_for(world["lead"])] == [made.id]
    # A partner with no link to the child, the person or the place: not found.
    with pytest.raises(NotFound):
        disruptions.get_for(world["stranger"], made.id)
    assert disruptions.list_for(world["stranger"]) == []
    assert _audit("disruption.viewed")[0].record_id == made.id
    assert _audit("disruption.listed")[0].detail["ids"] == [made.id]


def test_a_child_the_reader_may_not_see_shows_without_a_name(world):
    from tests import factories

    other = factories.case(lead=factories.user(roles=[factories.Role.LEAD_PROFESSIONAL]))
    made = disruptions.create(
        world["chair"], sro(world, protected_case_ids=[world["cases"]["young"].id, other.id])
    ).action
    view = disruptions.get_for(world["lead"], made.id)
    assert [p.name for p in view.protected] == ["Ayla Example", disruptions.NO_ACCESS]
    assert view.protected[1].case_id is None and view.protected_case_ids == ()


def test_details_are_language_checked_and_saved_anyway_is_audited(world):
    from mettrack.language import WordingFlagged
    from mettrack.language import seed_defaults as seed_language

    seed_language()
    db.session.commit()
    blaming = sro(world, details="She put herself at risk at the hotel.")
    with pytest.raises(WordingFlagged) as flagged:
        disruptions.create(world["officer"], blaming)
    assert "details" in flagged.value.errors and _count() == 0
    disruptions.create(world["officer"], blaming, save_anyway=True)
    (row,) = _audit("disruption.created")
    assert row.detail["saved_anyway"] is True and "hotel" not in json.dumps(row.detail)


def test_the_catalogue_admin_enables_the_ccepo_audited(world):
    from mettrack.core.choices import Role
    from mettrack.intelligence import disruption_catalogue as catalogue
    from mettrack.intelligence.models import DisruptionKind
    from tests import factories

    admin = factories.user(roles=[Role.ADMIN])
    ccepo = db.session.scalar(select(DisruptionKind).where(DisruptionKind.code == "ccepo"))
    assert not ccepo.active and ccepo.has_expiry and not ccepo.checks_cawn
    with pytest.raises(NotAllowed):
        catalogue.set_active(world["officer"], ccepo.id, True)
    catalogue.set_active(admin, ccepo.id, True)
    (row,) = _audit("disruption_kind.reactivated")
    assert row.record_id == ccepo.id and row.detail == {"code": "ccepo"}
    saved = disruptions.create(world["officer"], sro(world, kind="ccepo"))
    assert saved.action.kind_name == "Child Criminal Exploitation Prevention Order"
    assert catalogue.seed_defaults() == 0  # the starting list is all there


def test_a_reviewer_keeps_the_children_they_cannot_see(world):
    """The chair names two children; a police reviewer who sees only one changes the
    action: the other stays protected, unnamed to them."""
    from tests import factories

    other = factories.case(lead=world["lead"])  # the officer is not on its team
    made = disruptions.create(
        world["chair"], sro(world, protected_case_ids=[world["cases"]["young"].id, other.id])
    ).action
    seen = disruptions.get_for(world["officer"], made.id)
    assert seen.protected_case_ids == (world["cases"]["young"].id,)
    saved = disruptions.update(
        world["officer"],
        made.id,
        {"version": made.version, "protected_case_ids": [world["cases"]["care16"].id]},
    )
    stored = sorted(p.case_id for p in db.session.get(DisruptionAction, saved.action.id).protected)
    assert stored == sorted([world["cases"]["care16"].id, other.id])
    assert _audit("disruption.form_viewed") == []
    disruptions.form_options(world["officer"])
    assert other.id not in _audit("disruption.form_viewed")[0].detail["case_ids"]
