import re
import runpy
from pathlib import Path

import pytest

from config import ProductionConfig
from mettrack import create_app
from mettrack.missing import rules as missing
from mettrack.reminders import rules as reminders
from mettrack.risk import rules as risk


def test_production_refuses_to_start_without_its_settings(monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "APP_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db.invalid/mettrack")
    with pytest.raises(RuntimeError) as error:
        create_app(config_name="production")
    assert "SECRET_KEY" in str(error.value) and "REDIS_URL" in str(error.value)
    assert "APP_BASE_URL" in str(error.value)
    assert "DATABASE_URL" not in str(error.value)


def test_production_names_every_missing_setting(monkeypatch):
    for name in ProductionConfig.REQUIRED_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY, DATABASE_URL, REDIS_URL, APP_BASE_URL"):
        create_app(config_name="production")


def test_every_unusable_setting_is_named_in_one_error():
    with pytest.raises(RuntimeError) as error:
        create_app(
            {
                "RISK_REVIEW_WEEKS_HIGH": 10,  # longer than medium
                "REMINDER_SEND_HOUR": 24,
                "REMINDER_REQUEUE_AFTER_SECONDS": 10,  # inside the task time limit
            }
        )
    for setting in ("RISK_REVIEW_WEEKS_HIGH", "REMINDER_SEND_HOUR", "REMINDER_REQUEUE_AFTER_SECONDS"):
        assert setting in str(error.value)


# --- partnership defaults: written once, in the domain rules --------------------------

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS_FROM_DOMAIN = {
    # setting -> (domain module, default object, field)
    "MISSING_REPEAT_EPISODES": (missing, "DEFAULT_REPEAT_RULE", "episodes"),
    "MISSING_REPEAT_DAYS": (missing, "DEFAULT_REPEAT_RULE", "days"),
    "RISK_SUGGEST_MEDIUMS_FOR_HIGH": (risk, "DEFAULT_RULES", "mediums_for_high"),
    "RISK_SUGGEST_NEVER_LOW_UNDER_AGE": (risk, "DEFAULT_RULES", "never_low_under_age"),
    "RISK_SUGGEST_PREVIOUS_COUNTS_ONE_LOWER": (risk, "DEFAULT_RULES", "previous_counts_one_lower"),
    "RISK_REVIEW_WEEKS_HIGH": (risk, "DEFAULT_CADENCE", "high_weeks"),
    "RISK_REVIEW_WEEKS_MEDIUM": (risk, "DEFAULT_CADENCE", "medium_weeks"),
    "RISK_REVIEW_WEEKS_LOW": (risk, "DEFAULT_CADENCE", "low_weeks"),
    "RISK_REVIEW_LONGEST_MONTHS": (risk, "DEFAULT_CADENCE", "longest_months"),
    "REMINDER_REVIEW_DUE_DAYS": (reminders, "DEFAULT_RULES", "review_due_days"),
    "REMINDER_RHI_TO_OFFER_HOURS": (reminders, "DEFAULT_RULES", "rhi_to_offer_hours"),
    "REMINDER_RHI_OVERDUE_HOURS": (reminders, "DEFAULT_RULES", "rhi_overdue_hours"),
    "REMINDER_SEND_HOUR": (reminders, "DEFAULT_RULES", "send_hour"),
    "REMINDER_DIGEST_HOUR": (reminders, "DEFAULT_RULES", "digest_hour"),
    "REMINDER_LOOKBACK_DAYS": (reminders, "DEFAULT_RULES", "lookback_days"),
}


def _fresh_config(monkeypatch, **environ) -> type:
    """config.py's Config as a fresh import would build it, with only `environ` set."""
    for name in DEFAULTS_FROM_DOMAIN:
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "config.py"))["Config"]


