"""Missing episodes, Return Home Interviews and Philomena details through the services."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import NotFound
from mettrack.missing import episodes as missing
from mettrack.missing.models import MissingEpisode, PhilomenaProfile
from tests import factories

NOW = datetime(2026, 5, 10, 12, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64


@pytest.fixture
def lead(app_ctx):
    set_now(NOW)
    return factories.user(roles=[Role.LEAD_PROFESSIONAL])


@pytest.fixture
def case(lead):
    return factories.case(lead=lead)


def _episodes() -> int:
    return db.session.scalar(select(func.count()).select_from(MissingEpisode))


def _actions() -> list[tuple[str, str | None, str]]:
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.record_id, AuditEvent.outcome).order_by(AuditEvent.seq)
    )
    return [tuple(r) for r in rows]


def test_episode_is_recorded_and_audited(lead, case):
    episode = missing.record_episode(
        lead, case.id, {"went_missing_at": NOW - timedelta(hours=5), "reported_by": " Carer "}
    )
    assert episode.returned_at is None and episode.reported_by == "Carer"
    assert ("missing.recorded", str(episode.id), "ok") in _actions()


def test_return_before_going_missing_is_refused_and_nothing_saved(lead, case):
    with pytest.raises(ValidationError) as e:
        missing.record_episode(
            lead,
            case.id,
            {"went_missing_at": NOW - timedelta(hours=5), "returned_at": NOW - timedelta(hours=6)},
        )
    assert "after they went missing" in e.value.errors["returned_at"]
    assert _episodes() == 0


@pytest.mark.parametrize("field", ["went_missing_at", "returned_at"])
def test_future_dates_are_refused(lead, case, field):
    data = {"went_missing_at": NOW - timedelta(hours=5), field: NOW + timedelta(minutes=1)}
    with pytest.raises(ValidationError) as e:
        missing.record_episode(lead, case.id, data)
    assert "future" in e.value.errors[field]
    assert _episodes() == 0


def test_naive_datetime_is_refused_naming_the_field(lead, case):
    with pytest.raises(ValidationError) as e:
        missing.record_episode(lead, case.id, {"went_missing_at": datetime(2026, 5, 1, 9)})
    assert set(e.value.errors) == {"went_missing_at"}


def test_case_outside_need_to_know_is_not_found_and_audited(lead):
    other = factories.case(lead=None)
    with pytest.raises(NotFound):
        missing.record_episode(lead, other.id, {"went_missing_at": NOW - timedelta(hours=1)})
    assert ("missing.record.denied", str(other.id), "denied") in _actions()
    assert _episodes() == 0


def test_episode_of_another_case_is_not_found(lead, case):
    other = factories.case(lead=lead)
    episode = missing.record_episode(lead, other.id, {"went_missing_at": NOW - timedelta(hours=1)})
    with pytest.raises(NotFound):
        missing.record_return(lead, case.id, episode.id, {"returned_at": NOW})


def test_return_then_interview(lead, case):
    episode = missing.record_episode(lead, case.id, {"went_missing_at": NOW - timedelta(days=2)})
    with pytest.raises(ValidationError) as e:
        missing.record_rhi(lead, case.id, episode.id, {"rhi_status": "offered", "rhi_offered_at": NOW})
    assert "return" in e.value.errors["rhi_status"]
    missing.record_return(
        lead, case.id, episode.id, {"returned_at": NOW - timedelta(days=1), "where_found": "Town centre"}
    )
    missing.record_rhi(
        lead,
        case.id,
        episode.id,
        {
            "rhi_status": "accepted",
            "rhi_offered_at": NOW - timedelta(hours=20),
            "rhi_held_at": NOW - timedelta(hours=2),
            "rhi_by": "Independent RHI service",
            "rhi_learning": "Was approached at the station.",
        },
    )
    db.session.refresh(episode)
    assert (episode.rhi_status, episode.rhi_by, episode.where_found) == (
        "accepted",
        "Independent RHI service",
        "Town centre",
    )
    assert [a for a in _actions() if a[0] == "missing.updated"] == [
        ("missing.updated", str(episode.id), "ok")
    ] * 2


def test_bad_interview_changes_nothing(lead, case):
    episode = missing.record_episode(
        lead, case.id, {"went_missing_at": NOW - timedelta(days=2), "returned_at": NOW - timedelta(days=1)}
    )
    with pytest.raises(ValidationError) as e:
        missing.record_rhi(
            lead, case.id, episode.id, {"rhi_status": "offered", "rhi_offered_at": NOW - timedelta(days=3)}
        )
    assert "before the child returned" in e.value.errors["rhi_offered_at"]
    db.session.expire_all()
    assert db.session.get(MissingEpisode, episode.id).rhi_status is None


def test_summary_shows_overdue_interview_and_repeat_flag(lead, case, app):
    for days in (80, 40):
        missing.record_episode(
            lead,
            case.id,
            {"went_missing_at": NOW - timedelta(days=days), "returned_at": NOW - timedelta(days=days - 1)},
        )
    summary = missing.list_for(lead, case.id)
    assert not summary.repeat.flagged and len(summary.overdue) == 2
    missing.record_episode(lead, case.id, {"went_missing_at": NOW - timedelta(hours=3)})
    summary = missing.list_for(lead, case.id)
    assert summary.repeat.flagged and summary.repeat.episodes_in_period == 3
    assert summary.open_episode is not None
    assert summary.repeat_phrase == "has been missing 3 times"
    app.config["MISSING_REPEAT_EPISODES"] = 4
    try:
        assert not missing.list_for(lead, case.id).repeat.flagged
    finally:
        app.config["MISSING_REPEAT_EPISODES"] = 3
    assert ("missing.listed", str(case.id), "ok") in _actions()


def test_philomena_refused_for_a_child_not_looked_after(lead, case):
    with pytest.raises(ValidationError) as e:
        missing.save_philomena(lead, case.id, {"description": "Tall"})
    assert "looked after" in e.value.errors["looked_after"]
    assert db.session.get(PhilomenaProfile, case.id) is None


@pytest.fixture
def cared_for_case(lead):
    return factories.case(lead=lead, child_obj=factories.child(looked_after=True))


@pytest.mark.parametrize(("photo", "kind"), [(PNG, "image/png"), (JPEG, "image/jpeg")])
def test_philomena_saved_with_a_photo(lead, cared_for_case, photo, kind):
    _case, profile = missing.save_philomena(
        lead, cared_for_case.id, {"description": "Tall", "phone": "07700 900000"}, photo
    )
    assert (profile.photo_type, profile.description) == (kind, "Tall")
    assert ("philomena.saved", str(cared_for_case.id), "ok") in _actions()


@pytest.mark.parametrize(
    ("photo", "message"),
    [
        (GIF, "JPG or PNG"),
        (b"<svg></svg>", "JPG or PNG"),
        (PNG + b"\x00" * (5 * 1024 * 1024), "smaller than 5 MB"),
    ],
)
def test_philomena_photo_must_be_a_small_jpeg_or_png(lead, cared_for_case, photo, message):
    with pytest.raises(ValidationError) as e:
        missing.save_philomena(lead, cared_for_case.id, {"description": "Tall"}, photo)
    assert message in e.value.errors["photo"]
    assert db.session.get(PhilomenaProfile, cared_for_case.id) is None


def test_a_second_episode_is_refused_while_one_is_open_and_nothing_is_saved(lead, case):
    first = missing.record_episode(lead, case.id, {"went_missing_at": NOW - timedelta(days=2)})
    with pytest.raises(ValidationError) as e:
        missing.record_episode(lead, case.id, {"went_missing_at": NOW - timedelta(hours=3)})
    assert set(e.value.errors) == {"went_missing_at"}
    assert "record the return of the open episode first" in e.value.errors["went_missing_at"]
    assert "8 May 2026 13:00" in e.value.errors["went_missing_at"]  # London time (BST)
    assert _episodes() == 1
    assert [a for a in _actions() if a[0] == "missing.recorded"] == [
        ("missing.recorded", str(first.id), "ok")
    ]


def test_an_episode_overlapping_an_earlier_one_is_refused(lead, case):
    missing.record_episode(
        lead, case.id, {"went_missing_at": NOW - timedelta(days=5), "returned_at": NOW - timedelta(days=3)}
    )
    with pytest.raises(ValidationError) as e:
        missing.record_episode(
            lead,
            case.id,
            {"went_missing_at": NOW - timedelta(days=4), "returned_at": NOW - timedelta(days=1)},
        )
    assert (
        "overlaps the missing episode from 5 May 2026 13:00 to 7 May 2026 13:00"
        in (e.value.errors["went_missing_at"])
    )
    assert _episodes() == 1


def test_an_earlier_episode_may_be_added_while_the_child_is_missing_now(lead, case):
    missing.record_episode(lead, case.id, {"went_missing_at": NOW - timedelta(hours=3)})
    earlier = {"went_missing_at": NOW - timedelta(days=9), "returned_at": NOW - timedelta(days=8)}
    missing.record_episode(lead, case.id, earlier)
    assert _episodes() == 2


def test_a_return_that_runs_into_the_next_episode_is_refused(lead, case):
    first = missing.record_episode(
        lead, case.id, {"went_missing_at": NOW - timedelta(days=5), "returned_at": NOW - timedelta(days=4)}
    )
    missing.record_episode(lead, case.id, {"went_missing_at": NOW - timedelta(days=2)})
    with pytest.raises(ValidationError) as e:
        missing.record_return(lead, case.id, first.id, {"returned_at": NOW - timedelta(days=1)})
    assert "went missing again on 8 May 2026 13:00" in e.value.errors["returned_at"]
    db.session.expire_all()
    assert db.session.get(MissingEpisode, first.id).returned_at == NOW - timedelta(days=4)


def test_unreadable_dates_name_the_field_and_save_nothing(lead, case):
    data = {"went_missing_at": ("9" * 20, "5", "2026", "10:00"), "returned_at": ("1", "５", "2026", "11:00")}
    with pytest.raises(ValidationError) as e:
        missing.record_episode(lead, case.id, data)
    assert set(e.value.errors) == {"went_missing_at", "returned_at"}
    assert "must be a real date" in e.value.errors["went_missing_at"]
    assert _episodes() == 0
