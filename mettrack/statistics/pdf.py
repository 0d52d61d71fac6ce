"""The report as a PDF, for a safeguarding board's papers: the same tables as the page,
laid out for printing (statistics/report_print.html) and turned into a PDF by WeasyPrint,
as meetings/pdf.py does for agendas. Made on request (a report is a few pages of
figures, quick to draw); nothing is stored."""

from flask import current_app
from markupsafe import Markup

from mettrack.core.clock import local
from mettrack.statistics.report import Report

TEMPLATE = "statistics/report_print.html"


def print_html(report: Report, charts: dict[str, Markup] | None = None) -> str:
    """`charts`: table key -> a chart's SVG, drawn beside its table (none yet)."""
    template = current_app.jinja_env.get_template(TEMPLATE)
    return template.render(
        report=report,
        charts=charts or {},
        made_on=local(report.made_at).strftime("%-d %B %Y at %H:%M"),
        partnership_name=current_app.config.get("PARTNERSHIP_NAME", ""),
    )


def _fetch_nothing(url: str, *args, **kwargs):
    # The report's HTML is self-contained: WeasyPrint fetches no file and no URL for it.
    raise ValueError("a statistics PDF loads nothing from outside")


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # slow to import: loaded when a PDF is asked for

    return HTML(string=html, base_url=current_app.root_path, url_fetcher=_fetch_nothing).write_pdf()
