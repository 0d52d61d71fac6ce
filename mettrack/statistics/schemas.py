"""The API schemas of the quarterly exploitation-list report (statistics/report.py)."""

from marshmallow import Schema, fields

from mettrack.statistics.rules import PRIMARY, SECONDARY


class ReportQuerySchema(Schema):
    """The period: a quarter, or a range of days (which wins when either end is given);
    neither: the last complete quarter."""

    quarter = fields.String(
        metadata={
            "description": "A calendar quarter like 2022-Q3 (July - September 2022; Q1 is January - March)."
        }
    )
    from_ = fields.String(
        data_key="from",
        attribute="from",
        metadata={"description": "The first day of a range, an ISO date (2022-07-01); needs `to`."},
    )
    to = fields.String(
        metadata={"description": "The last day of a range (included), an ISO date; needs `from`."}
    )
    publication = fields.String(
        metadata={
            "description": "yes: suppress small numbers for publication (groups smaller than the "
            "partnership's threshold, default 5, and more figures in the same row or column, so that "
            "none can be worked out); no (default)."
        }
    )


class FigureSchema(Schema):
    count = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Children; null when suppressed."}
    )
    text = fields.String(
        required=True,
        metadata={"description": "The figure as shown: the number, 'fewer than 5' or 'suppressed'."},
    )
    suppressed = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": f"Why it is hidden: {PRIMARY} (a small group), {SECONDARY} (so that a small "
            "group cannot be worked out from the other figures of its row or column); null when shown."
        },
    )


class RowSchema(Schema):
    key = fields.String(required=True, metadata={"description": "A code (gender, age band, risk level ...)."})
    label = fields.String(required=True)
    cells = fields.List(
        fields.Nested(FigureSchema),
        required=True,
        metadata={"description": "One per column (`columns`); the types table has one (children)."},
    )


class TableSchema(Schema):
    key = fields.String(
        required=True,
        metadata={
            "description": "types, gender, age, ethnicity, risk, tier, state, flags, harm, added_closed, "
            "exit_reasons."
        },
    )
    title = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)
    rows = fields.List(fields.Nested(RowSchema), required=True)
    total = fields.Nested(
        RowSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The column totals, if the rows add up."},
    )


class TrendRowSchema(Schema):
    key = fields.String(required=True, metadata={"description": "The quarter, like 2022-Q3."})
    label = fields.String(required=True)
    cells = fields.List(
        fields.Nested(FigureSchema), required=True, metadata={"description": "One per column."}
    )
    added = fields.Nested(FigureSchema, required=True)
    closed = fields.Nested(FigureSchema, required=True)


class PeriodSchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "July - September 2022, or the dates."})
    start = fields.Date(required=True)
    end = fields.Date(required=True, metadata={"description": "Included. Ages are taken on this day."})
    quarter = fields.Function(lambda p: p.quarter.key if p.quarter else None, required=True, allow_none=True)


class ColumnSchema(Schema):
    key = fields.String(required=True, metadata={"description": "An exploitation type (cse, cce) or all."})
    label = fields.String(required=True)


class AgesSchema(Schema):
    youngest = fields.Integer(required=True, allow_none=True)
    oldest = fields.Integer(required=True, allow_none=True)


class ReportSchema(Schema):
    period = fields.Nested(PeriodSchema, required=True)
    summary = fields.String(required=True, metadata={"description": "The one-line summary."})
    publication = fields.Boolean(required=True)
    threshold = fields.Integer(required=True, metadata={"description": "The suppression threshold."})
    columns = fields.List(fields.Nested(ColumnSchema), required=True)
    ages = fields.Function(
        lambda r: {k: {"youngest": y, "oldest": o} for k, (y, o) in r.ages.items()},
        required=True,
        metadata={
            "description": "Per column key: the youngest and oldest child, in years at the end of the "
            "period; for publication null for a type whose number is hidden (and for all, if any type's is)."
        },
    )
    tables = fields.List(fields.Nested(TableSchema), required=True)
    trend = fields.List(
        fields.Nested(TrendRowSchema),
        required=True,
        metadata={
            "description": "The quarters before the chosen one (or the one the range ends in), and it."
        },
    )
