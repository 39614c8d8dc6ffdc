"""Writes for organisations, memberships and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, Membership, Organisation
from accounts.roles import MANAGERS, OrganisationKind, Role
from config.errors import ConflictError, ForbiddenError

TOKEN_PREFIX = "sp_"  # noqa: S105 (a public prefix)
MESSAGE_LAST_OWNER = "An organisation must keep at least one owner."
MESSAGE_OWNER_BY_OWNER = "Only an owner can grant, change or remove the owner role."
MESSAGE_NOT_A_MANAGER = "Only owners and admins manage members."
MESSAGE_ALREADY_MEMBER = "This user is already a member of the organisation."


class LastOwnerError(ConflictError):
    code = "last_owner"
    default_message = MESSAGE_LAST_OWNER


class RoleEscalationError(ForbiddenError):
    code = "role_escalation"
    default_message = MESSAGE_OWNER_BY_OWNER


class AlreadyMemberError(ConflictError):
    code = "already_member"
    default_message = MESSAGE_ALREADY_MEMBER


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once; never stored


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def organisation_create(*, slug: str, name: str, kind: str = OrganisationKind.CREATOR_STUDIO) -> Organisation:
    organisation = Organisation(slug=slug, name=name, kind=kind)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, name: str) -> Organisation:
    organisation.name = name
    organisation.full_clean()
    organisation.save(update_fields=["name"])
    return organisation


def _require_manager(acting: Membership, *, target_role: str | None = None) -> None:
    if acting.role not in MANAGERS:
        raise ForbiddenError(MESSAGE_NOT_A_MANAGER)
    if target_role == Role.OWNER and acting.role != Role.OWNER:
        raise RoleEscalationError()


def _lock_owners(organisation: Organisation) -> list[Membership]:
    # Two concurrent demotions must not both see "another owner remains".
    return list(organisation.memberships.select_for_update().filter(role=Role.OWNER))


@transaction.atomic
def membership_create(
    *,
    organisation: Organisation,
    username: str,
    role: str,
    email: str = "",
    acting: Membership | None = None,
) -> Membership:
    """Add a user (created without a password when new) to the organisation.

    `acting` is the member doing it; None for operators (CLI), who may do anything.
    """
    if acting is not None:
        _require_manager(acting, target_role=role)
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username, defaults={"email": email})
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        raise AlreadyMemberError(detail={"username": username})
    membership = Membership(organisation=organisation, user=user, role=role)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_update_role(*, membership: Membership, role: str, acting: Membership) -> Membership:
    _require_manager(acting, target_role=role)
    if membership.role == Role.OWNER:
        _require_manager(acting, target_role=Role.OWNER)
        owners = _lock_owners(membership.organisation)
        if role != Role.OWNER and len(owners) <= 1:
            raise LastOwnerError()
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_delete(*, membership: Membership, acting: Membership) -> None:
    """Remove a member; their tokens stop working at once (they are deleted with it)."""
    _require_manager(acting, target_role=membership.role)
    if membership.role == Role.OWNER and len(_lock_owners(membership.organisation)) <= 1:
        raise LastOwnerError()
    membership.delete()


@transaction.atomic
def token_issue(*, membership: Membership, name: str, expires_at: datetime | None = None) -> IssuedToken:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        membership=membership,
        name=name,
        prefix=secret[:10],
        digest=token_digest(secret),
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
