"""Missing episodes, Return Home Interviews and the Philomena Protocol.

Who: reading needs case.view, recording an episode, a return or an RHI needs
missing.record, and the Philomena details need philomena.edit; always on a case within
the user's need-to-know (reached through cases.get_for or the same scope). Every read
and write is audited; records are named by id, never by the child's name.

`data` is a mapping of field name to value; datetimes must be timezone-aware (pages turn
the Europe/London times people type into UTC before calling these).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from mettrack.cases import case_scope, get_for, record_visible
from mettrack.cases.models import Case
from mettrack.core import audit
from mettrack.core.clock import LONDON, now
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_datetime
from mettrack.core.limits import max_length
from mettrack.core.permissions import Perm, can, deny_record, deny_role
from mettrack.core.unit_of_work import transaction
from mettrack.language import audit_detail, check_before_saving
from mettrack.missing import rules
from mettrack.missing.models import MissingEpisode, PhilomenaProfile

# The free text written about the child, as the forms name it: checked for wording that
# blames the child before it is saved (language/check.py). The others are names
# and references.
CHECKED_TEXT = {"where_found": "Where the child was found", "rhi_learning": "What was learnt"}
# The date-times, as messages name them (pages send a date input's and a time's strings).
DATETIME_LABELS = {
    "went_missing_at": "Date and time the child went missing",
    "returned_at": "Date and time the child returned",
    "rhi_offered_at": "Date the Return Home Interview was offered",
    "rhi_held_at": "Date the Return Home Interview was held",
}
MAX_WHERE_FOUND = 2000  # where_found and rhi_learning are unbounded text columns
MAX_RHI_LEARNING = 10_000
EPISODE_TEXT_FIELDS = {
    "police_reference": max_length(MissingEpisode.police_reference),
    "where_found": MAX_WHERE_FOUND,
    "reported_by": max_length(MissingEpisode.reported_by),
}
RETURN_TEXT_FIELDS = {"where_found": MAX_WHERE_FOUND}
RHI_TEXT_FIELDS = {"rhi_by": max_length(MissingEpisode.rhi_by), "rhi_learning": MAX_RHI_LEARNING}
PHILOMENA_TEXT_FIELDS = {
    "photo_taken_on": 40,
    "description": 5000,
    "places": 5000,
    "people": 5000,
    "phone": 40,
    "medical_needs": 5000,
}
NOT_LOOKED_AFTER = (
    "The Philomena Protocol is for children in care. This child is not recorded as looked "
    "after: if they are, update the child's record first."
)
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


# --- reading


@dataclass
class EpisodeView:
    episode: MissingEpisode
    rhi_due_at: datetime | None
    rhi_overdue: bool
    rhi_outstanding: bool
    rhi_offered_late: bool

    @property
    def is_open(self) -> bool:
        return self.episode.returned_at is None

    @property
    def rhi_status_label(self) -> str:
        status = self.episode.rhi_status
        return rules.RhiStatus(status).label if status else "Not recorded"


@dataclass
class MissingSummary:
    case: Case
    episodes: list[EpisodeView]  # newest first
    repeat: rules.RepeatMissing
    philomena: PhilomenaProfile | None

    @property
    def open_episode(self) -> EpisodeView | None:
        return next((e for e in self.episodes if e.is_open), None)

    @property
    def overdue(self) -> list[EpisodeView]:
        return [e for e in self.episodes if e.rhi_overdue]

    @property
    def due(self) -> list[EpisodeView]:
        return [e for e in self.episodes if e.rhi_outstanding and not e.rhi_overdue]

    @property
    def looked_after(self) -> bool:
        return bool(self.case.child.looked_after)

    @property
    def repeat_phrase(self) -> str:
        return rules.missing_count_phrase(self.repeat.episodes_in_period)


def facts(episode: MissingEpisode) -> rules.EpisodeFacts:
    return rules.EpisodeFacts(
        went_missing_at=episode.went_missing_at,
        returned_at=episode.returned_at,
        rhi_status=episode.rhi_status,
        rhi_offered_at=episode.rhi_offered_at,
        rhi_held_at=episode.rhi_held_at,
    )


def view_of(episode: MissingEpisode, at: datetime | None = None) -> EpisodeView:
    f, at = facts(episode), at or now()
    return EpisodeView(
        episode,
        rhi_due_at=rules.rhi_due_at(f),
        rhi_overdue=rules.rhi_overdue(f, at),
        rhi_outstanding=rules.rhi_outstanding(f),
        rhi_offered_late=rules.rhi_offered_late(f),
    )


def repeat_rule() -> rules.RepeatMissingRule:
    config = current_app.config
    return rules.RepeatMissingRule(config["MISSING_REPEAT_EPISODES"], config["MISSING_REPEAT_DAYS"])


def _episodes_of(case_id: int) -> list[MissingEpisode]:
    return list(
        db.session.scalars(
            select(MissingEpisode)
            .where(MissingEpisode.case_id == case_id)
            .order_by(MissingEpisode.went_missing_at.desc(), MissingEpisode.id.desc())
        )
    )


def _summary(case: Case) -> MissingSummary:
    episodes = _episodes_of(case.id)
    at = now()
    profile = db.session.get(PhilomenaProfile, case.id) if case.child.looked_after else None
    return MissingSummary(
        case=case,
        episodes=[view_of(e, at) for e in episodes],
        repeat=rules.repeat_missing((e.went_missing_at for e in episodes), at, repeat_rule()),
        philomena=profile,
    )


def summary_of(case: Case) -> MissingSummary:
    """The case's missing summary, unaudited: for a caller that audits what it shows
    (the case page, mettrack/cases/page.py)."""
    return _summary(case)


@transaction
def summary_for_case(user, case: Case) -> MissingSummary:
    """Who: the case page, for a case already fetched through cases.get_for. The case's
    episodes, RHI deadlines, repeat-missing flag and Philomena details. Audited."""
    # The case page shows a coordinator off the team only the case summary: no episodes.
    if not can(user, Perm.CASE_VIEW) or not record_visible(case, user):
        raise deny_record("case", case.id, "missing.listed")
    summary = _summary(case)
    audit.record(
        "missing.listed",
        "case",
        case.id,
        detail={"ids": [e.episode.id for e in summary.episodes]},
        actor=user,
    )
    return summary


@transaction
def list_for(user, case_id: int) -> MissingSummary:
    """Who: any role with case.view, on a case within need-to-know (else NotFound)."""
    return summary_for_case(user, get_for(user, case_id, action="missing.listed"))


@transaction
def episode_for(user, case_id: int, episode_id: int, *, action: str = "missing.viewed") -> MissingEpisode:
    """Who: any role with case.view. The episode if it belongs to this case and the case is
    within the user's need-to-know; otherwise the attempt is audited and NotFound raised."""
    if not can(user, Perm.CASE_VIEW):
        raise deny_role("missing_episode", episode_id, action)
    episode = db.session.scalar(
        select(MissingEpisode)
        .join(Case, Case.id == MissingEpisode.case_id)
        .where(MissingEpisode.id == episode_id, MissingEpisode.case_id == case_id, case_scope(user))
    )
    if episode is None:
        raise deny_record("missing_episode", episode_id, action)
    audit.record(action, "missing_episode", episode.id, detail={"case_id": case_id}, actor=user)
    return episode


