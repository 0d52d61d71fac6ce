"""CSV files that a spreadsheet program opens safely and with the right characters.

Every export (the case list, the actions list, the statistics) and the import's template
go through here, so the two protections are written once:
- UTF-8 with a byte-order mark, because Excel reads a CSV without one as the local code page
  and turns "Zoë" into "ZoÃ«";
- CSV injection: a cell that starts with = + - @ (or a tab or carriage return, which some
  programs strip first) is read as a formula, so it is prefixed with an apostrophe, the
  OWASP advice. Numbers are written as numbers: -3 is a figure, not a formula.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """A download; the filename carries no personal data (a date or a quarter, never a name)."""
    return Response(
        csv_text(header, rows).encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
