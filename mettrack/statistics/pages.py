"""The quarterly exploitation-list report's pages (/statistics/): the report, its CSV
(optionally marked for publication, suppressing small numbers) and its PDF. Thin: the
figures come from statistics/report.py; the period is a GET form (a quarter, or a range
of dates), so a report can be bookmarked and its address names no one.

Charts (statistics/charts.py, SVG drawn on the server): `charts` maps a table's key to
its chart, drawn beside the table that holds the same figures (the table is the
accessible reading of the chart, and the one a screen reader reaches).
"""

from flask import Blueprint, Response, render_template, request, url_for
from flask_login import current_user

from mettrack.core.errors import ValidationError
from mettrack.core.permissions import Perm, requires
from mettrack.core.spreadsheet import csv_response
from mettrack.statistics import charts, export, pdf, report, rules
from mettrack.statistics.queries import ALL

bp = Blueprint("statistics", __name__, url_prefix="/statistics")


def _asked():
    """The period and the publication mark asked for, or the errors naming the fields."""
    args = request.args
    try:
        period = report.period_asked(args)
    except ValidationError as e:
        return None, False, dict(e.errors)
    try:
        publication = report.parse_publication(args.get("publication"))
    except ValidationError as e:
        return period, False, dict(e.errors)
    return period, publication, {}


# The tables drawn as bars per exploitation type, one bar per row (a gender, an age band...).
CHARTED_TABLES = ("gender", "age", "risk")


def _charts(found: report.Report) -> dict:
    """Suppressed figures reach the chart as None, drawn as absent with the same words."""
    types = [c for c in found.columns if c.key != ALL]
    drawn = {}
    for key in CHARTED_TABLES:
        table = found.table(key)
        if table is None or not types:
            continue
        at = [found.columns.index(c) for c in types]
        drawn[key] = charts.grouped_bars(
            f"{table.title}, {found.period.label}",
            [c.label for c in types],
            {row.label: [row.cells[i].count for i in at] for row in table.rows},
            y_label="Children",
            absent_label=rules.fewer_than(found.threshold),
        )
    if found.trend:
        drawn["trend"] = charts.trend_line(
            "Children on the list, by quarter",
            [row.chart_label for row in found.trend],
            {c.label: [row.cells[i].count for row in found.trend] for i, c in enumerate(found.columns)},
            y_label="Children",
            absent_label=rules.fewer_than(found.threshold),
        )
    return drawn


def _page(found, errors, values, status=200):
    args = found.period.query if found else {}
    return render_template(
        "statistics/report.html",
        report=found,
        charts=_charts(found) if found else {},
        errors=errors,
        chooser=report.chooser(values, found.period if found else None, errors),
        operations_url=url_for("statistics_operations.index", **args),
        csv_url=url_for("statistics.csv", **args),
        csv_publication_url=url_for("statistics.csv", publication="yes", **args),
        pdf_url=url_for("statistics.pdf", **args),
        pdf_publication_url=url_for("statistics.pdf", publication="yes", **args),
        threshold=report.threshold(),
    ), status


def _report(output: str):
    """The report asked for, and None; or None and the page naming the bad fields (400),
    in which case nothing is read."""
    period, publication, errors = _asked()
    if errors:
        return None, _page(None, errors, request.args.to_dict(), 400)
    return report.build_report(current_user, period, publication=publication, output=output), None


@bp.route("/")
@requires(Perm.STATS_VIEW)
def index():
    found, refused = _report("page")
    return refused or _page(found, {}, request.args.to_dict() or found.period.query)


@bp.route("/exploitation-list.csv")
@requires(Perm.STATS_VIEW)
def csv():
    found, refused = _report("csv")
    return refused or csv_response(export.filename(found), export.header(found), export.rows(found))


@bp.route("/exploitation-list.pdf", endpoint="pdf")
@requires(Perm.STATS_VIEW)
def pdf_download():
    found, refused = _report("pdf")
    if refused:
        return refused
    content = pdf.render_pdf(pdf.print_html(found, _charts(found)))
    name = export.filename(found).removesuffix(".csv") + ".pdf"
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
