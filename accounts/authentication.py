"""`Authorization: Bearer <token>` authentication against hashed API tokens."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from accounts.models import ApiToken
from accounts.selectors import token_for_secret

MESSAGE_BAD_HEADER = "Malformed Authorization header: expected 'Bearer <token>'."
MESSAGE_BAD_TOKEN = "Invalid, expired or revoked token."  # noqa: S105 (a message)
# Recording every use would turn each read into a write; a minute's precision is plenty.
LAST_USED_PRECISION = timedelta(minutes=1)


class BearerTokenAuthentication(BaseAuthentication):
    keywords = (b"bearer", b"token")

    def authenticate(self, request: Request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(MESSAGE_BAD_HEADER)
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(MESSAGE_BAD_HEADER) from None
        token = token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(MESSAGE_BAD_TOKEN)
        self._record_use(token)
        return token.membership.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="songproof"'

    @staticmethod
    def _record_use(token: ApiToken) -> None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(id=token.id).update(last_used_at=now)
            token.last_used_at = now
