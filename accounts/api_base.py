"""Base of every organisation-scoped API view."""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework.views import APIView

from accounts.models import Membership, Organisation
from accounts.roles import Role


class MemberApi(APIView):
    """The caller is a member of one organisation: that of their token.

    `allowed_roles` maps HTTP methods to the roles that may use them; see
    `accounts.permissions.IsMember`.
    """

    allowed_roles: Mapping[str, frozenset[Role]] = {}

    @property
    def membership(self) -> Membership:
        return self.request.auth.membership

    @property
    def organisation(self) -> Organisation:
        return self.request.auth.membership.organisation
