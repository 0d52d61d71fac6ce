"""Filters and globals the templates share: London time, navigation by role, and the
GOV.UK Frontend macros (govuk-frontend-jinja) beside the app's own templates."""

from datetime import date
from pathlib import Path

from flask import Flask, g, request, url_for
from flask_login import current_user
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from mettrack.accounts import MIN_LENGTH
from mettrack.core.choices import CaseState, RiskLevel, Role
from mettrack.core.clock import local
from mettrack.core.permissions import Perm, can

# (label, endpoint, permission or a NAVIGATION_RULES name): each user sees only the links
# their permissions open.
NAVIGATION = [
    ("Home", "main.home", Perm.SIGNED_IN),
    ("Cases", "cases.index", Perm.CASE_LIST),
    ("Meetings", "meetings.index", Perm.MEETING_VIEW),
    ("My actions", "actions.index", Perm.MEETING_VIEW),
    ("Requests for your services", "service_inbox.index", "provider"),
    ("Share information", "intelligence.share", Perm.INTEL_SHARE),
    ("Intelligence review", "intelligence.review_queue", Perm.INTEL_REVIEW),
    ("Hotspots", "intelligence_hotspots.index", Perm.INTEL_REVIEW),
    ("Places and persons", "intelligence_subjects.persons", Perm.INTEL_VIEW),
    ("Search intelligence", "intelligence_subjects.search_form", Perm.INTEL_VIEW),
    ("Disruption actions", "intelligence_disruptions.index", Perm.INTEL_VIEW),
    ("Cases to reassign", "case_team.reassign", Perm.CASE_REASSIGN),
    ("Services board", "service_board.index", Perm.SERVICE_BOARD),
    ("Statistics", "statistics.index", Perm.STATS_VIEW),
    ("New child", "children.new", Perm.CHILD_CREATE),
    ("Audit log", "audit_log.index", Perm.AUDIT_SEARCH),
    ("Reminders", "reminder_log.index", Perm.REMINDER_LOG),
    ("Users", "admin.users", Perm.USER_ADMIN),
    ("Agencies", "agency_admin.index", Perm.AGENCY_ADMIN),
    ("Reference data", "reference_admin.index", Perm.REFERENCE_DATA_ADMIN),
    ("Language list", "phrases_admin.index", Perm.REFERENCE_DATA_ADMIN),
    ("Risk indicators", "risk_indicators.index", Perm.REFERENCE_DATA_ADMIN),
    ("Disruption catalogue", "disruption_kinds_admin.index", Perm.REFERENCE_DATA_ADMIN),
    ("Service catalogue", "service_catalogue_admin.index", Perm.REFERENCE_DATA_ADMIN),
    ("Retention review", "retention.index", Perm.RETENTION_REVIEW),
    ("Import the list", "imports.index", Perm.CASES_IMPORT),
    ("Your account", "account.index", Perm.SIGNED_IN),
]


# Links that a role alone cannot decide: a name -> a test of the user. "provider": a
# user of an agency that provides a specialist service, which the inbox's context
# processor works out before the template renders (specialist_services/inbox_pages.py;
# templates touch no database).
NAVIGATION_RULES = {"provider": lambda user: g.get("provides_service", False)}


def _shown(user, rule) -> bool:
    return NAVIGATION_RULES[rule](user) if rule in NAVIGATION_RULES else can(user, rule)


def navigation():
    if not current_user.is_authenticated:
        return []
    return [(label, url_for(endpoint)) for label, endpoint, rule in NAVIGATION if _shown(current_user, rule)]


# The links always in the header bar; the others go under "More", so that every role's
# navigation fits on one line at 1280 px (base.html). With one link left over, no "More".
NAVIGATION_BAR = {"main.home", "cases.index", "meetings.index", "actions.index", "children.new"}
NAVIGATION_BAR |= {"admin.users", "agency_admin.index", "statistics.index"}


