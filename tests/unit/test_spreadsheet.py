import csv
import io
from datetime import date

import pytest

from mettrack.core.spreadsheet import csv_text, safe_cell


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\r=1"])
def test_formula_starts_are_neutralised(text):
    assert safe_cell(text) == "'" + text


def test_numbers_and_plain_text_are_kept():
    assert safe_cell(-3) == -3
    assert safe_cell("Zoë Example") == "Zoë Example"
    assert safe_cell(None) == ""
    assert safe_cell(True) == "Yes"
    assert safe_cell(date(2026, 1, 2)) == "2026-01-02"


def test_file_starts_with_bom_and_reads_back():
    text = csv_text(["Name", "Note"], [["Zoë", "=1+1"], ["A, B", 'say "hi"']])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows == [["Name", "Note"], ["Zoë", "'=1+1"], ["A, B", 'say "hi"']]
