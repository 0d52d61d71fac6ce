"""Reading an uploaded list into rows of text: a CSV (UTF-8, with or without the byte-order
mark Excel writes) or an Excel workbook (.xlsx, its first sheet, read with openpyxl in
read-only mode so a large file is streamed, not loaded whole). Pure: bytes in, rows out.

Every cell comes back as text, except the dates an Excel cell holds as a date, which come
back as `date` objects (rules.py reads both). Trailing empty cells and wholly empty rows
are kept as empty strings, so that row numbers stay those the spreadsheet shows.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

KINDS = ("csv", "xlsx")


class UnreadableFile(ValueError):
    """The file is not a CSV or workbook that can be read; the message says why."""


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple, ...]  # the data rows, the first being the spreadsheet's row 2


def kind_of(filename: str) -> str | None:
    """'csv' or 'xlsx' from the file's name, None for anything else."""
    name = (filename or "").strip().lower()
    for kind in KINDS:
        if name.endswith("." + kind):
            return kind
    return None


def read_table(kind: str, content: bytes) -> Table:
    """The file's rows; UnreadableFile, with a message for its uploader, for any file that
    cannot be read. The message names what is wrong with the file, never its content (a
    parser's own error text can quote a cell) nor its name (which may name a child)."""
    if kind == "csv":
        reader, again = _csv, "The CSV file cannot be read ({}): save it as 'CSV UTF-8 (Comma delimited)'"
    elif kind == "xlsx":
        reader, again = _xlsx, "The Excel workbook cannot be read ({}): open it in Excel and save it again"
    else:
        raise UnreadableFile("Choose a CSV file (.csv) or an Excel workbook (.xlsx)")
    try:
        return reader(content)
    except UnreadableFile:
        raise
    except Exception as e:  # a damaged file: any parser's error, whatever its kind
        raise UnreadableFile(again.format(type(e).__name__)) from None


def _csv(content: bytes) -> Table:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(
            "The CSV file is not UTF-8: in Excel, save it as 'CSV UTF-8 (Comma delimited)'"
        ) from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise UnreadableFile(f"The CSV file cannot be read: {e}") from None
    return _table(rows)


def _xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableFile("The file is not an Excel workbook (.xlsx) that can be read") from None
    try:
        if not workbook.worksheets:
            raise UnreadableFile("The Excel workbook has no worksheet: put the list on its first sheet")
        sheet = workbook.worksheets[0]
        rows = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _table(rows)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(rows: list[list]) -> Table:
    if not rows or not any(str(c).strip() for c in rows[0]):
        raise UnreadableFile("The file is empty: the first row must name the columns")
    header = tuple(str(c).strip() for c in rows[0])
    width = len(header)
    body = []
    for row in rows[1:]:
        cells = list(row[:width]) + [""] * (width - len(row))
        body.append(tuple(cells))
    return Table(header, tuple(body))
