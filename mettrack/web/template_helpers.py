"""Filters and globals the templates share: London time, navigation by role."""

from flask import Flask, url_for
from flask_login import current_user

from mettrack.clock import local
from mettrack.domain.choices import CaseState, RiskLevel, Role
from mettrack.permissions import Perm, can

# (label, endpoint, permission): each role sees only the links its permissions open.
NAVIGATION = [
    ("Home", "main.home", Perm.SIGNED_IN),
    ("Cases", "cases.index", Perm.CASE_LIST),
    ("Audit log", "audit_log.index", Perm.AUDIT_SEARCH),
    ("Users", "admin.users", Perm.USER_ADMIN),
    ("Your account", "account.index", Perm.SIGNED_IN),
]


def navigation():
    if not current_user.is_authenticated:
        return []
    return [(label, url_for(endpoint)) for label, endpoint, perm in NAVIGATION if can(current_user, perm)]


def london_time(moment, fmt: str = "%-d %B %Y %H:%M") -> str:
    return local(moment).strftime(fmt) if moment else ""


def london_date(value, fmt: str = "%-d %B %Y") -> str:
    return value.strftime(fmt) if value else ""


def register(app: Flask) -> None:
    app.add_template_filter(london_time, "london_time")
    app.add_template_filter(london_date, "london_date")
    app.add_template_global(navigation, "navigation")
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
