"""Missing episode, Return Home Interview and Philomena pages."""

import html
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mettrack.accounts.models import User
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.missing.models import MissingEpisode, PhilomenaProfile
from tests import factories
from tests.conftest import post_form

NOW = datetime(2026, 7, 10, 12, tzinfo=UTC)  # 13:00 in London (BST)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def lead_id(auth, app_ctx):
    set_now(NOW)
    return auth.as_role(Role.LEAD_PROFESSIONAL)


def _case(lead_id, **child):
    return factories.case(lead=db.session.get(User, lead_id), child_obj=factories.child(**child))


def _episode(case, went, returned=None, **fields) -> MissingEpisode:
    episode = MissingEpisode(
        case_id=case.id,
        went_missing_at=went,
        returned_at=returned,
        recorded_by_id=fields.pop("recorded_by_id", case.lead_professional_id),
        **fields,
    )
    db.session.add(episode)
    db.session.commit()
    return episode


def _when(name, day, month, year, time) -> dict:
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year, f"{name}-time": time}


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(MissingEpisode))


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_episode_recorded_in_london_time_and_shown_on_the_case_page(client, lead_id):
    case = _case(lead_id)
    page = f"/cases/{case.id}/missing/new"
    response = post_form(client, page, _when("went_missing_at", "9", "7", "2026", "22:30"), page=page)
    assert response.status_code == 302
    episode = db.session.scalar(select(MissingEpisode))
    assert episode.went_missing_at == datetime(2026, 7, 9, 21, 30, tzinfo=UTC)  # BST is UTC+1
    text = _text(client.get(f"/cases/{case.id}"))
    assert "Missing now" in text and "9 July 2026 22:30" in text


def test_return_before_going_missing_is_a_field_error_and_nothing_is_saved(client, lead_id):
    case = _case(lead_id)
    page = f"/cases/{case.id}/missing/new"
    data = {
        **_when("went_missing_at", "9", "7", "2026", "22:30"),
        **_when("returned_at", "9", "7", "2026", "21:00"),
    }
    response = post_form(client, page, {**data, "police_reference": "AB/123"}, page=page)
    assert response.status_code == 400
    text = _text(response)
    assert "must be after they went missing" in text
    assert 'href="#returned_at-day"' in text
    assert 'value="AB/123"' in text and 'value="21:00"' in text  # input kept
    assert _count() == 0


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (
            _when("went_missing_at", "11", "7", "2026", "09:00"),
            "went_missing_at",
            "must not be in the future",
        ),
        (_when("went_missing_at", "31", "2", "2026", "09:00"), "went_missing_at", "real date"),
        (_when("went_missing_at", "1", "7", "2026", "25:00"), "went_missing_at", "real date"),
        (_when("went_missing_at", "1", "7", "", "09:00"), "went_missing_at", "must include a year"),
        (_when("went_missing_at", "1", "7", "2026", ""), "went_missing_at", "time"),
        (_when("went_missing_at", "1", "7", "2026", "０９:00"), "went_missing_at", "24-hour time"),
        (_when("went_missing_at", "٣", "7", "2026", "09:00"), "went_missing_at", "real date"),
        ({}, "went_missing_at", "Enter the date and time the child went missing"),
        (
            {**_when("went_missing_at", "1", "7", "2026", "09:00"), "police_reference": "x" * 61},
            "police_reference",
            "60",
        ),
    ],
)
def test_bad_episode_input_names_the_field(client, lead_id, form, field, message):
    case = _case(lead_id)
    page = f"/cases/{case.id}/missing/new"
    response = post_form(client, page, form, page=page)
    assert response.status_code == 400
    assert message in _text(response)
    assert f'id="{field}' in _text(response)
    assert _count() == 0


@pytest.mark.parametrize("part", ["day", "month", "year"])
def test_a_huge_number_in_a_date_is_a_field_error_not_a_server_error(client, lead_id, part):
    case = _case(lead_id)
    page = f"/cases/{case.id}/missing/new"
    form = {**_when("went_missing_at", "9", "7", "2026", "22:30"), f"went_missing_at-{part}": "9" * 20}
    response = post_form(client, page, form, page=page)
    assert response.status_code == 400
    assert "must be a real date" in _text(response) and 'href="#went_missing_at-day"' in _text(response)
    assert _count() == 0


def test_a_new_episode_while_one_is_open_is_refused_on_the_page(client, lead_id):
    case = _case(lead_id)
    _episode(case, NOW - timedelta(days=1))  # 9 July 2026 13:00 in London
    page = f"/cases/{case.id}/missing/new"
    response = post_form(client, page, _when("went_missing_at", "10", "7", "2026", "09:00"), page=page)
    assert response.status_code == 400
    text = _text(response)
    assert "missing since 9 July 2026 13:00: record the return of the open episode first" in text
    assert 'href="#went_missing_at-day"' in text
    assert _count() == 1


def test_overdue_interview_appears_on_the_case_page(client, lead_id):
    case = _case(lead_id)
    _episode(case, NOW - timedelta(days=5), NOW - timedelta(hours=73))
    text = _text(client.get(f"/cases/{case.id}"))
    assert "Return Home Interview overdue" in text
    set_now(NOW - timedelta(hours=2))  # within the 72 hours
    text = _text(client.get(f"/cases/{case.id}"))
    assert "Return Home Interview overdue" not in text and "Offer a Return Home Interview by" in text