def service_navigation_items() -> list[dict]:
    """`navigation()` as govukServiceNavigation items, the page's own section marked;
    `more` marks those that base.html puts under the "More" control."""
    home = url_for("main.home")
    bar = {url_for(endpoint) for _label, endpoint, _rule in NAVIGATION if endpoint in NAVIGATION_BAR}
    items = []
    for label, href in navigation():
        current = request.path == href
        active = not current and href != home and request.path.startswith(href)
        more = href not in bar
        items.append({"text": label, "href": href, "current": current, "active": active, "more": more})
    if sum(item["more"] for item in items) == 1:
        for item in items:
            item["more"] = False
    return items


def state_tag(state) -> dict:
    """govukTag options for a case state."""
    state = CaseState(state)
    return {"text": state.label, "classes": f"govuk-tag--{state.colour}"}


def risk_tag(risk) -> dict:
    """govukTag options for a risk level; an unset level is shown as such, in grey."""
    if not risk:
        return {"text": "Not set", "classes": "govuk-tag--grey"}
    risk = RiskLevel(risk)
    return {"text": risk.label, "classes": f"govuk-tag--{risk.colour}"}


def pagination(current: int, pages: int, endpoint: str, **args) -> dict | None:
    """govukPagination options for page `current` of `pages`, each link `endpoint` with
    `args` and `page=n`: the first, last and neighbouring pages, gaps shown as ellipses.
    None when there is only one page."""
    if pages <= 1:
        return None

    def href(n: int) -> str:
        return url_for(endpoint, page=n, **{k: v for k, v in args.items() if v not in (None, "")})

    shown = sorted({1, pages, current - 1, current, current + 1} & set(range(1, pages + 1)))
    items, previous = [], 0
    for n in shown:
        if n > previous + 1:
            items.append({"ellipsis": True})
        items.append({"number": n, "href": href(n), "current": n == current})
        previous = n
    return {
        "items": items,
        "previous": {"href": href(current - 1)} if current > 1 else None,
        "next": {"href": href(current + 1)} if current < pages else None,
        "landmarkLabel": "Pages",
    }


def london_time(moment, fmt: str = "%-d %B %Y %H:%M") -> str:
    return local(moment).strftime(fmt) if moment else ""


def london_date(value, fmt: str = "%-d %B %Y") -> str:
    # A date, or one kept as an ISO string in a frozen snapshot (approved minutes, agendas).
    if isinstance(value, str) and value:
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value.strftime(fmt) if value else ""


def feature_template_folders(package_root: Path) -> list[str]:
    """ui/templates first (the layout and macros), then each feature's folder."""
    folders = sorted(str(p) for p in package_root.glob("*/templates") if p.is_dir())
    ui = str(package_root / "ui" / "templates")
    return [ui, *(f for f in folders if f != ui)]


def register(app: Flask) -> None:
    # Each feature keeps its templates in its own folder (mettrack/<feature>/templates/,
    # the shared layout in ui/templates/); template names stay "cases/detail.html" and so
    # on, so one loader over every feature's folder finds them. govuk-frontend-jinja's
    # macros import each other as "govuk_frontend_jinja/...", so its package is mounted
    # under that prefix, after the app's own templates.
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(feature_template_folders(Path(app.root_path))),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.add_template_filter(london_time, "london_time")
    app.add_template_filter(london_date, "london_date")
    app.add_template_global(navigation, "navigation")
    app.add_template_global(service_navigation_items, "service_navigation_items")
    app.add_template_global(state_tag, "state_tag")
    app.add_template_global(risk_tag, "risk_tag")
    app.add_template_global(pagination, "pagination")
    app.add_template_global(MIN_LENGTH, "password_min_length")
    app.add_template_global(can, "can")
    app.add_template_global(Perm, "Perm")

    @app.context_processor
    def labels():
        return {
            "partnership_name": app.config["PARTNERSHIP_NAME"],
            "state_label": lambda s: CaseState(s).label,
            "risk_label": lambda r: RiskLevel(r).label if r else "Not set",
            "role_label": lambda r: Role(r).label,
        }