# --- writing


def _text(data: Mapping, limits: dict[str, int], errors: dict) -> dict:
    values = {}
    for name, limit in limits.items():
        if name not in data:
            continue
        value = data[name]
        if value is not None and not isinstance(value, str):
            errors[name] = "Enter text"
            continue
        value = (value or "").strip() or None
        if value and len(value) > limit:
            errors[name] = f"Must be {limit} characters or fewer"
            continue
        values[name] = value
    return values


def _moment(data: Mapping, name: str, errors: dict) -> datetime | None:
    return parse_datetime(data, name, DATETIME_LABELS[name], errors)


def _other_episodes(case_id: int, episode_id: int | None = None) -> list[rules.EpisodeFacts]:
    """The case's episodes but one, read under a lock on the case row: two people
    recording at once cannot both add an episode that overlaps the other's."""
    db.session.execute(select(Case.id).where(Case.id == case_id).with_for_update())
    return [facts(e) for e in _episodes_of(case_id) if e.id != episode_id]


def _require_recorder(user, record_type: str, record_id, action: str) -> None:
    if not can(user, Perm.MISSING_RECORD):
        raise deny_role(record_type, record_id, action)


def _check_wording(texts: Mapping, save_anyway: bool, episode: MissingEpisode | None = None) -> dict:
    # Text already on the episode was checked when it was saved; only new wording is.
    changed = {
        name: value
        for name, value in texts.items()
        if name in CHECKED_TEXT and (episode is None or value != getattr(episode, name))
    }
    return check_before_saving(changed, save_anyway=save_anyway, labels=CHECKED_TEXT)


