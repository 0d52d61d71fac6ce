"""The report as CSV rows (the page's download; core/spreadsheet.py writes the file with
its byte-order mark and neutralises formula cells). One file, a section per table: each
row names its table and group, then one column per exploitation type and the whole list.
A suppressed figure is written as its words ("fewer than 5"), a figure shown as a number."""

from mettrack.statistics.report import Report
from mettrack.statistics.rules import Figure

PUBLICATION_NOTE = (
    "Marked for publication: figures from 1 to {less} are shown as 'fewer than {threshold}', and "
    "more figures in the same row or column are suppressed so that none can be worked out from the others."
)
INTERNAL_NOTE = "Not for publication: every figure is shown as it is, small numbers included."
MEANING = (
    "On the list: a case with an exploitation type open at any point in the period. Ages are at the "
    "end of the period. A child in more than one type is counted once in each type and once in all."
)


def _cell(figure: Figure):
    return figure.count if figure.count is not None else figure.text


def filename(report: Report) -> str:
    marked = "-for-publication" if report.publication else ""
    return f"exploitation-list-{report.period.key}{marked}.csv"


def header(report: Report) -> list[str]:
    return ["Table", "Group", *(c.label for c in report.columns)]


def rows(report: Report) -> list[list]:
    blank = [""] * len(report.columns)
    note = (
        PUBLICATION_NOTE.format(less=report.threshold - 1, threshold=report.threshold)
        if report.publication
        else INTERNAL_NOTE
    )
    found: list[list] = [
        ["Summary", report.summary, *blank],
        ["Period", f"{report.period.label} ({report.period.start} to {report.period.end})", *blank],
        ["Notes", MEANING, *blank],
        ["Notes", note, *blank],
    ]
    for table in report.tables:
        width = len(report.columns)
        for row in table.rows:
            cells = [_cell(f) for f in row.cells]
            found.append([table.title, row.label, *cells, *[""] * (width - len(cells))])
        if table.total is not None:
            cells = [_cell(f) for f in table.total.cells]
            found.append([table.title, table.total.label, *cells, *[""] * (width - len(cells))])
    for line in report.trend:
        found.append(["Trend: children on the list", line.label, *(_cell(f) for f in line.cells)])
    for line in report.trend:
        found.append(["Trend: added in the quarter", line.label, *blank[:-1], _cell(line.added)])
    for line in report.trend:
        found.append(["Trend: closed in the quarter", line.label, *blank[:-1], _cell(line.closed)])
    return found
