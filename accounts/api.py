"""API for the caller's organisation, its members and API tokens."""

from __future__ import annotations

from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.api_base import MemberApi
from accounts.models import ApiToken, Membership, Organisation
from accounts.roles import MANAGERS, Role
from accounts.selectors import membership_list, organisation_list, token_list
from accounts.services import (
    membership_create,
    membership_delete,
    membership_update_role,
    organisation_update,
    token_issue,
    token_revoke,
)
from config.pagination import paginated_response, paginated_schema
from config.serializers import InputSerializer


class OrganisationOutput(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "slug", "name", "kind", "created_at"]


class MembershipOutput(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    email = serializers.CharField(source="user.email", help_text="empty when the user has none")

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "role", "created_at"]


class TokenOutput(serializers.ModelSerializer):
    membership = serializers.UUIDField(source="membership_id")
    username = serializers.CharField(source="membership.user.username")
    active = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "membership",
            "username",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "active",
        ]

    def get_active(self, token: ApiToken) -> bool:
        return token.is_active()


class IssuedTokenOutput(TokenOutput):
    token = serializers.CharField(help_text="The secret. Shown once: store it now.")

    class Meta(TokenOutput.Meta):
        fields = [*TokenOutput.Meta.fields, "token"]


class MeApi(MemberApi):
    class Output(serializers.Serializer):
        username = serializers.CharField(source="user.username")
        role = serializers.CharField()
        organisation = OrganisationOutput()
        membership = serializers.UUIDField(source="id")

    @extend_schema(responses=Output)
    def get(self, request):
        return Response(self.Output(self.membership).data)


class OrganisationListApi(MemberApi):
    @extend_schema(responses=paginated_schema(OrganisationOutput))
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=organisation_list(membership=self.membership),
            serializer_class=OrganisationOutput,
        )


class OrganisationDetailApi(MemberApi):
    allowed_roles = {"PATCH": MANAGERS}

    class Input(InputSerializer):
        name = serializers.CharField(max_length=200)

    def _organisation(self, id) -> Organisation:
        return get_object_or_404(organisation_list(membership=self.membership), id=id)

    @extend_schema(responses=OrganisationOutput)
    def get(self, request, id):
        return Response(OrganisationOutput(self._organisation(id)).data)

    @extend_schema(request=Input, responses=OrganisationOutput)
    def patch(self, request, id):
        organisation = self._organisation(id)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        organisation = organisation_update(organisation=organisation, **serializer.validated_data)
        return Response(OrganisationOutput(organisation).data)


class MembershipListApi(MemberApi):
    allowed_roles = {"POST": MANAGERS}

    class Input(InputSerializer):
        username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
        email = serializers.EmailField(required=False, default="")
        role = serializers.ChoiceField(choices=Role.choices)

    @extend_schema(responses=paginated_schema(MembershipOutput))
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=membership_list(organisation=self.organisation),
            serializer_class=MembershipOutput,
        )

    @extend_schema(request=Input, responses={201: MembershipOutput})
    def post(self, request):
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = membership_create(
            organisation=self.organisation, acting=self.membership, **serializer.validated_data
        )
        return Response(MembershipOutput(membership).data, status=status.HTTP_201_CREATED)


class MembershipDetailApi(MemberApi):
    allowed_roles = {"PATCH": MANAGERS, "DELETE": MANAGERS}

    class Input(InputSerializer):
        role = serializers.ChoiceField(choices=Role.choices)

    def _membership(self, id) -> Membership:
        return get_object_or_404(membership_list(organisation=self.organisation), id=id)

    @extend_schema(responses=MembershipOutput)
    def get(self, request, id):
        return Response(MembershipOutput(self._membership(id)).data)

    @extend_schema(request=Input, responses=MembershipOutput)
    def patch(self, request, id):
        membership = self._membership(id)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = membership_update_role(
            membership=membership, role=serializer.validated_data["role"], acting=self.membership
        )
        return Response(MembershipOutput(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request, id):
        membership_delete(membership=self._membership(id), acting=self.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListApi(MemberApi):
    class Input(InputSerializer):
        name = serializers.CharField(max_length=100)
        expires_in_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)

    @extend_schema(responses=paginated_schema(TokenOutput))
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=token_list(membership=self.membership),
            serializer_class=TokenOutput,
        )

    @extend_schema(request=Input, responses={201: IssuedTokenOutput})
    def post(self, request):
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        days = serializer.validated_data.get("expires_in_days")
        issued = token_issue(
            membership=self.membership,
            name=serializer.validated_data["name"],
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        data = TokenOutput(issued.token).data | {"token": issued.secret}
        return Response(data, status=status.HTTP_201_CREATED)


class TokenDetailApi(MemberApi):
    def _token(self, id) -> ApiToken:
        return get_object_or_404(token_list(membership=self.membership), id=id)

    @extend_schema(responses=TokenOutput)
    def get(self, request, id):
        return Response(TokenOutput(self._token(id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, id):
        # Members see (and so revoke) only their own tokens; managers see everyone's.
        token_revoke(token=self._token(id))
        return Response(status=status.HTTP_204_NO_CONTENT)
