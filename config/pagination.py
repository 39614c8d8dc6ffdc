from django.db.models import QuerySet
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


def paginated_response(
    *, request: Request, view: APIView, queryset: QuerySet, serializer_class: type[Serializer]
) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


def paginated_schema(serializer_class: type[Serializer]) -> Serializer:
    """The OpenAPI body of `paginated_response`: the page's envelope around the items, so the
    schema describes what a list endpoint really answers (not a bare array)."""
    envelope = inline_serializer(
        name=f"Paginated{serializer_class.__name__}List",
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )
    envelope.paginated_list = True  # config.schema names the operation `..._list`
    return envelope
