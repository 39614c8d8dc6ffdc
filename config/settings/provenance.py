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

# C2PA labels on exports. A deployment gives its own certificate chain (PEM, signing
# certificate first), the signing key (PEM, e.g. a mounted secret) and the trust anchor(s)
# that verifiers should use; C2PA_SIGNER_CALLBACK (a dotted path to `sign(data) -> bytes`,
# for a KMS or HSM) replaces the key file. The embedded default signs with the local PKI
# that `manage.py init_pki` makes under var/pki/ (made on the first export if missing).
C2PA_PKI_DIR = VAR_DIR / "pki"
C2PA_SIGNER_CALLBACK = env.str("C2PA_SIGNER_CALLBACK", None)
C2PA_SIGNING_ALG = env.choice("C2PA_SIGNING_ALG", ("es256", "ed25519", "ps256"), "es256")
_c2pa_configured = PRODUCTION or env.is_set("C2PA_CERT_CHAIN_PATH")
C2PA_CERT_CHAIN_PATH = env.path("C2PA_CERT_CHAIN_PATH", REQUIRED if _c2pa_configured else None)
C2PA_PRIVATE_KEY_PATH = env.path(
    "C2PA_PRIVATE_KEY_PATH", REQUIRED if _c2pa_configured and not C2PA_SIGNER_CALLBACK else None
)
C2PA_TRUST_ANCHORS_PATH = env.path("C2PA_TRUST_ANCHORS_PATH", REQUIRED if _c2pa_configured else None)
# GB 45438-2025 implicit label: the ContentProducer field of every export's AIGC label.
SONGPROOF_AIGC_PRODUCER = env.str("SONGPROOF_AIGC_PRODUCER", "songproof.local")
