"""API of royalty statements: the licensee reports revenue, licensor and licensee read."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.api_base import MemberApi
from accounts.roles import WRITERS
from config.errors import InvalidInputError
from config.pagination import paginated_response, paginated_schema
from config.serializers import InputSerializer
from legal import statements
from legal.models import RoyaltyStatement
from legal.selectors import licence_list, royalty_statement_list


class StatementOutput(serializers.ModelSerializer):
    licence = serializers.UUIDField(source="licence_id")
    created_by = serializers.CharField(source="created_by.username", default=None)
    totals = serializers.SerializerMethodField()

    class Meta:
        model = RoyaltyStatement
        fields = [
            "id",
            "licence",
            "period_start",
            "period_end",
            "currency",
            "revenue_minor",
            "amount_minor",
            "usage_source",
            "totals",
            "created_by",
            "created_at",
        ]

    def get_totals(self, entry: RoyaltyStatement) -> list[dict]:
        return [
            {"party_id": h["party_id"], "name": h.get("name", ""), "total_minor": h["total_minor"]}
            for h in entry.document["holders"]
        ]


class StatementDetailOutput(StatementOutput):
    statement = serializers.JSONField(source="document")

    class Meta(StatementOutput.Meta):
        fields = [*StatementOutput.Meta.fields, "statement"]


class LicenceStatementListApi(MemberApi):
    """A licence's royalty statements: the licensee reports a period's net revenue (with a
    multipart `usage` CSV, or without: usage derived from its output checks) and gets the
    statement; licensor and licensee list them."""

    allowed_roles = {"POST": WRITERS}
    parser_classes = [JSONParser, MultiPartParser]

    class Input(InputSerializer):
        # Negative amounts pass here to be refused by the engine's check (`invalid_amount`).
        revenue_minor = serializers.IntegerField(help_text="the licensee's net revenue, minor units")
        currency = serializers.CharField(max_length=3)
        period_start = serializers.DateField()
        period_end = serializers.DateField()
        usage = serializers.FileField(required=False, allow_null=True, default=None)

    @extend_schema(responses=paginated_schema(StatementOutput))
    def get(self, request, id):
        licence = get_object_or_404(licence_list(organisation=self.organisation), id=id)
        entries = licence.statements.select_related("created_by").order_by("-created_at", "id")
        return paginated_response(
            request=request, view=self, queryset=entries, serializer_class=StatementOutput
        )

    @extend_schema(request=Input, responses={201: StatementDetailOutput})
    def post(self, request, id):
        licence = get_object_or_404(licence_list(organisation=self.organisation), id=id)
        if licence.licensee_id != self.organisation.id:
            raise statements.NotTheLicenseeError(detail={"licence": str(licence.id)})
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        usage = data.pop("usage")
        entry = statements.royalty_statement_create(
            licence=licence,
            usage_csv=usage.read() if usage is not None else None,
            created_by=request.user,
            **data,
        )
        return Response(StatementDetailOutput(entry).data, status=201)


class StatementDetailApi(MemberApi):
    """One statement: `?type=json` (default), `csv` or `html`; `?party=ID` (repeatable): only
    those rights holders' lines and totals."""

    @extend_schema(responses=StatementDetailOutput)
    def get(self, request, id):
        entry = get_object_or_404(royalty_statement_list(organisation=self.organisation), id=id)
        kind = request.query_params.get("type", "json")
        if kind not in ("json", "csv", "html"):
            raise InvalidInputError(detail={"type": kind, "allowed": ["json", "csv", "html"]})
        parties = set(request.query_params.getlist("party")) or None
        if kind == "json":
            data = StatementDetailOutput(entry).data
            if parties is not None:
                document = dict(entry.document)
                document["holders"] = [h for h in document["holders"] if h["party_id"] in parties]
                data["statement"] = document
                data["totals"] = [t for t in data["totals"] if t["party_id"] in parties]
            return Response(data)
        body = statements.statement_render(entry, kind, parties=parties)
        response = HttpResponse(body, content_type="text/csv" if kind == "csv" else "text/html")
        if kind == "csv":
            response["Content-Disposition"] = f'attachment; filename="statement-{entry.id}.csv"'
        return response
