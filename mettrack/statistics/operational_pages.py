"""The board's operational figures: /statistics/operations and its CSV (docs/statistics-operations.md).

Thin: reads the period chooser (the same as the exploitation-list report's:
report.period_asked), calls the one read use case (operational.operational_figures, which
checks the role and audits), and hands the template its tables and charts already made.
Figures only: no name, no case.
"""

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user

from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, requires
from mettrack.core.spreadsheet import csv_response
from mettrack.statistics import charts, operational, report, rules
from mettrack.statistics.operational_rules import days_text, share_text

bp = Blueprint("statistics_operations", __name__)


def _period():
    """The period asked for, or None and the errors naming the fields."""
    try:
        return report.period_asked(request.args), {}
    except ValidationError as e:
        return None, dict(e.errors)


def _days(duration: operational.Duration, attribute: str) -> str:
    return days_text(getattr(duration, attribute))


def sections(found: operational.OperationalReport, *, with_charts: bool = True) -> list[dict]:
    """Each section of the page: its heading, what it counts, its table (head and rows
    of text) and its chart (drawn only for the page, not for the CSV)."""
    rows = found.rows
    labels = [r.period.chart_label for r in rows]
    rhi = {
        "id": "rhi",
        "heading": "Return Home Interviews offered within 72 hours",
        "explain": "Episodes whose child returned in the period. An offer recorded no later than 72 hours "
        "after the return counts as within 72 hours (statutory guidance, 2014).",
        "head": [
            "Period",
            "Returned",
            "Offered within 72 hours",
            "Offered later",
            "No offer recorded",
            "Share within 72 hours",
        ],
        "rows": [
            [
                r.period.short_label,
                r.rhi.returned,
                r.rhi.within_72h,
                r.rhi.late,
                r.rhi.not_offered,
                share_text(r.rhi.within_72h, r.rhi.returned),
            ]
            for r in rows
        ],
        "chart": lambda: charts.share_bars(
            "Return Home Interviews offered within 72 hours",
            labels,
            [r.rhi.share_within for r in rows],
            notes=[
                f"{r.rhi.within_72h} of {r.rhi.returned}" if r.rhi.returned else "no returns" for r in rows
            ],
            target=100,
        ),
    }
    reviews = {
        "id": "reviews",
        "heading": "MET reviews held on time",
        "explain": "Review dates set by a MET meeting that fall in the period. On time: the case was "
        "reviewed at a meeting on or before the date. Missed: not reviewed since, and the date has "
        "passed. A review date still to come, or of a case closed before it, is not counted in the share.",
        "head": ["Period", "Due", "On time", "Late", "Missed", "Not yet due", "Case closed", "Share on time"],
        "rows": [
            [
                r.period.short_label,
                r.reviews.due,
                r.reviews.on_time,
                r.reviews.late,
                r.reviews.missed,
                r.reviews.not_yet_due,
                r.reviews.case_closed,
                share_text(r.reviews.on_time, r.reviews.counted),
            ]
            for r in rows
        ],
        "chart": lambda: charts.trend_line(
            "MET reviews held on time",
            labels,
            {"Held on time": [r.reviews.share_on_time for r in rows]},
            percent=True,
            absent_label="none due",
            absent_note="“{label}”: no review date fell in that period.",
        ),
    }
    rule = found.repeat_rule
    missing = {
        "id": "missing",
        "heading": "Missing episodes and children missing repeatedly",
        "explain": f"Episodes that began in the period, and the children they were of. Missing repeatedly: "
        f"{rule.episodes} or more episodes within {rule.days} days, the partnership's setting.",
        "head": ["Period", "Missing episodes", "Children", "Children missing repeatedly"],
        "rows": [
            [r.period.short_label, r.missing.episodes, r.missing.children, r.missing.repeat_children]
            for r in rows
        ],
        "chart": lambda: charts.trend_line(
            "Missing episodes by quarter",
            labels,
            {
                "Episodes": [r.missing.episodes for r in rows],
                "Children": [r.missing.children for r in rows],
                "Missing repeatedly": [r.missing.repeat_children for r in rows],
            },
        ),
    }
    referrals = {
        "id": "referrals",
        "heading": "Referrals to Children's Services and what came of them",
        "explain": "Cases referred in the period; where each has gone since.",
        "head": [
            "Period",
            "Referred",
            "Outcome recorded",
            "Went to MET review",
            "Closed before a review",
            "Still waiting",
        ],
        "rows": [
            [
                r.period.short_label,
                r.referrals.referred,
                r.referrals.outcome_recorded,
                r.referrals.to_met_review,
                r.referrals.closed_before_review,
                r.referrals.awaiting,
            ]
            for r in rows
        ],
        "chart": lambda: charts.grouped_bars(
            "Referrals and what came of them",
            labels,
            {
                "Referred": [r.referrals.referred for r in rows],
                "Went to MET review": [r.referrals.to_met_review for r in rows],
                "Closed before a review": [r.referrals.closed_before_review for r in rows],
            },
            y_label="Cases",
        ),
    }
    times = {
        "id": "times",
        "heading": "Days from referral to the first MET review and to a specialist service",
        "explain": "Counted in the period of the first MET review after the referral, and of the first "
        "specialist service that accepted the case after it. Calendar days.",
        "head": [
            "Period",
            "Reviewed",
            "Median days to review",
            "Average days to review",
            "Service accepted",
            "Median days to service",
            "Average days to service",
        ],
        "rows": [
            [
                r.period.short_label,
                r.to_first_review.count,
                _days(r.to_first_review, "median_days"),
                _days(r.to_first_review, "mean_days"),
                r.to_first_service.count,
                _days(r.to_first_service, "median_days"),
                _days(r.to_first_service, "mean_days"),
            ]
            for r in rows
        ],
        "chart": lambda: charts.trend_line(
            "Median days from referral",
            labels,
            {
                "To the first MET review": [r.to_first_review.median_days for r in rows],
                "To a specialist service": [r.to_first_service.median_days for r in rows],
            },
            y_label="Days",
            absent_label="none",
            absent_note="“{label}”: no case reached that step in that period.",
        ),
    }
    made = [rhi, reviews, missing, referrals, times]
    for section in made:
        section["chart"] = section["chart"]() if with_charts else None
    return made