def test_repeat_missing_flag_on_the_case_page(client, lead_id):
    case = _case(lead_id)
    for days in (60, 30):
        _episode(case, NOW - timedelta(days=days), NOW - timedelta(days=days - 1), rhi_status="declined")
    assert "Repeat missing" not in _text(client.get(f"/cases/{case.id}"))
    _episode(case, NOW - timedelta(days=2), NOW - timedelta(days=1), rhi_status="not_possible")
    text = _text(client.get(f"/cases/{case.id}"))
    assert "Repeat missing" in text and "has been missing 3 times in the last 90 days" in text
    assert "keeps" not in text


def test_return_and_interview_forms(client, lead_id):
    case = _case(lead_id)
    episode = _episode(case, NOW - timedelta(days=2))
    page = f"/cases/{case.id}/missing/{episode.id}/return"
    assert (
        post_form(client, page, _when("returned_at", "9", "7", "2026", "10:00"), page=page).status_code == 302
    )
    page = f"/cases/{case.id}/missing/{episode.id}/rhi"
    bad = post_form(
        client,
        page,
        {"rhi_status": "accepted", **_when("rhi_offered_at", "8", "7", "2026", "10:00")},
        page=page,
    )
    assert bad.status_code == 400 and "must not be before the child returned" in _text(bad)
    good = {
        "rhi_status": "accepted",
        **_when("rhi_offered_at", "9", "7", "2026", "12:00"),
        **_when("rhi_held_at", "10", "7", "2026", "09:00"),
        "rhi_by": "Independent RHI worker",
        "rhi_learning": "Was given a phone by an adult.",
    }
    assert post_form(client, page, good, page=page).status_code == 302
    db.session.expire_all()
    saved = db.session.get(MissingEpisode, episode.id)
    assert (saved.rhi_status, saved.rhi_held_at) == ("accepted", datetime(2026, 7, 10, 8, tzinfo=UTC))


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({}, "rhi_status"),
        ({"rhi_status": "lost"}, "rhi_status"),
        ({"rhi_status": "offered"}, "rhi_offered_at"),
    ],
)
def test_bad_interview_input_names_the_field(client, lead_id, form, field):
    case = _case(lead_id)
    episode = _episode(case, NOW - timedelta(days=2), NOW - timedelta(days=1))
    page = f"/cases/{case.id}/missing/{episode.id}/rhi"
    response = post_form(client, page, form, page=page)
    assert response.status_code == 400 and f'href="#{field}' in _text(response)


def test_philomena_refused_for_a_child_not_looked_after(client, lead_id):
    case = _case(lead_id)
    page = f"/cases/{case.id}/philomena"
    assert "not recorded as looked after" in _text(client.get(page))
    response = post_form(client, page, {"description": "Tall"}, page=page)
    assert response.status_code == 400 and "not recorded as looked after" in _text(response)
    assert db.session.get(PhilomenaProfile, case.id) is None


def _upload(client, page, photo: bytes, name="photo.png"):
    from io import BytesIO

    from tests.conftest import csrf_from

    token = csrf_from(client.get(page))
    return client.post(
        page,
        data={"csrf_token": token, "description": "Tall, short dark hair", "photo": (BytesIO(photo), name)},
        content_type="multipart/form-data",
    )


def test_philomena_photo_type_is_checked_by_its_bytes(client, lead_id):
    case = _case(lead_id, looked_after=True)
    page = f"/cases/{case.id}/philomena"
    response = _upload(client, page, b"GIF89a" + b"\x00" * 10, name="photo.png")
    assert response.status_code == 400 and "must be a JPG or PNG" in _text(response)
    assert 'value="' not in _text(response).split('id="photo"')[1][:80]  # no file kept
    assert "Tall, short dark hair" in _text(response)
    assert _upload(client, page, PNG).status_code == 302
    photo = client.get(f"/cases/{case.id}/philomena/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/png" and photo.data == PNG
    assert photo.headers["Cache-Control"] == "no-store"


def test_print_page_is_audited_and_shows_the_photo(client, lead_id):
    case = _case(lead_id, looked_after=True)
    db.session.add(PhilomenaProfile(case_id=case.id, description="Tall", photo=PNG, photo_type="image/png"))
    db.session.commit()
    response = client.get(f"/cases/{case.id}/philomena/print")
    assert response.status_code == 200
    assert f"/cases/{case.id}/philomena/photo" in _text(response) and "Tall" in _text(response)
    assert 'rel="stylesheet"' in _text(response) and "<script" not in _text(response)
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.record_id).where(AuditEvent.action == "philomena.printed")
    )
    assert [tuple(r) for r in rows] == [("philomena.printed", str(case.id))]


def test_pages_outside_need_to_know_are_not_found(client, lead_id):
    other = factories.case(lead=None)
    episode = _episode(other, NOW - timedelta(days=2), NOW - timedelta(days=1), recorded_by_id=lead_id)
    for path in (
        f"/cases/{other.id}/missing/new",
        f"/cases/{other.id}/missing/{episode.id}/return",
        f"/cases/{other.id}/philomena/print",
    ):
        assert client.get(path).status_code == 404
