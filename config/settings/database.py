"""Database: SQLite under var/ by default, PostgreSQL through DATABASE_URL."""

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import REQUIRED, env
from config.settings.base import PRODUCTION, VAR_DIR

_url = env.url(
    "DATABASE_URL",
    schemes=("postgres", "postgresql", "sqlite"),
    default=REQUIRED if PRODUCTION else None,
)
_conn_max_age = env.int("DATABASE_CONN_MAX_AGE", 60, minimum=0)

if _url is None:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "songproof.sqlite3"),
            # Eager tasks and the dev server's threads share one file. IMMEDIATE takes the
            # write lock when a transaction begins, so two writers queue (up to the timeout)
            # instead of deadlocking and failing with "database is locked".
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
else:
    try:
        DATABASES = {"default": dj_database_url.parse(_url, conn_max_age=_conn_max_age)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL: {exc}") from exc
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A stopped database must make requests fail fast (503), not hang a worker.
        DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
            "DATABASE_CONNECT_TIMEOUT", 3, minimum=1
        )
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

if PRODUCTION and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL: production needs PostgreSQL (postgres://...)")
