"""SongProof settings, composed from one module per concern.

With no environment variables at all this is the embedded default: SQLite under var/,
media under var/media/, Celery tasks run eagerly in the calling process. DATABASE_URL,
CELERY_BROKER_URL and SONGPROOF_ENV=production move it to a real deployment.
"""

# ruff: noqa: F403, I001  (order matters: secrets are checked first, so a production start
# without SECRET_KEY names that variable before any other)
from config.settings.base import *
from config.settings.security import *
from config.settings.database import *
from config.settings.celery import *
from config.settings.cache import *
from config.settings.api import *
from config.settings.provenance import *
from config.settings.generation import *
from config.settings.logging import *
