"""Whether the caller's role in their organisation allows the operation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.models import ApiToken
from accounts.roles import ALL_ROLES, Role

if TYPE_CHECKING:
    from rest_framework.views import APIView

MESSAGE_ROLE = "Your role in this organisation does not allow this operation."


class IsMember(BasePermission):
    """The caller holds an active token of a membership whose role the view allows.

    A view names the roles allowed per HTTP method in `allowed_roles`; a method it does not
    name is open to every member.
    """

    message = MESSAGE_ROLE

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not isinstance(request.auth, ApiToken):
            return False
        allowed: Mapping[str, frozenset[Role]] = getattr(view, "allowed_roles", {})
        return request.auth.membership.role in allowed.get(request.method, ALL_ROLES)
