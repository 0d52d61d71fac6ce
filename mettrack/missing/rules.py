"""Missing episodes and Return Home Interviews: pure rules over plain values.

A Return Home Interview (RHI) must be offered within 72 hours of a child's return, by
someone independent of the child's care (statutory guidance on children who run away or
go missing from home or care, Department for Education, 2014). It is recorded as offered,
accepted, declined or not possible.

A child missing repeatedly is flagged for the MET group. How many episodes in how many
days make "repeatedly" is a partnership setting (`RepeatMissingRule`, from config.py);
its default, 3 episodes in 90 days, is this partnership's choice, not national guidance
(docs/missing.md).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from mettrack.core.choices import RhiStatus

RHI_DUE_WITHIN = timedelta(hours=72)  # statutory guidance, 2014

# Every status but "not possible" means an interview was offered, so it has an offer date.
STATUSES_WITH_OFFER = frozenset({RhiStatus.OFFERED, RhiStatus.ACCEPTED, RhiStatus.DECLINED})


@dataclass(frozen=True)
class EpisodeFacts:
    went_missing_at: datetime
    returned_at: datetime | None = None
    rhi_status: str | None = None
    rhi_offered_at: datetime | None = None
    rhi_held_at: datetime | None = None


@dataclass(frozen=True)
class RepeatMissingRule:
    episodes: int = 3
    days: int = 90


DEFAULT_REPEAT_RULE = RepeatMissingRule()  # config.py's default for its settings


@dataclass(frozen=True)
class RepeatMissing:
    episodes_in_period: int
    rule: RepeatMissingRule

    @property
    def flagged(self) -> bool:
        return self.episodes_in_period >= self.rule.episodes


def is_open(facts: EpisodeFacts) -> bool:
    """Still missing: no return recorded."""
    return facts.returned_at is None


def rhi_due_at(facts: EpisodeFacts) -> datetime | None:
    """When the Return Home Interview must have been offered by; None while still missing."""
    return None if facts.returned_at is None else facts.returned_at + RHI_DUE_WITHIN


def rhi_outstanding(facts: EpisodeFacts) -> bool:
    """Returned, and nothing yet recorded about a Return Home Interview."""
    return facts.returned_at is not None and not facts.rhi_status


def rhi_overdue(facts: EpisodeFacts, now: datetime) -> bool:
    """Returned more than 72 hours ago and no Return Home Interview offered or recorded."""
    due = rhi_due_at(facts)
    return due is not None and not facts.rhi_status and now > due


def rhi_offered_late(facts: EpisodeFacts) -> bool:
    """An offer recorded after the 72 hours had passed (shown, so that the delay is seen)."""
    due = rhi_due_at(facts)
    return due is not None and facts.rhi_offered_at is not None and facts.rhi_offered_at > due


def repeat_missing(
    went_missing_ats: Iterable[datetime], now: datetime, rule: RepeatMissingRule
) -> RepeatMissing:
    """How many episodes began in the last `rule.days` days, and whether that flags the child."""
    since = now - timedelta(days=rule.days)
    count = sum(1 for moment in went_missing_ats if since <= moment <= now)
    return RepeatMissing(count, rule)


def missing_count_phrase(count: int) -> str:
    """Says what happened, never what the child "keeps" doing (phrases.csv)."""
    return f"has been missing {count} time{'s' if count != 1 else ''}"


# --- validation: each returns {field: message}, empty when the values are acceptable


def overlapping(
    went_missing_at: datetime, returned_at: datetime | None, others: Iterable[EpisodeFacts]
) -> EpisodeFacts | None:
    """The first of `others` whose time missing overlaps this one (an open episode runs
    until now and on), an open one before a closed one; None when none does. One
    episode may begin the moment another ended: a child can go missing again the day
    they come back."""
    clashes = [
        other
        for other in others
        if (returned_at is None or other.went_missing_at < returned_at)
        and (other.returned_at is None or went_missing_at < other.returned_at)
    ]
    clashes.sort(key=lambda other: (other.returned_at is not None, other.went_missing_at))
    return clashes[0] if clashes else None


def _shown(moment: datetime, shown_in: tzinfo) -> str:
    return f"{moment.astimezone(shown_in):%-d %B %Y %H:%M}"


def _overlap_message(clash: EpisodeFacts, shown_in: tzinfo) -> str:
    since = _shown(clash.went_missing_at, shown_in)
    if clash.returned_at is None:
        return f"The child is recorded as missing since {since}: record the return of the open episode first"
    until = _shown(clash.returned_at, shown_in)
    return f"This overlaps the missing episode from {since} to {until}: check the dates"


def validate_episode(
    went_missing_at: datetime | None,
    returned_at: datetime | None,
    now: datetime,
    others: Iterable[EpisodeFacts] = (),
    shown_in: tzinfo = UTC,
) -> dict:
    """A new episode. `others`: the case's episodes already recorded; the new one may not
    overlap any of them, so while one is open (the child is still missing) only an
    earlier episode, with its return, may be added. `shown_in`: the time zone of the
    times named in messages."""
    errors: dict[str, str] = {}
    if went_missing_at is None:
        errors["went_missing_at"] = "Enter the date and time the child went missing"
    elif went_missing_at > now:
        errors["went_missing_at"] = "The date and time the child went missing must not be in the future"
    errors.update(validate_return(went_missing_at, returned_at, now, required=False))
    if not errors:
        clash = overlapping(went_missing_at, returned_at, others)
        if clash is not None:
            errors["went_missing_at"] = _overlap_message(clash, shown_in)
    return errors


def validate_return(
    went_missing_at: datetime | None,
    returned_at: datetime | None,
    now: datetime,
    *,
    required: bool = True,
    others: Iterable[EpisodeFacts] = (),
    shown_in: tzinfo = UTC,
) -> dict:
    """The return of an episode; `others`: the case's other episodes, which the time
    missing may not overlap."""
    if returned_at is None:
        return {"returned_at": "Enter the date and time the child returned or was found"} if required else {}
    if returned_at > now:
        return {"returned_at": "The date and time the child returned must not be in the future"}
    if went_missing_at is not None and returned_at < went_missing_at:
        return {"returned_at": "The date and time the child returned must be after they went missing"}
    clash = overlapping(went_missing_at, returned_at, others) if went_missing_at is not None else None
    if clash is None:
        return {}
    if clash.went_missing_at >= went_missing_at:
        again = _shown(clash.went_missing_at, shown_in)
        return {"returned_at": f"The child went missing again on {again}: the return must not be later"}
    return {"returned_at": _overlap_message(clash, shown_in)}


def validate_rhi(
    *,
    status: str | None,
    offered_at: datetime | None,
    held_at: datetime | None,
    by: str | None,
    returned_at: datetime | None,
    now: datetime,
) -> dict:
    """The Return Home Interview's fields, checked against the episode's return."""
    errors: dict[str, str] = {}
    if returned_at is None:
        return {"rhi_status": "Record the child's return before the Return Home Interview"}
    if not status:
        errors["rhi_status"] = "Select what happened with the Return Home Interview"
    elif status not in set(RhiStatus):
        errors["rhi_status"] = "Select offered, accepted, declined or not possible"
    if offered_at is None:
        if status in STATUSES_WITH_OFFER:
            errors["rhi_offered_at"] = "Enter the date and time the Return Home Interview was offered"
    elif offered_at > now:
        errors["rhi_offered_at"] = "The date the Return Home Interview was offered must not be in the future"
    elif offered_at < returned_at:
        errors["rhi_offered_at"] = (
            "The date the Return Home Interview was offered must not be before the child returned"
        )
    if held_at is not None:
        if status != RhiStatus.ACCEPTED:
            errors["rhi_held_at"] = "Only an accepted Return Home Interview has a date it was held"
        elif held_at > now:
            errors["rhi_held_at"] = "The date the Return Home Interview was held must not be in the future"
        elif held_at < (offered_at or returned_at):
            errors["rhi_held_at"] = (
                "The date the Return Home Interview was held must not be before it was offered"
            )
        elif not (by or "").strip():
            errors["rhi_by"] = "Enter who held the Return Home Interview"
    return errors
