"""Charts drawn by matplotlib as SVG (statistics/charts.py): valid SVG with its title, an
empty period, suppressed figures drawn as absent, and fast enough for a page."""

import time
import xml.etree.ElementTree as ET

import pytest

from mettrack.statistics import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parsed(svg) -> ET.Element:
    root = ET.fromstring(str(svg))  # noqa: S314  # nosec B314 (our own chart, not untrusted input)
    assert root.tag == f"{SVG}svg"
    return root


def _title(root) -> str:
    return root.find(f"{SVG}title").text


CHARTS = {
    "grouped_bars": lambda: charts.grouped_bars(
        "Children by type and gender",
        ["CSE", "CCE"],
        {"Female": [56, 13], "Male": [4, 122]},
        y_label="Children",
    ),
    "trend_line": lambda: charts.trend_line(
        "Missing episodes", ["Jan - Mar 2026", "Apr - Jun 2026"], {"Episodes": [12, 18], "Children": [5, 7]}
    ),
    "share_bars": lambda: charts.share_bars(
        "Return Home Interviews offered within 72 hours", ["Jan - Mar 2026"], [75.0], notes=["9 of 12"]
    ),
}


@pytest.mark.parametrize("name", CHARTS)
def test_each_chart_is_valid_svg_with_its_title_and_label(name):
    svg = CHARTS[name]()
    root = _parsed(svg)
    assert _title(root) in svg
    assert root.get("role") == "img"
    assert root.get("aria-label").startswith(_title(root))
    assert "<text" not in svg  # text drawn as paths, so a PDF renders it without the fonts
    assert "style=" not in svg and "<style" not in svg  # the CSP allows no inline style
    assert 'width="' not in svg.split(">", 1)[0]  # the page sizes it; the viewBox keeps its shape


def test_the_label_says_every_figure_for_a_screen_reader():
    svg = CHARTS["grouped_bars"]()
    assert _parsed(svg).get("aria-label") == (
        "Children by type and gender. Female: CSE 56, CCE 13; Male: CSE 4, CCE 122"
    )


@pytest.mark.parametrize(
    "draw",
    [
        lambda: charts.grouped_bars("Nothing", [], {}),
        lambda: charts.grouped_bars("Nothing", ["CSE"], {"Female": [None]}),
        lambda: charts.trend_line("Nothing", [], {}),
        lambda: charts.share_bars("Nothing", ["Q1"], [None]),
    ],
)
def test_a_chart_with_no_figures_says_so(draw):
    root = _parsed(draw())
    assert _title(root) == "Nothing"
    assert charts.NO_DATA in root.get("aria-label")


def test_a_suppressed_figure_is_drawn_absent_and_named():
    svg = charts.grouped_bars("By gender", ["CSE", "CCE"], {"Female": [56, None], "Male": [None, 122]})
    assert "CCE fewer than 5" in _parsed(svg).get("aria-label")
    with_all = charts.grouped_bars("By gender", ["CSE", "CCE"], {"Female": [56, 7], "Male": [6, 122]})
    assert svg != with_all


def test_a_title_with_markup_is_escaped():
    svg = charts.trend_line("<script>x</script>", ["Q1"], {"A": [1]})
    assert "<script>" not in svg
    assert _title(_parsed(svg)) == "<script>x</script>"


def test_the_same_figures_draw_the_same_svg():
    assert CHARTS["trend_line"]() == CHARTS["trend_line"]()


def test_each_chart_takes_less_than_200_ms():
    for draw in CHARTS.values():
        draw()  # the first one loads matplotlib's fonts
    for name, draw in CHARTS.items():
        took = []
        for _ in range(3):  # the best of three: the chart's own cost, not the machine's load
            started = time.perf_counter()
            draw()
            took.append(time.perf_counter() - started)
        assert min(took) < 0.2, name


def test_a_chart_is_drawn_in_a_weasyprint_pdf():
    from weasyprint import HTML

    def pdf(body: str) -> bytes:
        return HTML(string=f"<html><body><h1>Report</h1>{body}</body></html>").write_pdf()

    with_chart = pdf(str(CHARTS["grouped_bars"]()))
    assert with_chart.startswith(b"%PDF")
    assert len(with_chart) > len(pdf("")) + 10_000  # the bars and the text drawn as shapes


@pytest.mark.parametrize("name", CHARTS)
def test_a_chart_is_drawn_and_saved_under_the_drawing_lock(name, monkeypatch):
    # rc_context changes matplotlib's global rcParams: two threads drawing at once would
    # mix their styles, so each chart holds one lock while its style is in force.
    drawn = charts._svg
    held = []

    def svg(*args, **kwargs):
        held.append(charts._DRAWING.locked())
        return drawn(*args, **kwargs)

    monkeypatch.setattr(charts, "_svg", svg)
    CHARTS[name]()
    assert held == [True]
    assert not charts._DRAWING.locked()
