"""Column types shared by every model."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, Index, func
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC in, timezone-aware UTC out, on SQLite as on PostgreSQL.

    SQLite has no time zones, so it stores naive UTC and we put the zone back on read.
    A naive datetime on the way in is a bug (whose local time would it be?), so it is
    refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def trigram_index(name: str, column) -> Index:
    """A GIN trigram index on lower(column): what a search's `lower(column) LIKE '%word%'`
    uses on PostgreSQL (the pg_trgm extension, migration 0017). SQLite gets none (the
    migration makes it on PostgreSQL only) and the same LIKE reads every row there."""
    label = f"lower_{column.key}"
    return Index(
        name, func.lower(column).label(label), postgresql_using="gin", postgresql_ops={label: "gin_trgm_ops"}
    )