@transaction
def record_episode(user, case_id: int, data: Mapping, *, save_anyway: bool = False) -> MissingEpisode:
    """Who: missing.record, on a case within need-to-know. Records that the child went
    missing (and, when already known, their return). The time missing may not overlap
    another episode of the case: while one is open, record its return first
    (domain.missing.validate_episode). Raises WordingFlagged when the
    language check flags where the child was found and `save_anyway` is false (nothing
    saved). Audited as missing.recorded (saved anyway: with the list entries flagged)."""
    _require_recorder(user, "case", case_id, "missing.recorded")
    case = get_for(user, case_id, action="missing.record")
    errors: dict[str, str] = {}
    went, returned = _moment(data, "went_missing_at", errors), _moment(data, "returned_at", errors)
    text = _text(data, EPISODE_TEXT_FIELDS, errors)
    if "went_missing_at" not in errors:
        # An unreadable return is not "still missing": overlaps are checked once it reads.
        others = _other_episodes(case.id) if "returned_at" not in errors else ()
        found = rules.validate_episode(went, returned, now(), others, shown_in=LONDON)
        errors.update({k: v for k, v in found.items() if k not in errors})
    if errors:
        raise ValidationError(errors)
    flagged = _check_wording(text, save_anyway)
    episode = MissingEpisode(
        case_id=case.id, went_missing_at=went, returned_at=returned, recorded_by_id=user.id, **text
    )
    db.session.add(episode)
    db.session.flush()
    audit.record(
        "missing.recorded",
        "missing_episode",
        episode.id,
        detail={"case_id": case.id, **audit_detail(flagged)},
        actor=user,
    )
    return episode


@transaction
def update_episode(
    user, case_id: int, episode_id: int, data: Mapping, *, save_anyway: bool = False
) -> MissingEpisode:
    """Who: missing.record, on a case within need-to-know. Records the return and/or the
    Return Home Interview in one change: all of it is saved, or none of it. Raises
    WordingFlagged when the language check flags new wording in where the child was
    found or what was learnt and `save_anyway` is false (nothing saved). Audited as
    missing.updated (saved anyway: with the list entries flagged)."""
    _require_recorder(user, "missing_episode", episode_id, "missing.updated")
    episode = episode_for(user, case_id, episode_id, action="missing.update")
    errors: dict[str, str] = {}
    changes: dict = {}
    at = now()
    returned = episode.returned_at
    if "returned_at" in data or "where_found" in data:
        returned = _moment(data, "returned_at", errors) if "returned_at" in data else returned
        changes.update(_text(data, RETURN_TEXT_FIELDS, errors))
        if "returned_at" not in errors:
            others = _other_episodes(case_id, episode.id)
            errors.update(
                rules.validate_return(episode.went_missing_at, returned, at, others=others, shown_in=LONDON)
            )
        changes["returned_at"] = returned
    rhi_fields = {"rhi_status", "rhi_offered_at", "rhi_held_at", "rhi_by", "rhi_learning"}
    if rhi_fields & set(data):
        if "returned_at" in errors:
            returned = None
        merged = {
            "status": data.get("rhi_status", episode.rhi_status),
            "offered_at": _moment(data, "rhi_offered_at", errors)
            if "rhi_offered_at" in data
            else episode.rhi_offered_at,
            "held_at": _moment(data, "rhi_held_at", errors) if "rhi_held_at" in data else episode.rhi_held_at,
        }
        text = _text(data, RHI_TEXT_FIELDS, errors)
        by = text.get("rhi_by", episode.rhi_by)
        if not isinstance(merged["status"], str | None):
            errors["rhi_status"] = "Select offered, accepted, declined or not possible"
        elif "returned_at" not in errors:
            found = rules.validate_rhi(**merged, by=by, returned_at=returned, now=at)
            errors.update({k: v for k, v in found.items() if k not in errors})
        changes.update(
            rhi_status=merged["status"],
            rhi_offered_at=merged["offered_at"],
            rhi_held_at=merged["held_at"],
            **text,
        )
    elif episode.rhi_status and "returned_at" in changes and not errors:
        # A corrected return must still come before an interview already recorded.
        found = rules.validate_rhi(
            status=episode.rhi_status,
            offered_at=episode.rhi_offered_at,
            held_at=episode.rhi_held_at,
            by=episode.rhi_by,
            returned_at=returned,
            now=at,
        )
        if found:
            errors["returned_at"] = "The return must be before the Return Home Interview already recorded"
    if not changes and not errors:
        errors["request"] = (
            "Send the return (returned_at) or the Return Home Interview (rhi_status and its dates)"
        )
    if errors:
        raise ValidationError(errors)
    flagged = _check_wording(changes, save_anyway, episode)
    for name, value in changes.items():
        setattr(episode, name, value)
    audit.record(
        "missing.updated",
        "missing_episode",
        episode.id,
        detail={"case_id": case_id, "fields": sorted(changes), **audit_detail(flagged)},
        actor=user,
    )
    return episode


