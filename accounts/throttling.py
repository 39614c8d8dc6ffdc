"""Requests per API token: a leaked or runaway token cannot flood the service."""

from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Counts each token's requests in Django's default cache (`CACHES`, see README).

    The rate is read per request rather than once at import, so a test can lower
    `API_TOKEN_RATE` with the `settings` fixture. Requests without a token are not counted
    here: they are refused with 401 before throttles run, and the public endpoints carry
    their own per-address throttle.
    """

    scope = "api_token"

    def get_rate(self) -> str:
        return settings.API_TOKEN_RATE

    def get_cache_key(self, request: Request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.id}
