"""Settings start-up, checked in a fresh interpreter with a controlled environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'name': str(settings.DATABASES['default']['NAME']), 'eager': settings.CELERY_TASK_ALWAYS_EAGER, "
    "'media': str(settings.MEDIA_ROOT), 'debug': settings.DEBUG}))"
)


def _start(tmp_path, **variables) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings"}
    env["SONGPROOF_VAR_DIR"] = str(tmp_path / "var")
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_no_variables_give_the_embedded_default(tmp_path):
    result = _start(tmp_path)

    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)
    assert settings["engine"] == "django.db.backends.sqlite3"
    assert settings["name"].startswith(str(tmp_path / "var"))
    assert settings["media"] == str(tmp_path / "var" / "media")
    assert settings["eager"] is True
    assert settings["debug"] is False


def test_database_and_broker_urls_switch_to_real_services(tmp_path):
    result = _start(
        tmp_path, DATABASE_URL="postgres://u@db.internal:5432/sp", CELERY_BROKER_URL="redis://cache:6379/0"
    )

    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)
    assert settings["engine"] == "django.db.backends.postgresql"
    assert settings["eager"] is False


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"SONGPROOF_ENV": "staging"}, "SONGPROOF_ENV"),
        ({"DATABASE_URL": "mysql://db/sp"}, "DATABASE_URL"),
        ({"CELERY_BROKER_URL": "sqs://queue"}, "CELERY_BROKER_URL"),
        ({"CELERY_TASK_SOFT_TIME_LIMIT": "60", "CELERY_TASK_TIME_LIMIT": "30"}, "CELERY_TASK_TIME_LIMIT"),
        ({"DEBUG": "perhaps"}, "DEBUG"),
        ({"API_PAGE_SIZE": "-1"}, "API_PAGE_SIZE"),
        ({"API_TOKEN_RATE": "lots"}, "API_TOKEN_RATE"),
        ({"CACHE_URL": "memcached://cache:11211"}, "CACHE_URL"),
    ],
)
def test_bad_configuration_fails_at_start_naming_the_variable(tmp_path, variables, named):
    result = _start(tmp_path, **variables)

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {named}:" in result.stderr


PRODUCTION = {
    "SONGPROOF_ENV": "production",
    "SECRET_KEY": "k" * 64,
    "ALLOWED_HOSTS": "songproof.example",
    "DATABASE_URL": "postgres://u@db:5432/sp",
    "CELERY_BROKER_URL": "redis://cache:6379/0",
    "SONGPROOF_KEY_ENCRYPTION_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "C2PA_CERT_CHAIN_PATH": "/run/secrets/c2pa_chain",
    "C2PA_PRIVATE_KEY_PATH": "/run/secrets/c2pa_key",
    "C2PA_TRUST_ANCHORS_PATH": "/run/secrets/c2pa_anchors",
}


def test_production_starts_with_its_required_variables(tmp_path):
    result = _start(tmp_path, **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["eager"] is False


@pytest.mark.parametrize("missing", [name for name in PRODUCTION if name != "SONGPROOF_ENV"])
def test_production_refuses_to_start_without_each_required_variable(tmp_path, missing):
    result = _start(tmp_path, **{name: value for name, value in PRODUCTION.items() if name != missing})

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {missing}:" in result.stderr


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"DATABASE_URL": "sqlite:///tmp/x.sqlite3"}, "DATABASE_URL: production needs PostgreSQL"),
        ({"CELERY_TASK_ALWAYS_EAGER": "true"}, "CELERY_TASK_ALWAYS_EAGER: production runs tasks on workers"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY: must be at least 50 characters"),
    ],
)
def test_production_refuses_embedded_shortcuts(tmp_path, override, message):
    result = _start(tmp_path, **(PRODUCTION | override))

    assert f"ImproperlyConfigured: {message}" in result.stderr


def test_cache_url_moves_rate_limit_counts_to_redis(tmp_path):
    probe = "import django; from django.conf import settings as s; django.setup(); print(s.CACHES)"
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings"}
    env |= {"SONGPROOF_VAR_DIR": str(tmp_path / "var"), "CACHE_URL": "redis://cache:6379/1"}
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert "django.core.cache.backends.redis.RedisCache" in result.stdout
