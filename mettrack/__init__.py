"""METtrack: multi-agency case tracking and MET meeting workflow."""

import logging

from flask import Flask
from werkzeug.routing import IntegerConverter

from mettrack.core.limits import DATABASE_INT_MAX
from mettrack.core.proxy import init_proxy
from mettrack.core.request_limits import init_request_limits
from mettrack.core.security_headers import init_security_headers


def create_app(test_config: dict | None = None, config_name: str | None = None) -> Flask:
    # Imported here, not with the package: config.py reads its defaults from the features' rules modules.
    from config import config_class, validate

    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config_class(config_name or ("testing" if test_config else None)))
    if test_config:
        app.config.update(test_config)
    validate(app.config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # An unreachable database host must fail fast (health checks answer 503), not hang.
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        connect_args = options["connect_args"] = dict(options.get("connect_args", {"connect_timeout": 5}))
        # No JIT: the app's queries are short, and a misestimated row count (an OR of
        # EXISTS) once switched it on to spend 380 ms compiling a 5 ms query (issue 18).
        # (DATABASE_JIT_OFF, config.py: a pooler may refuse start-up options.)
        given = connect_args.get("options", "")
        if app.config.get("DATABASE_JIT_OFF", True) and "jit" not in given:
            connect_args["options"] = f"{given} -c jit=off".strip()

    app.url_map.converters["int"] = DatabaseId
    init_proxy(app)
    init_request_limits(app)
    init_security_headers(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    init_input_guard(app)
    register_commands(app)
    register_template_helpers(app)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    return app


def init_input_guard(app: Flask) -> None:
    from mettrack.ui.input_guard import init_input_guard as init

    init(app)


class DatabaseId(IntegerConverter):
    """<int:...> in every route: an id past PostgreSQL's integer range is simply not found
    (404), rather than an error from the database (500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", DATABASE_INT_MAX)
        super().__init__(map, *args, **kwargs)


def register_extensions(app: Flask) -> None:
    from mettrack import models  # noqa: F401  (registers the tables)
    from mettrack.accounts.login import init_login
    from mettrack.core.extensions import csrf, db, limiter, migrate
    from mettrack.core.sessions import ServerSessionInterface
    from workers import celery_init_app

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    init_login(app)
    app.session_interface = ServerSessionInterface()
    celery_init_app(app)


def register_blueprints(app: Flask) -> None:
    from mettrack.accounts import account_pages as account
    from mettrack.accounts import admin_pages as admin
    from mettrack.accounts import agency_pages as agency_admin
    from mettrack.accounts import auth_pages as auth
    from mettrack.accounts import role_grant_pages as role_grants
    from mettrack.accounts import two_factor_pages as two_factor
    from mettrack.api import init_api
    from mettrack.audit_log import pages as audit_log
    from mettrack.cases import (
        classification_pages as case_classification,
    )
    from mettrack.cases import (
        pages as cases,
    )
    from mettrack.cases import (
        referral_pages as referrals,
    )
    from mettrack.cases import (
        team_pages as case_team,
    )
    from mettrack.cases import (
        transition_pages as transitions,
    )
    from mettrack.children import pages as children
    from mettrack.core.permissions import enforce_declared_access
    from mettrack.home import pages as main
    from mettrack.imports import pages as imports
    from mettrack.intelligence import case_link_pages as intelligence_case_links
    from mettrack.intelligence import disruption_pages as intelligence_disruptions
    from mettrack.intelligence import hotspot_pages as intelligence_hotspots
    from mettrack.intelligence import item_pages as intelligence_items
    from mettrack.intelligence import location_pages as intelligence_subjects
    from mettrack.intelligence import network_pages as intelligence_network
    from mettrack.intelligence import peer_pages as intelligence_peers
    from mettrack.intelligence import person_pages, search_pages  # noqa: F401 (their routes join location_pages.bp)
    from mettrack.language import admin_pages as phrases_admin
    from mettrack.meetings import action_pages as meeting_actions
    from mettrack.meetings import agenda_pages as meeting_agenda
    from mettrack.meetings import attendance_pages as meeting_attendance
    from mettrack.meetings import meeting_pages as meetings
    from mettrack.meetings import minutes_pages as meeting_minutes
    from mettrack.meetings import version_pages as agenda_versions
    from mettrack.missing import pages as missing
    from mettrack.notes import pages as notes
    from mettrack.reference import admin_pages as reference_admin
    from mettrack.reminders import log_pages as reminder_log
    from mettrack.reminders import notification_pages as notifications
    from mettrack.retention import pages as retention
    from mettrack.risk import indicator_pages as risk_indicators
    from mettrack.risk import pages as risk_assessments
    from mettrack.screening import pages as screenings
    from mettrack.specialist_services import board_pages as service_board
    from mettrack.specialist_services import catalogue_pages as service_catalogue
    from mettrack.specialist_services import inbox_pages as service_inbox
    from mettrack.specialist_services import request_pages as service_requests
    from mettrack.specialist_services import tier_pages as police_tiers
    from mettrack.statistics import operational_pages as statistics_operations
    from mettrack.statistics import pages as statistics
    from mettrack.ui import health

    app.before_request(enforce_declared_access)
    pages = (auth, main, health, account, cases, children, admin, audit_log, missing)
    reminding = (notifications, reminder_log)
    meeting_work = (
        meetings,
        meeting_agenda,
        agenda_versions,
        meeting_attendance,
        meeting_minutes,
        meeting_actions,
    )
    case_work = (screenings, transitions, risk_assessments, notes, case_team, case_classification, referrals)
    case_work += (police_tiers,)
    administration = (risk_indicators, reference_admin, phrases_admin)
    administration += (agency_admin, role_grants)
    administration += (two_factor,)
    two_factor.init_two_factor(app)
    administration += (retention,)
    administration += (imports,)
    intelligence = (intelligence_items, intelligence_disruptions, intelligence_network)
    intelligence += (
        intelligence_peers,
        intelligence_case_links,
        intelligence_hotspots,
        intelligence_subjects,
    )
    for module in (*pages, *case_work, *administration, *reminding, *meeting_work, *intelligence):
        app.register_blueprint(module.bp)
    app.register_blueprint(service_requests.bp)
    app.register_blueprint(intelligence_disruptions.kinds_bp)
    app.register_blueprint(service_inbox.bp)
    app.register_blueprint(service_catalogue.bp)
    app.register_blueprint(service_board.bp)
    app.register_blueprint(statistics_operations.bp)
    app.register_blueprint(statistics.bp)
    init_api(app)
    # A police user's read of a case or child says why first (DPA 2018 s62), on every route
    # naming one unless exempted there (docs/security.md).
    from mettrack.cases.access_reasons import ask_before_reading

    app.before_request(ask_before_reading)
    from mettrack.intelligence import install_agenda_provider

    install_agenda_provider()


def register_errorhandlers(app: Flask) -> None:
    from mettrack.ui.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from mettrack.cli import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from mettrack.ui.template_helpers import register

    register(app)