def record_return(
    user, case_id: int, episode_id: int, data: Mapping, *, save_anyway: bool = False
) -> MissingEpisode:
    """Who: missing.record. The child's return (returned_at, where_found)."""
    fields = ("returned_at", "where_found")
    return update_episode(
        user, case_id, episode_id, {k: data.get(k) for k in fields}, save_anyway=save_anyway
    )


def record_rhi(
    user, case_id: int, episode_id: int, data: Mapping, *, save_anyway: bool = False
) -> MissingEpisode:
    """Who: missing.record. The Return Home Interview: status, offered and held dates,
    who held it (independent of the child's care) and what was learnt."""
    fields = ("rhi_status", "rhi_offered_at", "rhi_held_at", "rhi_by", "rhi_learning")
    return update_episode(
        user, case_id, episode_id, {k: data.get(k) for k in fields}, save_anyway=save_anyway
    )


# --- Philomena Protocol


def philomena_for(
    user, case_id: int, *, action: str = "philomena.viewed"
) -> tuple[Case, PhilomenaProfile | None]:
    """Who: case.view, on a case within need-to-know. The case and its Philomena details
    (None when not yet recorded or when the child is not looked after). Audited."""
    case = get_for(user, case_id, action=action)
    profile = db.session.get(PhilomenaProfile, case.id) if case.child.looked_after else None
    return case, profile


def photo_type(photo: bytes) -> str | None:
    """The image type by its first bytes (never the file name or the browser's word)."""
    return next((kind for magic, kind in PHOTO_TYPES.items() if photo.startswith(magic)), None)


@transaction
def save_philomena(
    user, case_id: int, data: Mapping, photo: bytes | None = None
) -> tuple[Case, PhilomenaProfile]:
    """Who: philomena.edit, on a case within need-to-know, for a looked-after child only.
    Saves the details police need if the child goes missing; a new photo replaces the old.
    Returns the case and the details as saved."""
    if not can(user, Perm.PHILOMENA_EDIT):
        raise deny_role("case", case_id, "philomena.saved")
    case = get_for(user, case_id, action="philomena.save")
    if not case.child.looked_after:
        raise ValidationError({"looked_after": NOT_LOOKED_AFTER})
    errors: dict[str, str] = {}
    text = _text(data, PHILOMENA_TEXT_FIELDS, errors)
    kind = None
    if photo:
        limit = current_app.config["PHILOMENA_PHOTO_MAX_BYTES"]
        kind = photo_type(photo)
        if len(photo) > limit:
            errors["photo"] = f"The photo must be smaller than {limit // (1024 * 1024)} MB"
        elif kind is None:
            errors["photo"] = "The photo must be a JPG or PNG image"
    if errors:
        raise ValidationError(errors)
    profile = db.session.get(PhilomenaProfile, case.id) or PhilomenaProfile(case_id=case.id)
    for name, value in text.items():
        setattr(profile, name, value)
    if photo:
        profile.photo, profile.photo_type = photo, kind
    profile.updated_by_id = user.id
    profile.updated_at = now()
    db.session.add(profile)
    audit.record(
        "philomena.saved",
        "case",
        case.id,
        detail={"fields": sorted(text), "photo": bool(photo)},
        actor=user,
    )
    return case, profile
