"""Provenance: the key that encrypts signing keys at rest, and the log's identity."""

from config.env import REQUIRED, env
from config.settings.base import PRODUCTION, VAR_DIR

# 32 random bytes, base64. Signing keys are stored encrypted with it (AES-256-GCM); without
# it they cannot be used, so back it up apart from the database.
SONGPROOF_KEY_ENCRYPTION_KEY = env.secret("SONGPROOF_KEY_ENCRYPTION_KEY", REQUIRED if PRODUCTION else None)
# The embedded default keeps a generated one here (and says so at start-up).
SONGPROOF_EMBEDDED_KEK_PATH = VAR_DIR / "key_encryption_key"

# The checkpoint origin: names this log in every checkpoint and its verifier key.
SONGPROOF_LOG_ORIGIN = env.str("SONGPROOF_LOG_ORIGIN", "songproof.local/log")
SONGPROOF_LOG_BATCH = env.int("SONGPROOF_LOG_BATCH", 5000, minimum=1)
