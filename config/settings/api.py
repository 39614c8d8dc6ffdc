"""Django REST Framework and OpenAPI schema."""

from config.env import env

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.IsMember"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.Pagination",
    "PAGE_SIZE": env.int("API_PAGE_SIZE", 50, minimum=1, maximum=1000),
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.error_handlers.exception_handler",
    "UNAUTHENTICATED_USER": None,
    # Per token (accounts.throttling); the public endpoints count per client address instead.
    # Both count in the default cache (per process unless CACHE_URL names a Redis).
    "DEFAULT_THROTTLE_CLASSES": ["accounts.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"public_verify": env.rate("PUBLIC_VERIFY_RATE", "30/minute")},
}

API_TOKEN_RATE = env.rate("API_TOKEN_RATE", "600/minute")

SPECTACULAR_SETTINGS = {
    "TITLE": "SongProof API",
    "DESCRIPTION": (
        "Copyright provenance and compliance for AI-generated music. Authenticate with "
        "`Authorization: Bearer <token>`; every object belongs to the token's organisation."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Fields of the same name with different choices (a member's role, a publisher's role):
    # named here, so the schema is stable and `check --deploy` has nothing to warn about.
    "ENUM_NAME_OVERRIDES": {
        "MemberRoleEnum": "accounts.roles.Role",
        "PublishingRoleEnum": "legal.models.PublishingShare.Role",
        "PartyKindEnum": "legal.models.Party.Kind",
        "ScanStatusEnum": "similarity.models.ScanStatus",
    },
}