def test_partnership_defaults_are_read_from_the_domain_rules_not_repeated(monkeypatch):
    # Other defaults in the domain must show through: a number typed into config.py again
    # would not follow them.
    monkeypatch.setattr(missing, "DEFAULT_REPEAT_RULE", missing.RepeatMissingRule(episodes=5, days=45))
    monkeypatch.setattr(
        risk,
        "DEFAULT_RULES",
        risk.SuggestionRules(mediums_for_high=4, never_low_under_age=11, previous_counts_one_lower=False),
    )
    monkeypatch.setattr(
        risk,
        "DEFAULT_CADENCE",
        risk.ReviewCadence(high_weeks=2, medium_weeks=6, low_weeks=10, longest_months=2),
    )
    monkeypatch.setattr(
        reminders,
        "DEFAULT_RULES",
        reminders.ReminderRules(
            review_due_days=5,
            rhi_to_offer_hours=12,
            rhi_overdue_hours=48,
            send_hour=9,
            digest_hour=6,
            lookback_days=3,
        ),
    )

    config = _fresh_config(monkeypatch)

    for name, (module, default, field) in DEFAULTS_FROM_DOMAIN.items():
        assert getattr(config, name) == getattr(getattr(module, default), field), name


def test_the_settings_keep_their_environment_variable_names(monkeypatch):
    config = _fresh_config(
        monkeypatch,
        MISSING_REPEAT_EPISODES="4",
        MISSING_REPEAT_DAYS="60",
        RISK_SUGGEST_MEDIUMS_FOR_HIGH="2",
        RISK_SUGGEST_NEVER_LOW_UNDER_AGE="12",
        RISK_SUGGEST_PREVIOUS_COUNTS_ONE_LOWER="false",
        RISK_REVIEW_WEEKS_HIGH="3",
        RISK_REVIEW_WEEKS_MEDIUM="6",
        RISK_REVIEW_WEEKS_LOW="9",
        RISK_REVIEW_LONGEST_MONTHS="2",
    )

    assert (config.MISSING_REPEAT_EPISODES, config.MISSING_REPEAT_DAYS) == (4, 60)
    assert (config.RISK_SUGGEST_MEDIUMS_FOR_HIGH, config.RISK_SUGGEST_NEVER_LOW_UNDER_AGE) == (2, 12)
    assert config.RISK_SUGGEST_PREVIOUS_COUNTS_ONE_LOWER is False
    assert (
        config.RISK_REVIEW_WEEKS_HIGH,
        config.RISK_REVIEW_WEEKS_MEDIUM,
        config.RISK_REVIEW_WEEKS_LOW,
        config.RISK_REVIEW_LONGEST_MONTHS,
    ) == (3, 6, 9, 2)


@pytest.mark.parametrize("value", ["true", "TRUE", " yes ", "on", "1"])
def test_a_true_flag_may_be_written_several_ways(monkeypatch, value):
    config = _fresh_config(monkeypatch, RISK_SUGGEST_PREVIOUS_COUNTS_ONE_LOWER=value)

    assert config.RISK_SUGGEST_PREVIOUS_COUNTS_ONE_LOWER is True


def test_the_documented_defaults_are_the_domain_defaults(monkeypatch):
    config = _fresh_config(monkeypatch)
    documented = {}
    for doc in ("docs/risk.md", "docs/missing.md", "docs/reminders.md"):
        for name, value in re.findall(r"^\| `([A-Z_]+)` \| ([^|]+?) \|", (ROOT / doc).read_text(), re.M):
            documented[name] = value

    for name in DEFAULTS_FROM_DOMAIN:
        default = getattr(config, name)
        assert documented[name] == (str(default).lower() if isinstance(default, bool) else str(default)), name


def test_jit_is_switched_off_at_connection_start_unless_a_pooler_needs_otherwise():
    from mettrack import create_app

    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    on = create_app({"SQLALCHEMY_DATABASE_URI": url, "CELERY_BROKER_URL": "memory://"})
    assert "-c jit=off" in on.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"]
    off = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "CELERY_BROKER_URL": "memory://", "DATABASE_JIT_OFF": False}
    )
    assert "options" not in off.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]
