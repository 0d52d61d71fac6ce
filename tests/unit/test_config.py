import pytest

from config import ProductionConfig
from mettrack import create_app


def test_production_refuses_to_start_without_its_settings(monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db.invalid/mettrack")
    with pytest.raises(RuntimeError) as error:
        create_app(config_name="production")
    assert "SECRET_KEY" in str(error.value) and "REDIS_URL" in str(error.value)
    assert "DATABASE_URL" not in str(error.value)


def test_production_names_every_missing_setting(monkeypatch):
    for name in ProductionConfig.REQUIRED:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY, DATABASE_URL, REDIS_URL"):
        ProductionConfig.check_environment()
