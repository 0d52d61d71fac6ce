"""Missing episodes, Return Home Interviews and the Philomena Protocol: pages and API."""

from datetime import UTC, datetime

from mettrack.core.choices import LookedAfterStatus
from mettrack.core.extensions import db
from mettrack.missing.models import MissingEpisode, PhilomenaProfile
from tests.access import CASE_ROLES, Route

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

EPISODE_FORM = {
    "went_missing_at-day": "3",
    "went_missing_at-month": "2",
    "went_missing_at-year": "2026",
    "went_missing_at-time": "21:15",
}
RETURN_FORM = {
    "returned_at-day": "4",
    "returned_at-month": "1",
    "returned_at-year": "2026",
    "returned_at-time": "08:00",
}
RHI_FORM = {
    "rhi_status": "offered",
    "rhi_offered_at-day": "5",
    "rhi_offered_at-month": "1",
    "rhi_offered_at-year": "2026",
    "rhi_offered_at-time": "10:00",
}


def build_records(visible_case, hidden_case, recorder) -> dict:
    """For tests/access/world.py: a returned episode on each case, the visible case's
    child in care with Philomena details (and a photo). Returns the ids to add."""
    when = {
        "went_missing_at": datetime(2026, 1, 1, 22, tzinfo=UTC),
        "returned_at": datetime(2026, 1, 2, tzinfo=UTC),
    }
    episode = MissingEpisode(case_id=visible_case.id, recorded_by_id=recorder.id, **when)
    hidden = MissingEpisode(case_id=hidden_case.id, recorded_by_id=recorder.id, **when)
    # In care (with the order it is under), so that Philomena details may be saved. This
    # saves the child once: tests/access/children.py expects its version to be 2.
    visible_case.child.looked_after = True
    visible_case.child.looked_after_status = LookedAfterStatus.CARE_ORDER.value
    db.session.add_all(
        [episode, hidden, PhilomenaProfile(case_id=visible_case.id, photo=PNG, photo_type="image/png")]
    )
    db.session.commit()
    return {"episode": episode.id, "hidden_episode": hidden.id}


PHILOMENA_JSON = {
    "photo_taken_on": "March 2026",
    "description": "Tall, short dark hair.",
    "places": None,
    "people": None,
    "phone": None,
    "medical_needs": None,
}

R = dict(allowed=CASE_ROLES, need_to_know=True)
API = dict(R, api=True)
BASE = "/cases/{case}"
API_BASE = "/api/v1/cases/{case}/missing-episodes"

ROUTES = [
    Route("GET", "missing.new_episode", BASE + "/missing/new", **R),
    Route("POST", "missing.new_episode", BASE + "/missing/new", ok=302, data=EPISODE_FORM, **R),
    Route("GET", "missing.record_return", BASE + "/missing/{episode}/return", **R),
    Route("POST", "missing.record_return", BASE + "/missing/{episode}/return", ok=302, data=RETURN_FORM, **R),
    Route("GET", "missing.record_rhi", BASE + "/missing/{episode}/rhi", **R),
    Route("POST", "missing.record_rhi", BASE + "/missing/{episode}/rhi", ok=302, data=RHI_FORM, **R),
    Route("GET", "missing.philomena", BASE + "/philomena", **R),
    Route("POST", "missing.philomena", BASE + "/philomena", ok=302, data={"description": "Tall"}, **R),
    Route("GET", "missing.philomena_print", BASE + "/philomena/print", **R),
    Route("GET", "missing.philomena_photo", BASE + "/philomena/photo", **R),
    Route("GET", "api_missing.MissingEpisodes", API_BASE, **API),
    Route(
        "POST",
        "api_missing.MissingEpisodes",
        API_BASE,
        ok=201,
        data={"went_missing_at": "2026-02-03T21:15:00+00:00"},
        **API,
    ),
    # The Philomena details by the API: the photo's PUT takes the image itself, so the
    # matrix's JSON body is refused as not a photo (422), past 403 and 404.
    Route("GET", "api_philomena.Philomena", "/api/v1/cases/{case}/philomena", **API),
    Route("PUT", "api_philomena.Philomena", "/api/v1/cases/{case}/philomena", data=PHILOMENA_JSON, **API),
    Route("GET", "api_philomena.PhilomenaPhoto", "/api/v1/cases/{case}/philomena/photo", **API),
    Route("PUT", "api_philomena.PhilomenaPhoto", "/api/v1/cases/{case}/philomena/photo", ok=422, **API),
    Route(
        "PATCH",
        "api_missing.MissingEpisodeItem",
        API_BASE + "/{episode}",
        data={"rhi_status": "not_possible"},
        **API,
    ),
]
