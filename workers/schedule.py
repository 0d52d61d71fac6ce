"""The beat schedule: periodic scans. Each task reads the database for what is due."""

from datetime import timedelta

BEAT_SCHEDULE = {
    "purge-expired-sessions": {
        "task": "mettrack.purge_expired_sessions",
        "schedule": timedelta(minutes=15),
    },
}
