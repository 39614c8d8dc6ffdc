"""Core Django settings: apps, paths, environment kind."""

from pathlib import Path

from config.env import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# "embedded" is the zero-configuration default for one machine; "production" turns on
# every strict check (secrets required, no SQLite, no eager tasks).
SONGPROOF_ENV = env.choice("SONGPROOF_ENV", ("embedded", "production"), "embedded")
PRODUCTION = SONGPROOF_ENV == "production"

VAR_DIR = Path(env.str("SONGPROOF_VAR_DIR", str(BASE_DIR / "var"))).resolve()
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", str(VAR_DIR / "media"))).resolve()
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", str(VAR_DIR / "static"))).resolve()
STATIC_URL = "/static/"
if not PRODUCTION:
    # The embedded default owns var/; a deployment provisions its own volumes.
    for _folder in (VAR_DIR, MEDIA_ROOT, STATIC_ROOT):
        _folder.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "ops",
    "provenance",
    "generation",
    "similarity",
    "legal",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.navigation",
            ],
        },
    },
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The web pages log in with a session (the API with bearer tokens).
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# The embedded default serves static files (the API docs' assets) straight from the apps;
# a deployment runs collectstatic (the Dockerfile does) and serves var/static/.
WHITENOISE_USE_FINDERS = not PRODUCTION

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
