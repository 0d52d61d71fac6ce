"""Charts a board member reads at a glance, drawn by matplotlib as SVG on the server.

Plain data in, an SVG string out (Markup, ready to place in a page or a PDF): no request,
no database and no internet. Each chart has an SVG <title> and an aria-label saying what
it shows, and the page puts the same figures in a table beside it.

- Text is drawn as paths (`svg.fonttype: path`), so WeasyPrint renders the chart in a PDF
  exactly as the browser does, whatever fonts the machine has. Arial when it is
  installed (DESIGN.md: Arial, not GDS Transport), else Liberation Sans or DejaVu Sans,
  which matplotlib ships.
- Colours are the Okabe-Ito palette, safe for the common kinds of colour blindness, and
  every bar carries its value written on it, so no figure depends on colour alone.
- A figure that is None (suppressed: too small to publish) is drawn as absent, with its
  label ("fewer than 5") in its place and a note below the chart.

Figures come from matplotlib's object API (matplotlib.figure.Figure), never pyplot: no
global figure state, so it is safe in threads and no backend has to be chosen.
"""

import io
import math
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache

from markupsafe import Markup, escape
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont

Number = int | float
Figures = Sequence[Number | None]

# Okabe & Ito (2008), "Color Universal Design": distinguishable with any common colour vision.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
TEXT = "#0b0c0c"  # GOV.UK text colour
GRID = "#b1b4b6"
# About the size it is shown at (half of a 960 px page, or a PDF's column), so 13 pt text
# reads as 13 pt: a larger figure shrunk into the column would shrink its labels too.
WIDTH_IN, HEIGHT_IN = 6.4, 3.9
NO_DATA = "No figures for this period"
ABSENT_LABEL = "fewer than 5"
ABSENT_NOTE = "Figures marked “{label}” are not shown: the group is too small to publish."


@cache
def _font_family() -> list[str]:
    """The first of Arial, Liberation Sans and DejaVu Sans found, asked once (a missing
    family asked on every chart would write a warning to the log each time)."""
    for family in ("Arial", "Liberation Sans"):
        try:
            findfont(FontProperties(family=family), fallback_to_default=False)
            return [family, "DejaVu Sans"]
        except ValueError:
            continue
    return ["DejaVu Sans"]


def _style() -> dict:
    return {
        "svg.fonttype": "path",
        "svg.hashsalt": "mettrack",  # the same figures give the same SVG (ids do not change)
        "font.family": _font_family(),
        "font.size": 13,
        "axes.titlesize": 16,
        "axes.titleweight": "bold",
        "axes.labelsize": 13,
        "xtick.labelsize": 13,
        "ytick.labelsize": 12,
        "legend.fontsize": 12,
        "text.color": TEXT,
        "axes.labelcolor": TEXT,
        "xtick.color": TEXT,
        "ytick.color": TEXT,
        "axes.edgecolor": GRID,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "grid.color": GRID,
        "grid.linewidth": 0.6,
        "axes.axisbelow": True,
    }


# rc_context changes matplotlib's one global rcParams for as long as it is open, not a copy
# per thread: two charts drawn at once in a threaded server (or a thread pool) would each
# see the other's style, or the defaults restored under them. One lock, held while a chart
# is drawn and saved, keeps each drawing's settings its own (a chart takes milliseconds).
_DRAWING = threading.Lock()


@contextmanager
def _styled(extra: Mapping | None = None) -> Iterator[None]:
    """The charts' style, under the drawing lock (see _DRAWING)."""
    with _DRAWING, rc_context({**_style(), **(extra or {})}):
        yield


def _figure(height: float = HEIGHT_IN):
    figure = Figure(figsize=(WIDTH_IN, height), dpi=72)
    return figure, figure.add_subplot()


# The page's Content Security Policy (style-src 'self') ignores style="" attributes and
# <style> elements, and matplotlib writes its colours in them: each declaration becomes
# the SVG presentation attribute of the same name, which the policy allows and WeasyPrint
# reads. Only these names are kept (all matplotlib writes for these charts).
PRESENTATION = frozenset(
    {
        "clip-path", "fill", "fill-opacity", "fill-rule", "opacity", "stroke", "stroke-dasharray",
        "stroke-dashoffset", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-opacity",
        "stroke-width",
    }
)  # fmt: skip
ROOT_DEFAULTS = 'stroke-linejoin="round" stroke-linecap="butt"'  # matplotlib's <style> rule, inherited
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>", re.S)


def _as_attributes(match: re.Match) -> str:
    attributes = []
    for declaration in match[1].split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name in PRESENTATION and value:
            attributes.append(f' {name}="{value}"')
    return "".join(attributes)


def _without_styles(text: str) -> str:
    return _STYLE_ATTRIBUTE.sub(_as_attributes, _STYLE_ELEMENT.sub("", text))