def _chooser(errors: dict, found=None, status: int = 200):
    period = found.period if found else None
    args = period.query if period else {}
    return render_template(
        "statistics/operations.html",
        report=found,
        sections=sections(found) if found else [],
        errors=errors,
        chooser=report.chooser(request.args.to_dict() or args, period, errors),
        trend_quarters=rules.trend_quarters(current_app.config),
        report_url=url_for("statistics.index", **args),
        csv_url=url_for("statistics_operations.export", **args),
    ), status


@bp.route("/statistics/operations")
@requires(Perm.STATS_VIEW)
def index():
    period, errors = _period()
    if errors:  # nothing is read: the chooser again, each field with its message
        return _chooser(errors, status=400)
    return _chooser(errors, operational.operational_figures(current_user, period))


@bp.route("/statistics/operations.csv")
@requires(Perm.STATS_VIEW)
def export():
    period, errors = _period()
    if errors:
        return _chooser(errors, status=400)
    found = operational.operational_figures(current_user, period, export=True)
    header = ["Section", "Period", "First day", "Last day", "Measure", "Value"]
    out = []
    for section in sections(found, with_charts=False):
        for row, figures in zip(section["rows"], found.rows, strict=True):
            for measure, value in zip(section["head"][1:], row[1:], strict=True):
                out.append(
                    [
                        section["heading"],
                        figures.period.short_label,
                        figures.period.start,
                        figures.period.end,
                        measure,
                        value,
                    ]
                )
    return csv_response(f"operational-figures-{period.key}.csv", header, out)
