"""Reads for organisations, memberships and tokens, always scoped to an organisation."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import ApiToken, Membership, Organisation
from accounts.roles import MANAGERS
from accounts.services import token_digest


def organisation_list(*, membership: Membership) -> QuerySet[Organisation]:
    # A token acts for one organisation: it sees that one and no other.
    return Organisation.objects.filter(id=membership.organisation_id)


def membership_list(*, organisation: Organisation) -> QuerySet[Membership]:
    return Membership.objects.filter(organisation=organisation).select_related("user")


def token_list(*, membership: Membership) -> QuerySet[ApiToken]:
    """Managers see every token of their organisation; other members only their own."""
    tokens = ApiToken.objects.filter(membership__organisation_id=membership.organisation_id)
    if membership.role not in MANAGERS:
        tokens = tokens.filter(membership=membership)
    return tokens.select_related("membership__user")


def token_for_secret(secret: str) -> ApiToken | None:
    """The active token with this secret, or None (unknown, revoked or expired)."""
    token = (
        ApiToken.objects.select_related("membership__organisation", "membership__user")
        .filter(digest=token_digest(secret))
        .first()
    )
    if token is None or not token.is_active(timezone.now()):
        return None
    return token