def _svg(figure: Figure, title: str, description: str) -> Markup:
    """The figure as an inline <svg> with role, aria-label and a <title>: the XML prologue
    and the fixed size dropped (the page's CSS sizes it; the viewBox keeps its shape), its
    styles as attributes (see PRESENTATION)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = _without_styles(text[text.index("<svg") :])
    label = f"{title}. {description}" if description else title
    opening_end = text.index(">") + 1
    opening = text[:opening_end]
    opening = re.sub(r'\s(width|height)="[^"]*"', "", opening, count=2)
    added = f'class="app-chart" role="img" aria-label="{escape(label)}" {ROOT_DEFAULTS}'
    opening = opening.replace("<svg", f"<svg {added}", 1)
    # matplotlib's own SVG (its text drawn as paths, so no typed text is in it as text);
    # the title and label added here are escaped.
    return Markup(f"{opening}\n <title>{escape(title)}</title>{text[opening_end:]}")  # noqa: S704  # nosec B704


def _format(value: Number, percent: bool) -> str:
    if percent:
        return f"{value:.0f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _empty(title: str) -> Markup:
    with _styled():
        figure, axes = _figure(1.4)
        axes.set_axis_off()
        axes.set_title(title, loc="left")
        axes.text(0, 0.3, NO_DATA, ha="left", va="center", fontsize=14, transform=axes.transAxes)
        figure.subplots_adjust(left=0.02, right=0.98, top=0.62, bottom=0.05)
        return _svg(figure, title, NO_DATA)


def _margins(figure: Figure, *, left: float, legend: bool, absent: bool, height: float = HEIGHT_IN) -> None:
    """Fixed margins, in inches turned to fractions: tight_layout would draw every chart
    twice (a third of its time) to measure what these already leave room for."""
    lines = max((str(t.get_text()).count("\n") for t in figure.axes[0].get_xticklabels()), default=0)
    bottom = 0.45 + 0.22 * lines + (0.4 if legend else 0) + (0.3 if absent else 0)
    figure.subplots_adjust(left=left, right=0.98, top=1 - 0.5 / height, bottom=bottom / height)


def _legend_below(axes, count: int, absent: bool) -> None:
    """At the foot of the figure, under the axis labels (and above the note of absent
    figures), where _margins leaves room for it."""
    figure = axes.figure
    above = (0.3 if absent else 0.02) / figure.get_figheight()
    figure.legend(frameon=False, ncols=min(count, 3), loc="lower center", bbox_to_anchor=(0.5, above))


def _has_figures(series: Mapping[str, Figures]) -> bool:
    return any(value is not None for values in series.values() for value in values)


def _note_absent(figure: Figure, absent_label: str, absent_note: str) -> None:
    figure.text(0.01, 0.01, absent_note.format(label=absent_label), fontsize=11, ha="left", va="bottom")


def _finish(axes, title: str, y_label, series: int, absent: bool, absent_label: str, absent_note: str):
    """What a chart with a vertical axis ends with: the axis' name, the title, the legend
    (for more than one series), the note of absent figures, the margins."""
    figure = axes.figure
    if y_label:
        axes.set_ylabel(y_label)
    axes.set_title(title, loc="left")
    if series > 1:
        _legend_below(axes, series, absent)
    if absent:
        _note_absent(figure, absent_label, absent_note)
    _margins(figure, left=0.12 if y_label else 0.08, legend=series > 1, absent=absent)


def _describe(
    categories: Sequence[str], series: Mapping[str, Figures], absent_label: str, percent=False
) -> str:
    parts = []
    for name, values in series.items():
        shown = ", ".join(
            f"{' '.join(category.split())} {absent_label if value is None else _format(value, percent)}"
            for category, value in zip(categories, values, strict=False)
        )
        parts.append(f"{name}: {shown}" if name else shown)
    return "; ".join(parts)


def grouped_bars(
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Figures],
    *,
    y_label: str | None = None,
    absent_label: str = ABSENT_LABEL,
    absent_note: str = ABSENT_NOTE,
) -> Markup:
    """Bars per category, one bar per series side by side (children per exploitation type,
    one bar per gender: categories ["CSE", "CCE"], series {"Female": [56, 13], "Male": [4,
    122]}). Each value is written on its bar; None is drawn as absent."""
    if not categories or not _has_figures(series):
        return _empty(title)
    names = list(series) or [""]
    absent = False
    with _styled():
        figure, axes = _figure()
        width = 0.8 / len(names)
        top = max((v for values in series.values() for v in values if v is not None), default=0) or 1
        for index, name in enumerate(names):
            values = list(series[name])[: len(categories)]
            values += [None] * (len(categories) - len(values))
            xs = [c + (index - (len(names) - 1) / 2) * width for c in range(len(categories))]
            heights = [0 if v is None else v for v in values]
            bars = axes.bar(xs, heights, width * 0.92, label=name, color=PALETTE[index % len(PALETTE)])
            for bar, value in zip(bars, values, strict=True):
                x = bar.get_x() + bar.get_width() / 2
                if value is None:
                    absent = True
                    axes.text(x, top * 0.02, absent_label, ha="center", va="bottom", rotation=90, fontsize=10)
                else:
                    axes.text(
                        x,
                        value + top * 0.01,
                        _format(value, False),
                        ha="center",
                        va="bottom",
                        fontsize=12,
                        fontweight="bold",
                    )
        axes.set_xticks(range(len(categories)), list(categories))
        axes.set_ylim(0, top * 1.15)
        axes.yaxis.get_major_locator().set_params(integer=True)
        _finish(axes, title, y_label, len(names), absent, absent_label, absent_note)
        return _svg(figure, title, _describe(categories, series, absent_label))


def trend_line(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Figures],
    *,
    y_label: str | None = None,
    percent: bool = False,
    absent_label: str = ABSENT_LABEL,
    absent_note: str = ABSENT_NOTE,
) -> Markup:
    """One line per series across periods (labels: "Jan - Mar 2026" ...), each point's value
    written beside it; a None point is left out (the line breaks there). `percent`: the
    values are shares from 0 to 100 and the axis runs to 100%."""
    if not labels or not _has_figures(series):
        return _empty(title)
    absent = False
    markers = "osD^v<>p"
    with _styled():
        figure, axes = _figure()
        top = max((v for values in series.values() for v in values if v is not None), default=0) or 1
        for index, (name, values) in enumerate(series.items()):
            values = list(values)[: len(labels)]
            ys = [math.nan if v is None else v for v in values]
            colour = PALETTE[index % len(PALETTE)]
            axes.plot(
                range(len(ys)),
                ys,
                marker=markers[index % len(markers)],
                markersize=8,
                linewidth=2.5,
                color=colour,
                label=name,
            )
            for x, value in enumerate(values):
                if value is None:
                    absent = True
                    axes.text(
                        x, top * 0.03, absent_label, ha="center", va="bottom", fontsize=10, color=colour
                    )
                else:
                    axes.annotate(
                        _format(value, percent),
                        (x, value),
                        textcoords="offset points",
                        xytext=(0, 8),
                        ha="center",
                        fontsize=12,
                        fontweight="bold",
                        color=colour,
                    )
        axes.set_xticks(range(len(labels)), list(labels))
        axes.set_xlim(-0.5, len(labels) - 0.5)
        axes.set_ylim(0, 110 if percent else top * 1.2)
        if percent:
            axes.yaxis.set_major_formatter("{x:.0f}%")
        else:
            axes.yaxis.get_major_locator().set_params(integer=True)
        _finish(axes, title, y_label, len(series), absent, absent_label, absent_note)
        return _svg(figure, title, _describe(labels, series, absent_label, percent))


def share_bars(
    title: str,
    categories: Sequence[str],
    shares: Figures,
    *,
    notes: Sequence[str] | None = None,
    target: Number | None = None,
    absent_label: str = ABSENT_LABEL,
    absent_note: str = ABSENT_NOTE,
) -> Markup:
    """Horizontal bars of shares from 0 to 100 per category (Return Home Interviews offered
    within 72 hours, per quarter). `notes`: written after each share ("9 of 12"); `target`:
    a dashed line at that share. None is drawn as absent (nothing to share: no returns, or
    suppressed)."""
    if not categories or all(share is None for share in shares):
        return _empty(title)
    absent = False
    height = max(2.4, 0.55 * len(categories) + 1.4)
    with _styled({"axes.grid.axis": "x"}):
        figure, axes = _figure(height)
        ys = list(range(len(categories)))[::-1]  # the first category at the top
        values = list(shares)[: len(categories)] + [None] * max(0, len(categories) - len(shares))
        axes.barh(ys, [0 if v is None else v for v in values], 0.6, color=PALETTE[0])
        for y, value, index in zip(ys, values, range(len(values)), strict=True):
            note = notes[index] if notes and index < len(notes) and notes[index] else ""
            if value is None:
                absent = absent or not note  # a None with its own note ("no returns") needs no footnote
                axes.text(1, y, note or absent_label, va="center", fontsize=12)
            else:
                text = _format(value, True) + (f" ({note})" if note else "")
                axes.text(value + 1, y, text, va="center", fontsize=12, fontweight="bold")
        if target is not None:
            axes.axvline(target, color=PALETTE[5], linestyle="--", linewidth=2, label=f"Target {target:.0f}%")
            _legend_below(axes, 1, absent)
        axes.set_yticks(ys, list(categories))
        axes.set_xlim(0, 130)
        axes.set_xticks([0, 25, 50, 75, 100])
        axes.xaxis.set_major_formatter("{x:.0f}%")
        axes.spines["left"].set_visible(False)
        axes.set_title(title, loc="left")
        if absent:
            _note_absent(figure, absent_label, absent_note)
        _margins(figure, left=0.24, legend=target is not None, absent=absent, height=height)
        return _svg(figure, title, _describe(categories, {"": values}, absent_label, percent=True))
