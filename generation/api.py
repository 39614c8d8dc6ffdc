"""API for works (the generation pipeline joins them here)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.api_base import MemberApi
from accounts.roles import WRITERS
from config.pagination import paginated_response
from config.serializers import InputSerializer
from generation.models import Work
from generation.selectors import work_list
from generation.services import work_create, work_note_add
from provenance.api import EventOutput


class WorkOutput(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = Work
        fields = ["id", "title", "created_by", "created_at"]


class WorkListApi(MemberApi):
    allowed_roles = {"POST": WRITERS}

    class Input(InputSerializer):
        title = serializers.CharField(max_length=200)

    @extend_schema(responses=WorkOutput(many=True))
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=work_list(organisation=self.organisation),
            serializer_class=WorkOutput,
        )

    @extend_schema(request=Input, responses={201: WorkOutput})
    def post(self, request):
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        work = work_create(
            organisation=self.organisation, created_by=self.membership, **serializer.validated_data
        )
        return Response(WorkOutput(work).data, status=status.HTTP_201_CREATED)


class WorkDetailApi(MemberApi):
    @extend_schema(responses=WorkOutput)
    def get(self, request, id):
        return Response(WorkOutput(get_object_or_404(work_list(organisation=self.organisation), id=id)).data)


class WorkNoteApi(MemberApi):
    allowed_roles = {"POST": WRITERS}

    class Input(InputSerializer):
        text = serializers.CharField(max_length=10_000)

    @extend_schema(request=Input, responses={201: EventOutput})
    def post(self, request, id):
        work = get_object_or_404(work_list(organisation=self.organisation), id=id)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = work_note_add(work=work, author=self.membership, **serializer.validated_data)
        return Response(EventOutput(event).data, status=status.HTTP_201_CREATED)
