"""Settings classes. Pick one with METTRACK_ENV (development, testing, production).
create_app checks the chosen settings once, with validate()."""

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

# Each partnership default below is written once, in the domain rule it belongs to; a
# setting here only names it and lets the environment change it.
from mettrack.meetings.minutes_rules import DEFAULT_QUORUM_AGENCIES, parse_quorum_setting
from mettrack.missing.rules import DEFAULT_REPEAT_RULE
from mettrack.reminders.rules import DEFAULT_RULES as REMINDER_DEFAULTS
from mettrack.risk.rules import DEFAULT_CADENCE, DEFAULT_RULES
from mettrack.specialist_services.working_days import DEFAULT_ANSWER_WORKING_DAYS, answer_days_problem
from mettrack.statistics.rules import DEFAULT_SUPPRESSION_THRESHOLD, DEFAULT_TREND_QUARTERS, setting_problems

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("METTRACK_INSTANCE_DIR", BASE_DIR / "instance"))


def _database_url(url: str | None) -> str | None:
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url and url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def _env_whole_number(name: str, default: int) -> int | str:
    # Text that is not a number is kept as it is, for validate() to name the setting,
    # rather than failing here with a bare ValueError.
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value.strip())
    except ValueError:
        return value


class Config:
    # Environment variables the app refuses to start without (production names them).
    REQUIRED_ENVIRONMENT: tuple[str, ...] = ()
    # Production refuses what only a demonstration or a load test should do (made-up
    # children and known demo passwords from `flask demo generate`).
    IS_PRODUCTION = False
    # PostgreSQL's JIT off for the app's connections (-c jit=off at connection start;
    # issue 18). A pooler that refuses start-up options (PgBouncer without
    # ignore_startup_parameters = options) needs DATABASE_JIT_OFF=0, and then
    # `ALTER DATABASE <name> SET jit = off` run once by the database's owner.
    DATABASE_JIT_OFF = _env_flag("DATABASE_JIT_OFF", True)
    INSTANCE_DIR = INSTANCE_DIR  # the SQLite files and beat's schedule
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-not-a-secret")
    SQLALCHEMY_DATABASE_URI = _database_url(os.environ.get("DATABASE_URL")) or (
        f"sqlite:///{INSTANCE_DIR / 'mettrack.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")
    # With no Redis, kombu's SQLAlchemy transport keeps the queue in a SQLite file, so a
    # real worker and beat run with no server at all.
    CELERY_BROKER_URL = REDIS_URL or f"sqla+sqlite:///{INSTANCE_DIR / 'celery-broker.sqlite'}"

    # Redis redelivers an unacknowledged task after this many seconds; it must exceed the
    # longest task and any countdown (see docs/workers.md).
    CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 3600))
    # The hard time limit of a task (the soft one is a minute less, or 80% when short).
    CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", 360))
    # Redis only: how often a worker gives back the messages of a consumer that died
    # (kombu's own defaults when unset). Tests shorten them with the visibility timeout.
    CELERY_UNACKED_RESTORE_INTERVAL = os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL")
    CELERY_UNACKED_RESTORE_THROTTLE = os.environ.get("CELERY_UNACKED_RESTORE_THROTTLE")

    # Reminders (docs/reminders.md). The scan runs every REMINDER_SCAN_SECONDS; a row left
    # pending or sending longer than REMINDER_REQUEUE_AFTER_SECONDS is handed over again
    # (it must exceed the task time limit, or a slow send would be sent twice).
    REMINDER_SCAN_SECONDS = int(os.environ.get("REMINDER_SCAN_SECONDS", 15 * 60))
    REMINDER_REQUEUE_AFTER_SECONDS = int(os.environ.get("REMINDER_REQUEUE_AFTER_SECONDS", 15 * 60))
    REMINDER_MAX_ATTEMPTS = int(os.environ.get("REMINDER_MAX_ATTEMPTS", 5))
    # Retries wait 1, 2, 4 ... minutes, never more than the cap (kept below the visibility timeout).
    REMINDER_RETRY_BASE_SECONDS = int(os.environ.get("REMINDER_RETRY_BASE_SECONDS", 60))
    REMINDER_RETRY_MAX_SECONDS = int(os.environ.get("REMINDER_RETRY_MAX_SECONDS", 30 * 60))
    REMINDER_REVIEW_DUE_DAYS = int(
        os.environ.get("REMINDER_REVIEW_DUE_DAYS", REMINDER_DEFAULTS.review_due_days)
    )
    REMINDER_RHI_TO_OFFER_HOURS = int(
        os.environ.get("REMINDER_RHI_TO_OFFER_HOURS", REMINDER_DEFAULTS.rhi_to_offer_hours)
    )
    REMINDER_RHI_OVERDUE_HOURS = int(
        os.environ.get("REMINDER_RHI_OVERDUE_HOURS", REMINDER_DEFAULTS.rhi_overdue_hours)
    )
    REMINDER_SEND_HOUR = int(os.environ.get("REMINDER_SEND_HOUR", REMINDER_DEFAULTS.send_hour))
    REMINDER_DIGEST_HOUR = int(os.environ.get("REMINDER_DIGEST_HOUR", REMINDER_DEFAULTS.digest_hour))
    REMINDER_LOOKBACK_DAYS = int(os.environ.get("REMINDER_LOOKBACK_DAYS", REMINDER_DEFAULTS.lookback_days))
    # MET meetings (docs/meetings-actions.md): days before an action's due date, and before
    # a meeting for the agenda to circulate and for the leads' updates.
    REMINDER_ACTION_DUE_DAYS = int(
        os.environ.get("REMINDER_ACTION_DUE_DAYS", REMINDER_DEFAULTS.action_due_days)
    )
    REMINDER_AGENDA_CIRCULATE_DAYS = int(
        os.environ.get("REMINDER_AGENDA_CIRCULATE_DAYS", REMINDER_DEFAULTS.agenda_circulate_days)
    )
    REMINDER_LEAD_UPDATE_DAYS = int(
        os.environ.get("REMINDER_LEAD_UPDATE_DAYS", REMINDER_DEFAULTS.lead_update_days)
    )
    # Intelligence (docs/intelligence-disruption.md): days before a disruption order or
    # notice in force expires that its owner is reminded (default 28).
    REMINDER_DISRUPTION_EXPIRY_DAYS = int(
        os.environ.get("REMINDER_DISRUPTION_EXPIRY_DAYS", REMINDER_DEFAULTS.disruption_expiry_days)
    )
    # Specialist services (docs/services.md): working days a provider has to answer a
    # request before it is flagged and reminded (weekends and bank holidays excluded).
    # Checked at start-up (1 to 60); docs/services-clock.md.
    SERVICE_ANSWER_WORKING_DAYS = _env_whole_number(
        "SERVICE_ANSWER_WORKING_DAYS", DEFAULT_ANSWER_WORKING_DAYS
    )

    # Statistics (docs/statistics.md): groups smaller than this are shown as "fewer than N"
    # in anything marked for publication; the trend shows this many quarters before the
    # chosen one. Checked at start-up.
    STATS_SUPPRESSION_THRESHOLD = _env_whole_number(
        "STATS_SUPPRESSION_THRESHOLD", DEFAULT_SUPPRESSION_THRESHOLD
    )
    STATS_TREND_QUARTERS = _env_whole_number("STATS_TREND_QUARTERS", DEFAULT_TREND_QUARTERS)

    # Retention (docs/retention.md): the partnership decides; there is no single national
    # period. A closed case is due for review at the child's RETENTION_CASE_AGE birthday
    # ("age") or RETENTION_CASE_YEARS after closure ("years_after_closure"); an
    # intelligence item RETENTION_INTELLIGENCE_YEARS after it was last linked. Checked at start-up.
    RETENTION_CASE_RULE = os.environ.get("RETENTION_CASE_RULE", "age")
    RETENTION_CASE_AGE = os.environ.get("RETENTION_CASE_AGE", "25")
    RETENTION_CASE_YEARS = os.environ.get("RETENTION_CASE_YEARS", "6")
    RETENTION_INTELLIGENCE_YEARS = os.environ.get("RETENTION_INTELLIGENCE_YEARS", "6")

    # Outgoing e-mail. The address in links; the default suits ./scripts/start only.
    APP_BASE_URL = os.environ.get("APP_BASE_URL", "http://127.0.0.1:5000")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USE_TLS = _env_flag("MAIL_USE_TLS", False)  # STARTTLS on MAIL_PORT
    MAIL_USE_SSL = _env_flag("MAIL_USE_SSL", False)  # TLS from the start (usually port 465)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "METtrack <mettrack@localhost>")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", 30))
    # The right-hand side of Message-IDs: the partnership's own mail domain in production.
    MAIL_MESSAGE_ID_DOMAIN = os.environ.get("MAIL_MESSAGE_ID_DOMAIN", "mettrack.localhost")

    PARTNERSHIP_NAME = os.environ.get("PARTNERSHIP_NAME", "Safeguarding Children Partnership")
    DISPLAY_TIMEZONE = "Europe/London"

    # Sessions live in the database (mettrack/core/sessions.py); the cookie holds only a signed id.
    SESSION_COOKIE_NAME = "mettrack_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", 30))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", 10))

    # Production's cookies take the __Host- prefix (ProductionConfig): the browser then keeps
    # them only when set over HTTPS for the whole site (Secure, Path=/, no Domain), so no
    # other name under the partnership's domain can set or overwrite them.
    REMEMBER_COOKIE_NAME = "mettrack_remember"  # never set: there is no remember-me (accounts/login.py)
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Strict-Transport-Security's max-age in seconds, 0 for none (mettrack/core/security_headers.py).
    HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", 0))
    # The largest request body, in bytes (413 past it); only the photo upload takes more,
    # up to PHILOMENA_PHOTO_MAX_BYTES (mettrack/core/request_limits.py).
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 1024 * 1024))

    # The audit tail (docs/security.md, "A tamper-evident audit tail"). Rows are hashed
    # with AUDIT_HMAC_KEY, which must not be kept in the database; production requires it.
    # The default is public, for development and tests only: with it anyone can recompute
    # the chain. Checkpoints go to the file and/or syslog (/dev/log or host:port) every
    # AUDIT_CHECKPOINT_SECONDS; `flask audit verify` reads the file.
    AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "development-only-audit-key-not-for-production")
    AUDIT_CHECKPOINT_PATH = os.environ.get(
        "AUDIT_CHECKPOINT_PATH", str(INSTANCE_DIR / "audit-checkpoints.log")
    )
    AUDIT_CHECKPOINT_SYSLOG = os.environ.get("AUDIT_CHECKPOINT_SYSLOG", "")
    # Keys AUDIT_HMAC_KEY had before `flask audit rotate-key`, oldest first, separated by
    # commas or spaces: `audit verify` checks the rows written before each rotation with them.
    AUDIT_HMAC_KEYS_OLD = os.environ.get("AUDIT_HMAC_KEYS_OLD", "")
    AUDIT_CHECKPOINT_SECONDS = _env_whole_number("AUDIT_CHECKPOINT_SECONDS", 300)
    # How many hash chains audit rows are appended to side by side on PostgreSQL (each
    # commit takes the first chain whose lock is free; docs/performance.md, "The audit
    # chain's throughput"). SQLite always has one. Lowering it later is safe: the chains
    # already written are still verified.
    AUDIT_CHAINS = _env_whole_number("AUDIT_CHAINS", 4)

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the server-side session
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    # While Redis is down each process counts in its own memory, so the limits still hold
    # (never off, never a 500); errors are not swallowed, which would turn them off.
    RATELIMIT_SWALLOW_ERRORS = False
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # A Redis that does not answer (rather than refusing) must not hold up every sign-in.
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    # Two-factor sign-in (docs/security.md, "Two-factor sign-in"). Off by default so the
    # zero-setup demo signs in with the printed logins; production turns it on. The key
    # encrypts each user's authenticator secret (a Fernet key; production requires it,
    # elsewhere one is derived from SECRET_KEY); `flask security rotate-2fa-key` changes it.
    TWO_FACTOR_REQUIRED = _env_flag("TWO_FACTOR_REQUIRED", False)
    TWO_FACTOR_KEY = os.environ.get("TWO_FACTOR_KEY")
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    # Brute force (docs/security.md, "Sign-in limits and lockout"; mettrack/accounts/lockout.py).
    # Sign-in attempts per e-mail address typed, from any address:
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute")
    # This many failures for one e-mail address within LOGIN_LOCKOUT_MINUTES lock sign-in
    # with it for LOGIN_LOCKOUT_MINUTES (the right password included).
    LOGIN_LOCKOUT_FAILURES = _env_whole_number("LOGIN_LOCKOUT_FAILURES", 10)
    LOGIN_LOCKOUT_MINUTES = _env_whole_number("LOGIN_LOCKOUT_MINUTES", 15)
    # How many proxies stand in front of the app (mettrack/core/proxy.py): 0 trusts no
    # X-Forwarded-For; behind one TLS proxy, 1.
    PROXY_COUNT = _env_whole_number("PROXY_COUNT", 0)

    API_TITLE = "METtrack API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    PAGE_SIZE = 25
    SEND_FILE_MAX_AGE_DEFAULT = 3600

    # Where a referral to Children's Services goes: shown after a screening with a yes.
    # The defaults are made up; set the partnership's own MASH details in production.
    MASH_CONTACT_NAME = os.environ.get("MASH_CONTACT_NAME", "MASH duty desk")
    MASH_CONTACT_PHONE = os.environ.get("MASH_CONTACT_PHONE", "01234 000000")
    MASH_CONTACT_EMAIL = os.environ.get("MASH_CONTACT_EMAIL", "mash@example.invalid")

    # A child with this many missing episodes begun within this many days is flagged for
    # the MET group. A partnership default, not national guidance (docs/missing.md).
    MISSING_REPEAT_EPISODES = int(os.environ.get("MISSING_REPEAT_EPISODES", DEFAULT_REPEAT_RULE.episodes))
    MISSING_REPEAT_DAYS = int(os.environ.get("MISSING_REPEAT_DAYS", DEFAULT_REPEAT_RULE.days))
    PHILOMENA_PHOTO_MAX_BYTES = 5 * 1024 * 1024
    # Importing the exploitation list (docs/imports.md): the largest file, and the most
    # rows checked and imported in the request; a larger file goes to a worker, with a
    # progress bar, picked up by a scan every IMPORT_SCAN_SECONDS.
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 20 * 1024 * 1024))
    IMPORT_INLINE_ROWS = int(os.environ.get("IMPORT_INLINE_ROWS", 500))
    IMPORT_SCAN_SECONDS = int(os.environ.get("IMPORT_SCAN_SECONDS", 5))
    # An upload holds children's names and addresses: once imported, or left unconfirmed,
    # it is deleted (file, dry run and job) this many hours after it was uploaded.
    IMPORT_KEEP_HOURS = int(os.environ.get("IMPORT_KEEP_HOURS", 72))

    # The risk assessment toolkit's suggested level and review cadence (docs/risk.md).
    # Partnership defaults, not national guidance; checked when the app starts.
    RISK_SUGGEST_MEDIUMS_FOR_HIGH = int(
        os.environ.get("RISK_SUGGEST_MEDIUMS_FOR_HIGH", DEFAULT_RULES.mediums_for_high)
    )
    RISK_SUGGEST_NEVER_LOW_UNDER_AGE = int(
        os.environ.get("RISK_SUGGEST_NEVER_LOW_UNDER_AGE", DEFAULT_RULES.never_low_under_age)
    )
    RISK_SUGGEST_PREVIOUS_COUNTS_ONE_LOWER = _env_flag(
        "RISK_SUGGEST_PREVIOUS_COUNTS_ONE_LOWER", DEFAULT_RULES.previous_counts_one_lower
    )
    # High risk is also reviewed at every MET meeting; its weeks are the fallback date.
    RISK_REVIEW_WEEKS_HIGH = int(os.environ.get("RISK_REVIEW_WEEKS_HIGH", DEFAULT_CADENCE.high_weeks))
    RISK_REVIEW_WEEKS_MEDIUM = int(os.environ.get("RISK_REVIEW_WEEKS_MEDIUM", DEFAULT_CADENCE.medium_weeks))
    RISK_REVIEW_WEEKS_LOW = int(os.environ.get("RISK_REVIEW_WEEKS_LOW", DEFAULT_CADENCE.low_weeks))
    RISK_REVIEW_LONGEST_MONTHS = int(
        os.environ.get("RISK_REVIEW_LONGEST_MONTHS", DEFAULT_CADENCE.longest_months)
    )

    # MET meetings: the agencies that must have someone present for the meeting to be
    # quorate (docs/meetings-minutes.md). Each is matched as a part of an agency's name,
    # ignoring case; in the environment, separate them with semicolons. The default
    # (children's social care, police, health) is a partnership default, not a national rule.
    MET_QUORUM_AGENCIES = (
        parse_quorum_setting(os.environ["MET_QUORUM_AGENCIES"])
        if os.environ.get("MET_QUORUM_AGENCIES") is not None
        else DEFAULT_QUORUM_AGENCIES
    )


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = _database_url(os.environ.get("TEST_DATABASE_URL")) or "sqlite://"
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(Config):
    IS_PRODUCTION = True
    SESSION_COOKIE_NAME = "__Host-mettrack_session"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_NAME = "__Host-mettrack_remember"
    REMEMBER_COOKIE_SECURE = True
    HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", 365 * 24 * 3600))
    # APP_BASE_URL: reminder e-mails link to it, and the development default is no use there.
    REQUIRED_ENVIRONMENT = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "APP_BASE_URL")
    AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY")  # no default: the app names it when missing
    REQUIRED_ENVIRONMENT += ("TWO_FACTOR_KEY",)
    TWO_FACTOR_REQUIRED = _env_flag("TWO_FACTOR_REQUIRED", True)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_class(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("METTRACK_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"METTRACK_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None


def validate(config: Mapping[str, Any]) -> None:
    """Raise RuntimeError, naming each setting the app cannot run with, when there is any:
    the app and the worker refuse to start rather than fail on the first request or task.
    Called once, by create_app, on the loaded settings."""
    problems = list(_problems(config))
    if len(problems) == 1:
        raise RuntimeError(problems[0])
    if problems:
        raise RuntimeError(
            "METtrack will not start until these settings are fixed:\n- " + "\n- ".join(problems)
        )


def _problems(config: Mapping[str, Any]) -> Iterator[str]:
    # Imported here, not at the top: reading the settings must not load the services and models.
    from mettrack.accounts.two_factor import key_problem as two_factor_key_problem
    from mettrack.core.audit_checkpoint import setting_problems as audit_checkpoint_problems
    from mettrack.meetings.minutes_rules import quorum_setting_problems
    from mettrack.reminders.delivery import check_settings as check_reminder_settings
    from mettrack.retention.rules import setting_problems as retention_setting_problems
    from mettrack.risk.assessments import check_settings as check_risk_settings
    from workers.broker import timing_problems

    missing = [name for name in config.get("REQUIRED_ENVIRONMENT", ()) if not os.environ.get(name)]
    if missing:
        yield "METtrack will not start in production without these settings: " + ", ".join(missing)
    yield from timing_problems(config)
    yield from _host_cookie_problems(config)
    yield from audit_checkpoint_problems(config)
    if problem := two_factor_key_problem(config.get("TWO_FACTOR_KEY")):
        yield problem
    yield from _sign_in_limit_problems(config)
    yield from quorum_setting_problems(config.get("MET_QUORUM_AGENCIES", DEFAULT_QUORUM_AGENCIES))
    if problem := answer_days_problem(config.get("SERVICE_ANSWER_WORKING_DAYS", DEFAULT_ANSWER_WORKING_DAYS)):
        yield problem
    yield from retention_setting_problems(config)
    yield from setting_problems(config)
    for check in (check_risk_settings, check_reminder_settings):
        try:
            check(config)
        except RuntimeError as e:
            yield str(e)


def _host_cookie_problems(config: Mapping[str, Any]) -> Iterator[str]:
    # A browser silently drops a __Host- cookie that is not Secure, for the whole site and
    # bound to this host alone: every sign-in would then fail with no error anywhere.
    for prefix in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        if not str(config.get(f"{prefix}_NAME", "")).startswith("__Host-"):
            continue
        path = config.get(f"{prefix}_PATH") or config.get("APPLICATION_ROOT") or "/"
        if not config.get(f"{prefix}_SECURE") or config.get(f"{prefix}_DOMAIN") or path != "/":
            yield (
                f"{prefix}_NAME starts with __Host-, so {prefix}_SECURE must be on, with no domain and path /"
            )


def _sign_in_limit_problems(config: Mapping[str, Any]) -> Iterator[str]:
    from limits import parse_many

    for name, low, high in (
        ("PROXY_COUNT", 0, 10),
        ("LOGIN_LOCKOUT_FAILURES", 1, 1000),
        ("LOGIN_LOCKOUT_MINUTES", 1, 24 * 60),
    ):
        value = config.get(name, low)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            yield f"{name} must be a whole number from {low} to {high}, not {value!r}"
    for name in ("LOGIN_RATE_LIMIT", "LOGIN_ACCOUNT_RATE_LIMIT"):
        try:
            parse_many(str(config.get(name, "")))
        except ValueError:
            yield f"{name} must be a limit such as '5 per minute', not {config.get(name)!r}"
