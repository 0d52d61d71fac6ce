"""/api/v1/cases/{case_id}/missing-episodes: missing episodes and Return Home Interviews."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from mettrack.api.blueprint import CASE_ID, ApiBlueprint
from mettrack.core.permissions import Perm, requires
from mettrack.language import documents_language_check
from mettrack.missing import episodes as missing
from mettrack.missing.schemas import (
    MissingEpisodeCreateSchema,
    MissingEpisodeListSchema,
    MissingEpisodeSchema,
    MissingEpisodeUpdateSchema,
)

blp = ApiBlueprint("api_missing", __name__, path="/cases", description="Missing episodes")

EPISODE_ID = "<int:episode_id>"


def _episode(episode) -> dict:
    view = missing.view_of(episode)
    return {
        **{c.key: getattr(episode, c.key) for c in episode.__table__.columns},
        "rhi_due_at": view.rhi_due_at,
        "rhi_overdue": view.rhi_overdue,
    }


@blp.route(f"/{CASE_ID}/missing-episodes")
class MissingEpisodes(MethodView):
    @requires(Perm.CASE_VIEW)
    @blp.response(200, MissingEpisodeListSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_id: int):
        """List a case's missing episodes

        Newest first, with each Return Home Interview's deadline (72 hours after the
        return) and whether the child is flagged as missing repeatedly (the count and
        period are partnership settings). Audited.
        """
        summary = missing.list_for(current_user, case_id)
        return {
            "items": [_episode(e.episode) for e in summary.episodes],
            "repeat_missing": {
                "flagged": summary.repeat.flagged,
                "episodes_in_period": summary.repeat.episodes_in_period,
                "threshold": summary.repeat.rule.episodes,
                "days": summary.repeat.rule.days,
            },
        }

    @requires(Perm.MISSING_RECORD)
    @blp.arguments(MissingEpisodeCreateSchema, unknown=RAISE)
    @blp.response(201, MissingEpisodeSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @documents_language_check(blp)
    def post(self, data: dict, case_id: int):
        """Record a missing episode

        `went_missing_at` is required and must not be in the future; `returned_at`, if
        known, must come after it. Times need their UTC offset. The time missing may not
        overlap another episode of the case: while one is open, record its return first
        (422 naming `went_missing_at`). `where_found` is checked
        for wording that blames the child (see the 422 answer). Audited as
        missing.recorded.
        """
        save_anyway = data.pop("save_anyway")
        return _episode(missing.record_episode(current_user, case_id, data, save_anyway=save_anyway))


@blp.route(f"/{CASE_ID}/missing-episodes/{EPISODE_ID}")
class MissingEpisodeItem(MethodView):
    @requires(Perm.MISSING_RECORD)
    @blp.arguments(MissingEpisodeUpdateSchema, unknown=RAISE)
    @blp.response(200, MissingEpisodeSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @documents_language_check(blp)
    def patch(self, data: dict, case_id: int, episode_id: int):
        """Record the return or the Return Home Interview

        Send the fields that change: the return (`returned_at`, `where_found`; not later
        than the child next went missing) and/or
        the interview (`rhi_status`: offered, accepted, declined or not_possible;
        `rhi_offered_at`, needed unless not possible; `rhi_held_at` for an accepted
        interview, with `rhi_by`; `rhi_learning`). All is saved, or nothing. New wording
        in `where_found` and `rhi_learning` is checked for wording that blames the child
        (see the 422 answer). Audited as missing.updated.
        """
        save_anyway = data.pop("save_anyway")
        return _episode(
            missing.update_episode(current_user, case_id, episode_id, data, save_anyway=save_anyway)
        )
